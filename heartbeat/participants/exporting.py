"""CSV out: the caseload export, and a CSV writer that spreadsheets cannot be tricked by.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) is prefixed with an apostrophe, so it stays text
(OWASP's advice on CSV injection). The file is UTF-8 with a byte-order mark, which Excel needs to
read accents right; the importer accepts it back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants import queries
from heartbeat.participants.models import Participant
from heartbeat.progress.models import LadderStage

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> str:
    """A value as CSV text that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float):
        value = value.value  # enums by their stored value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(header: Iterable[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


# What the caseload export holds: the details staff work from, not the free-text health notes.
EXPORT_COLUMNS: dict[str, str] = {
    "id": "Participant number",
    "given_name": "Given name",
    "family_name": "Family name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "email": "Email",
    "phone": "Phone",
    "impairment": "Impairment category",
    "sci_level": "Spinal-cord injury level",
    "racing_class": "Racing class",
    "classification_status": "Classification status",
    "classification_review_on": "Classification review date",
    "status": "Status",
    "current_stage": "Current ladder stage",
    "therapist": "Therapist",
    "enrolled_on": "Enrolment date",
    "goal_milestone": "Target milestone",
    "goal_target_on": "Target date",
}


def export_caseload(
    f: queries.CaseloadFilter,
    *,
    centre: Centre,
    actor: User,
    filters: Mapping[str, str],
) -> tuple[str, int]:
    """Everyone the filter matches (every page) as CSV text, and how many; audited."""
    participants = db.session.scalars(queries.caseload(f)).all()
    stage_titles = dict(
        db.session.execute(
            sa.select(LadderStage.id, LadderStage.title).where(LadderStage.centre_id == centre.id)
        ).all()
    )

    def row(p: Participant) -> list[Any]:
        values = {name: getattr(p, name, None) for name in EXPORT_COLUMNS}
        values["current_stage"] = stage_titles.get(p.current_stage_id, "")
        values["therapist"] = p.therapist.name if p.therapist else ""
        return [values[name] for name in EXPORT_COLUMNS]

    body = write_csv(EXPORT_COLUMNS, (row(p) for p in participants))
    audit.record(
        actor,
        centre.id,
        "participant.export",
        "centre",
        centre.id,
        audit.created(
            {
                "filters": dict(filters),
                "rows": len(participants),
                "columns": list(EXPORT_COLUMNS),
            }
        ),
    )
    return body, len(participants)

"""CSV out: the caseload export (written with ``heartbeat.core.csvfiles``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core.csvfiles import write_csv
from heartbeat.extensions import db
from heartbeat.participants import queries, stages
from heartbeat.participants.models import Participant

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
    stage_titles = stages.titles(centre.id)

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

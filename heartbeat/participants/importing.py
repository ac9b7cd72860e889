"""CSV import of participants: every row checked first, then all enrolled or none.

The rules are the enrolment form's (``services.clean_details`` and the consent rules), so a row
the form would refuse is refused here too, with the same words, placed by line and column. How
the file itself is read (columns, encoding, header) is in ``csvfile``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import STAFF_ROLES, User
from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, _l, speaking
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import services, stages
from heartbeat.participants.classification import CODES_TEXT, ClassificationStatus
from heartbeat.participants.csvfile import (
    COLUMN_NAMES,
    COLUMNS,
    MAX_ROWS,
    ImportRejected,
    Row,
    RowError,
    column_letter,
    decode,
    read_rows,
    template_csv,
)
from heartbeat.participants.models import (
    ConsentKind,
    ImpairmentCategory,
    Participant,
    RacingClass,
)
from heartbeat.participants.names import NameOrder

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "MAX_ROWS",
    "ImportRejected",
    "RowError",
    "check",
    "import_participants",
    "template_csv",
]

MAX_ERRORS = 200

_DATE_COLUMNS = (
    "date_of_birth",
    "classification_review_on",
    "enrolled_on",
    "goal_target_on",
    "consent_recorded_on",
)
_CONSENT_COLUMNS = {kind: f"consent_{kind.value}" for kind in ConsentKind}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
# A field the service names, and the CSV column to blame for it.
_FIELD_TO_COLUMN = {"therapist_id": "therapist_email"}


# --- checking rows --------------------------------------------------------------------------------


def _parse_date(text: str) -> date:
    if not _ISO_DATE.match(text):
        raise ValueError
    return date.fromisoformat(text)


def _parse_choice(enum_cls, text: str):
    """A member from its stored value or its label (English, or the reader's), ignoring case."""
    wanted = text.strip().casefold()
    for member in enum_cls:
        with speaking(DEFAULT_LANGUAGE):
            english = member.label.casefold()
        if wanted in (member.value.casefold(), english, member.label.casefold()):
            return member
    raise ValueError


_CHOICE_MESSAGES = {
    "impairment": (
        ImpairmentCategory,
        _l("Use one of: %(values)s.", values=", ".join(m.value for m in ImpairmentCategory)),
    ),
    "racing_class": (
        RacingClass,
        _l(
            "This is not a racing class we know. Use one of: %(values)s.",
            values=", ".join(m.value for m in RacingClass),
        ),
    ),
    "classification_status": (ClassificationStatus, _l("Use %(codes)s.", codes=CODES_TEXT)),
    "name_order": (
        NameOrder,
        _l("Use given_first or family_first (or leave it blank for given name first)."),
    ),
}


def _check_row(
    row: Row,
    *,
    centre_id: int,
    today: date,
    staff_by_email: dict[str, int],
) -> dict[str, str]:
    """Fill ``row.details``/``consents``; return ``{column: message}`` for what is wrong."""
    cells = {name: value.strip() for name, value in row.cells.items()}
    errors: dict[str, str] = {}
    details: dict[str, Any] = {
        name: cells.get(name) or None
        for name in services.DETAIL_FIELDS
        if name not in ("therapist_id", *_DATE_COLUMNS, *_CHOICE_MESSAGES)
    }
    for name in _DATE_COLUMNS:
        text = cells.get(name, "")
        value = None
        if text:
            try:
                value = _parse_date(text)
            except ValueError:
                errors[name] = _("Enter a real date as YYYY-MM-DD, for example 1990-05-31.")
        if name == "consent_recorded_on":
            row.consent_recorded_on = value
        else:
            details[name] = value
    for name, (enum_cls, message) in _CHOICE_MESSAGES.items():
        text = cells.get(name, "")
        details[name] = None
        if text:
            try:
                details[name] = _parse_choice(enum_cls, text)
            except ValueError:
                errors[name] = str(message)
    email = cells.get("therapist_email", "").lower()
    details["therapist_id"] = None
    if email:
        details["therapist_id"] = staff_by_email.get(email)
        if details["therapist_id"] is None:
            errors["therapist_email"] = _(
                "No therapist or admin of this centre has this email. Leave it blank to assign "
                "a therapist later."
            )
    for kind, name in _CONSENT_COLUMNS.items():
        text = cells.get(name, "").lower()
        if text in _YES:
            row.consents[kind] = True
        elif text in _NO:
            row.consents[kind] = False
        else:
            errors[name] = _("Write yes or no.")

    try:
        services.clean_details(details, centre_id=centre_id, today=today)
    except services.ParticipantError as error:
        for name, message in error.field_errors.items():
            errors.setdefault(_FIELD_TO_COLUMN.get(name, name), message)
    consent_errors = services.enrolment_consent_errors(row.consents, row.consent_recorded_on, today)
    for name, message in consent_errors.items():
        errors.setdefault(name, message)
    row.details = details
    return errors


def _person_key(details: dict[str, Any]) -> tuple[str, str, date] | None:
    given, family, born = (
        details.get("given_name"),
        details.get("family_name"),
        details.get("date_of_birth"),
    )
    if not (given and family and isinstance(born, date)):
        return None
    return (" ".join(given.split()).casefold(), " ".join(family.split()).casefold(), born)


def check(data: bytes, *, centre_id: int, today: date) -> list[Row]:
    """Every row read and checked; ImportRejected with every problem found, by line and column."""
    header, rows = read_rows(decode(data))
    letters = {name: column_letter(index) for index, name in enumerate(header)}
    staff_by_email = {
        email.lower(): user_id
        for user_id, email in db.session.execute(
            sa.select(User.id, User.email).where(
                User.centre_id == centre_id, User.role.in_(STAFF_ROLES), User.active.is_(True)
            )
        ).all()
    }
    existing: dict[tuple[str, str, date], int] = {}
    for participant_id, given, family, born in db.session.execute(
        sa.select(
            Participant.id,
            Participant.given_name,
            Participant.family_name,
            Participant.date_of_birth,
        ).where(Participant.centre_id == centre_id, Participant.erased_at.is_(None))
    ).all():
        key = _person_key({"given_name": given, "family_name": family, "date_of_birth": born})
        if key is not None:
            existing.setdefault(key, participant_id)

    errors: list[RowError] = []
    more = 0
    first_line: dict[tuple[str, str, date], int] = {}

    def add(error: RowError) -> None:
        nonlocal more
        if len(errors) < MAX_ERRORS:
            errors.append(error)
        else:
            more += 1

    for row in rows:
        problems = _check_row(row, centre_id=centre_id, today=today, staff_by_email=staff_by_email)
        for name in COLUMN_NAMES:  # in the header's documented order
            if name in problems:
                add(RowError(row.line, name, problems[name], letters.get(name)))
        key = _person_key(row.details)
        if key is None:
            continue
        if key in first_line:
            add(
                RowError(
                    row.line,
                    None,
                    _(
                        "The same person (name and date of birth) as line %(line)s.",
                        line=first_line[key],
                    ),
                )
            )
        else:
            first_line[key] = row.line
        if key in existing:
            add(
                RowError(
                    row.line,
                    None,
                    _(
                        "Already enrolled: participant number %(id)s has the same name "
                        "and date of birth.",
                        id=existing[key],
                    ),
                )
            )
    if errors:
        raise ImportRejected(errors, rows_checked=len(rows), more_errors=more)
    return rows


# --- importing ----------------------------------------------------------------------------------


def import_participants(
    data: bytes,
    *,
    filename: str,
    centre_id: int,
    actor: User,
    today: date,
    now: datetime | None = None,
) -> list[Participant]:
    """Enrol everyone in the file, or raise ImportRejected and add nothing.

    Flushes, never commits: on ImportRejected the caller rolls back (nothing was written before
    the check finished in any case).
    """
    now = now or utcnow()
    rows = check(data, centre_id=centre_id, today=today)
    first_stage_id = stages.source().first_stage_id(centre_id)
    enrolled: list[Participant] = []
    for row in rows:
        try:
            participant = services.enrol(
                centre_id=centre_id,
                actor=actor,
                details=row.details,
                consents=row.consents,
                consent_recorded_on=row.consent_recorded_on,
                today=today,
                now=now,
                first_stage_id=first_stage_id,
            )
        except services.ParticipantError as error:  # pragma: no cover - check() said it was fine
            raise ImportRejected([RowError(row.line, None, str(error))]) from error
        enrolled.append(participant)
    audit.record(
        actor,
        centre_id,
        "participant.import",
        "centre",
        centre_id,
        audit.created(
            {
                "file": filename[:200],
                "rows": len(enrolled),
                "participant_ids": [participant.id for participant in enrolled],
            }
        ),
        at=now,
    )
    return enrolled

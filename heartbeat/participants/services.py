"""Enrolling and changing participants: plain functions that flush, never commit.

Every function takes the acting user explicitly and writes the audit trail for what it changed.
Bad input raises ``ParticipantError`` (with per-field messages where a field is to blame); a form
built from an older version of the record raises ``core.edits.StaleEdit`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import STAFF_ROLES, User
from heartbeat.core.edits import InputError, check_version
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import stages
from heartbeat.participants.models import (
    ClassificationStatus,
    Consent,
    ConsentKind,
    EquipmentFitting,
    Gloves,
    ImpairmentCategory,
    Note,
    Participant,
    ParticipantStatus,
    RacingClass,
    StatusChange,
)
from heartbeat.participants.rules import normalise_sci_level

EARLIEST_BIRTH = date(1900, 1, 1)

# The fields of the enrolment/edit form, in the order people read them.
DETAIL_FIELDS: dict[str, str] = {
    "given_name": "Given name",
    "family_name": "Family name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "email": "Email",
    "phone": "Phone",
    "emergency_name": "Emergency contact name",
    "emergency_phone": "Emergency contact phone",
    "impairment": "Impairment category",
    "condition": "Impairment or condition",
    "sci_level": "Spinal-cord injury level",
    "racing_class": "Racing class",
    "classification_status": "Classification status",
    "classification_review_on": "Classification review date",
    "enrolled_on": "Enrolment date",
    "therapist_id": "Therapist",
    "goal": "Goal",
    "goal_milestone": "Target milestone",
    "goal_target_on": "Target date",
}
_TEXT_LIMITS = {
    "given_name": 80,
    "family_name": 80,
    "preferred_name": 80,
    "email": 254,
    "phone": 40,
    "emergency_name": 120,
    "emergency_phone": 40,
    "condition": 4000,
    "goal": 4000,
    "goal_milestone": 200,
}

# Which status may follow which. Withdrawn and graduated people can come back (re-enrolment).
TRANSITIONS: dict[ParticipantStatus, frozenset[ParticipantStatus]] = {
    ParticipantStatus.ACTIVE: frozenset(
        {ParticipantStatus.PAUSED, ParticipantStatus.GRADUATED, ParticipantStatus.WITHDRAWN}
    ),
    ParticipantStatus.PAUSED: frozenset(
        {ParticipantStatus.ACTIVE, ParticipantStatus.GRADUATED, ParticipantStatus.WITHDRAWN}
    ),
    ParticipantStatus.GRADUATED: frozenset({ParticipantStatus.ACTIVE}),
    ParticipantStatus.WITHDRAWN: frozenset({ParticipantStatus.ACTIVE}),
}


class ParticipantError(InputError):
    """Input that cannot be saved; ``field_errors`` names the fields to blame."""


# --- cleaning input -----------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _enum_value(enum_cls, value: Any, message: str, name: str, errors: dict) -> Any:
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        errors[name] = message
        return None


def clean_details(values: Mapping[str, Any], *, centre_id: int, today: date) -> dict[str, Any]:
    """The form's values checked and normalised, or ParticipantError naming each bad field."""
    errors: dict[str, str] = {}
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise ParticipantError(f"Unknown fields: {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    for name, limit in _TEXT_LIMITS.items():
        clean[name] = _text(values.get(name))
        if clean[name] is not None and len(clean[name]) > limit:
            errors[name] = f"Use at most {limit} characters."
    for name in ("given_name", "family_name"):
        if clean[name] is None:
            errors[name] = f"Enter the {DETAIL_FIELDS[name].lower()}."
    if clean["email"] and "@" not in clean["email"]:
        errors["email"] = "Enter an email address like name@example.com."

    for name in ("date_of_birth", "enrolled_on", "classification_review_on", "goal_target_on"):
        value = values.get(name)
        if value is not None and not isinstance(value, date):
            errors[name] = "Enter a real date."
            value = None
        clean[name] = value
    dob = clean["date_of_birth"]
    if dob is None:
        errors.setdefault("date_of_birth", "Enter the date of birth.")
    elif dob > today:
        errors["date_of_birth"] = "The date of birth must be in the past."
    elif dob < EARLIEST_BIRTH:
        errors["date_of_birth"] = "Check the year of birth."
    if clean["enrolled_on"] is None:
        errors.setdefault("enrolled_on", "Enter the enrolment date.")
    elif dob is not None and clean["enrolled_on"] < dob:
        errors["enrolled_on"] = "The enrolment date cannot be before the date of birth."

    clean["impairment"] = _enum_value(
        ImpairmentCategory,
        values.get("impairment"),
        "Choose an impairment category from the list.",
        "impairment",
        errors,
    )
    clean["racing_class"] = _enum_value(
        RacingClass,
        values.get("racing_class"),
        "Choose a racing class from the list, or \u201cNot yet classified\u201d.",
        "racing_class",
        errors,
    )
    clean["classification_status"] = _enum_value(
        ClassificationStatus,
        values.get("classification_status"),
        "Choose a classification status: N, R or C.",
        "classification_status",
        errors,
    )
    if (
        clean["classification_status"] == ClassificationStatus.REVIEW
        and clean["classification_review_on"] is None
    ):
        errors["classification_review_on"] = "Enter the date of the classification review."

    try:
        clean["sci_level"] = normalise_sci_level(values.get("sci_level"))
    except ValueError as error:
        errors["sci_level"] = str(error)
        clean["sci_level"] = None
    if clean["impairment"] == ImpairmentCategory.SCI:
        if clean["sci_level"] is None and "sci_level" not in errors:
            errors["sci_level"] = "Enter the level of the spinal-cord injury, such as T4."
    elif clean["impairment"] is not None:
        clean["sci_level"] = None  # only meaningful for a spinal-cord injury

    clean["therapist_id"] = values.get("therapist_id") or None
    if clean["therapist_id"] is not None and not _is_centre_staff(clean["therapist_id"], centre_id):
        errors["therapist_id"] = "Choose a therapist of this centre."

    if errors:
        raise ParticipantError("Some details need attention.", errors)
    return clean


def _is_centre_staff(user_id: Any, centre_id: int) -> bool:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return False
    stmt = sa.select(User.id).where(
        User.id == user_id, User.centre_id == centre_id, User.role.in_(STAFF_ROLES)
    )
    return db.session.scalar(stmt.execution_options(all_centres=True)) is not None


def snapshot(participant: Participant) -> dict[str, Any]:
    return {name: getattr(participant, name) for name in DETAIL_FIELDS}


def _not_in_future(value: date | None, today: date, name: str, what: str) -> None:
    if value is None:
        raise ParticipantError(f"Enter the {what}.", {name: f"Enter the {what}."})
    if value > today:
        raise ParticipantError(
            f"The {what} cannot be in the future.", {name: f"The {what} cannot be in the future."}
        )


# --- enrolment and edits ------------------------------------------------------------------------


def enrolment_consent_errors(
    consents: Mapping[ConsentKind, bool], recorded_on: date | None, today: date
) -> dict[str, str]:
    """What stops an enrolment on consent grounds (the form and the CSV import share it)."""
    errors: dict[str, str] = {}
    if not consents.get(ConsentKind.DATA_PROCESSING):
        errors["consent_data_processing"] = (
            "Record consent to data processing: we cannot enrol anyone without it."
        )
    if recorded_on is None or recorded_on > today:
        errors["consent_recorded_on"] = "Enter the date consent was given (not in the future)."
    return errors


def enrol(
    *,
    centre_id: int,
    actor: User,
    details: Mapping[str, Any],
    consents: Mapping[ConsentKind, bool],
    consent_recorded_on: date | None,
    today: date,
    now: datetime | None = None,
    first_stage_id: int | None | Literal["ask"] = "ask",
) -> Participant:
    """A new, active participant with their consents; refused without data-processing consent.

    They start on the lowest active stage of the centre's ladder (``first_stage_id``, when the
    caller knows it already, as an import does).
    """
    now = now or utcnow()
    errors: dict[str, str] = {}
    try:
        clean = clean_details(details, centre_id=centre_id, today=today)
    except ParticipantError as error:
        errors.update(error.field_errors)
        clean = {}
    errors.update(enrolment_consent_errors(consents, consent_recorded_on, today))
    if errors:
        raise ParticipantError("The participant was not enrolled.", errors)

    participant = Participant(
        centre_id=centre_id,
        status=ParticipantStatus.ACTIVE,
        current_stage_id=stages.source().first_stage_id(centre_id)
        if first_stage_id == "ask"
        else first_stage_id,
        **clean,
    )
    db.session.add(participant)
    db.session.flush()
    audit.record(
        actor,
        centre_id,
        "participant.create",
        "participant",
        participant.id,
        audit.created({**clean, "status": participant.status}),
        at=now,
    )
    db.session.add(
        StatusChange(
            centre_id=centre_id,
            participant_id=participant.id,
            from_status=None,
            to_status=ParticipantStatus.ACTIVE,
            changed_on=participant.enrolled_on,
            reason="Enrolled",
            changed_by_id=actor.id,
            created_at=now,
        )
    )
    for kind in ConsentKind:
        consent = Consent(
            centre_id=centre_id,
            participant_id=participant.id,
            kind=kind,
            given=bool(consents.get(kind)),
            recorded_on=consent_recorded_on,
            recorded_by_id=actor.id,
            recorded_at=now,
        )
        db.session.add(consent)
        db.session.flush()
        audit.record(
            actor,
            centre_id,
            "consent.change",
            "consent",
            consent.id,
            audit.created(
                {
                    "participant_id": participant.id,
                    "kind": kind,
                    "given": consent.given,
                    "recorded_on": consent_recorded_on,
                }
            ),
            at=now,
        )
    db.session.flush()
    return participant


def update_details(
    participant: Participant,
    *,
    actor: User,
    details: Mapping[str, Any],
    expected_version: int | None,
    today: date,
    now: datetime | None = None,
) -> audit.Changes:
    """Apply the edit form; StaleEdit when it was built from an older version."""
    clean = clean_details(details, centre_id=participant.centre_id, today=today)
    check_version(expected_version, participant.version, "these details")
    before = snapshot(participant)
    for name, value in clean.items():
        setattr(participant, name, value)
    changes = audit.diff(before, snapshot(participant))
    if changes:
        participant.updated_at = now or utcnow()
        db.session.flush()
        audit.record(
            actor,
            participant.centre_id,
            "participant.update",
            "participant",
            participant.id,
            changes,
            at=now,
        )
    return changes


def change_status(
    participant: Participant,
    *,
    actor: User,
    to_status: ParticipantStatus | str,
    on: date | None,
    reason: str | None,
    expected_version: int | None,
    today: date,
    now: datetime | None = None,
) -> StatusChange:
    errors: dict[str, str] = {}
    target = _enum_value(
        ParticipantStatus, to_status, "Choose the new status.", "to_status", errors
    )
    if errors:
        raise ParticipantError("Choose the new status.", errors)
    check_version(expected_version, participant.version, "this record")
    current = participant.status
    if target not in TRANSITIONS[current]:
        raise ParticipantError(
            f"A participant who is {current.label.lower()} cannot become {target.label.lower()}.",
            {"to_status": f"{current.label} cannot change to {target.label.lower()}."},
        )
    reason = _text(reason)
    if reason is None:
        raise ParticipantError("Give a reason for the change.", {"reason": "Give a reason."})
    _not_in_future(on, today, "changed_on", "date of the change")
    if on < participant.enrolled_on:
        raise ParticipantError(
            "The change cannot be dated before enrolment.",
            {"changed_on": "The date cannot be before the enrolment date."},
        )
    now = now or utcnow()
    change = StatusChange(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        from_status=current,
        to_status=target,
        changed_on=on,
        reason=reason,
        changed_by_id=actor.id,
        created_at=now,
    )
    participant.status = target
    participant.updated_at = now
    db.session.add(change)
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "participant.status",
        "participant",
        participant.id,
        {
            **audit.diff({"status": current}, {"status": target}),
            **audit.created({"changed_on": on, "reason": reason}),
        },
        at=now,
    )
    return change


# --- consents -----------------------------------------------------------------------------------


def _consents(participant: Participant) -> dict[ConsentKind, bool]:
    rows = db.session.scalars(
        sa.select(Consent).where(Consent.participant_id == participant.id)
    ).all()
    return {row.kind: row.given for row in rows}


def set_consents(
    participant: Participant,
    *,
    actor: User,
    answers: Mapping[ConsentKind, bool],
    recorded_on: date | None,
    expected_version: int | None,
    today: date,
    now: datetime | None = None,
) -> list[Consent]:
    """Record the answers that changed (who, when); returns the consents that changed."""
    check_version(expected_version, participant.version, "these consents")
    _not_in_future(recorded_on, today, "recorded_on", "date the answer was given")
    now = now or utcnow()
    rows = {
        row.kind: row
        for row in db.session.scalars(
            sa.select(Consent).where(Consent.participant_id == participant.id)
        )
    }
    changed: list[Consent] = []
    for kind in ConsentKind:
        given = bool(answers.get(kind))
        row = rows.get(kind)
        if row is not None and row.given == given:
            continue
        before = {"given": row.given, "recorded_on": row.recorded_on} if row else {}
        if row is None:
            row = Consent(centre_id=participant.centre_id, participant_id=participant.id, kind=kind)
            db.session.add(row)
        row.given = given
        row.recorded_on = recorded_on
        row.recorded_by_id = actor.id
        row.recorded_at = now
        db.session.flush()
        changes = audit.diff(before, {"given": given, "recorded_on": recorded_on})
        changes["kind"] = {"before": kind.value, "after": kind.value}
        audit.record(
            actor, participant.centre_id, "consent.change", "consent", row.id, changes, at=now
        )
        changed.append(row)
    if changed:
        # Consents are part of the participant's record: the next stale form is refused.
        participant.updated_at = now
        db.session.flush()
    return changed


# --- equipment and notes ------------------------------------------------------------------------


def add_fitting(
    participant: Participant,
    *,
    actor: User,
    chair_make: str | None,
    chair_model: str | None,
    fitted_on: date | None,
    wheel_size: str | None,
    push_rim_mm: int | None,
    gloves: Gloves | str | None,
    notes: str | None,
    today: date,
    now: datetime | None = None,
) -> EquipmentFitting:
    """A new fitting; earlier ones stay as the history."""
    errors: dict[str, str] = {}
    if _text(chair_make) is None:
        errors["chair_make"] = "Enter the make of the chair."
    if fitted_on is None:
        errors["fitted_on"] = "Enter the date of the fitting."
    elif fitted_on > today:
        errors["fitted_on"] = "The fitting date cannot be in the future."
    if push_rim_mm is not None and not 150 <= push_rim_mm <= 800:
        errors["push_rim_mm"] = "Enter the push-rim diameter in millimetres (150 to 800)."
    glove_value = None
    if gloves:
        glove_value = _enum_value(Gloves, gloves, "Choose a kind of gloves.", "gloves", errors)
    if errors:
        raise ParticipantError("The fitting was not saved.", errors)
    now = now or utcnow()
    values = {
        "chair_make": _text(chair_make),
        "chair_model": _text(chair_model),
        "fitted_on": fitted_on,
        "wheel_size": _text(wheel_size),
        "push_rim_mm": push_rim_mm,
        "gloves": glove_value,
        "notes": _text(notes),
    }
    fitting = EquipmentFitting(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        recorded_by_id=actor.id,
        created_at=now,
        **values,
    )
    db.session.add(fitting)
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "equipment.create",
        "equipment_fitting",
        fitting.id,
        audit.created({"participant_id": participant.id, **values}),
        at=now,
    )
    return fitting


def add_note(
    participant: Participant,
    *,
    actor: User,
    body: str | None,
    shared: bool,
    now: datetime | None = None,
) -> Note:
    text = _text(body)
    if text is None:
        raise ParticipantError("Write the note first.", {"body": "Write the note first."})
    if len(text) > 10_000:
        raise ParticipantError("That note is too long.", {"body": "Use at most 10,000 characters."})
    now = now or utcnow()
    note = Note(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        author_id=actor.id,
        body=text,
        shared=bool(shared),
        created_at=now,
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "note.create",
        "note",
        note.id,
        audit.created({"participant_id": participant.id, "shared": note.shared, "body": text}),
        at=now,
    )
    return note


# --- the portal login ---------------------------------------------------------------------------


def find_for_invite(participant_id: int, centre_id: int) -> Participant | None:
    """The participant an invitation names (read outside any signed-in centre on purpose)."""
    stmt = sa.select(Participant).where(
        Participant.id == participant_id, Participant.centre_id == centre_id
    )
    return db.session.scalars(stmt.execution_options(all_centres=True)).one_or_none()


def link_portal_user(participant: Participant, user: User, now: datetime | None = None) -> None:
    """Give the participant's new login access to their record."""
    if participant.user_id is not None:
        raise ParticipantError("This participant already has a login.")
    if user.centre_id != participant.centre_id:
        raise ParticipantError("The login belongs to another centre.")
    participant.user_id = user.id
    participant.updated_at = now or utcnow()
    db.session.flush()
    audit.record(
        user,
        participant.centre_id,
        "participant.link_user",
        "participant",
        participant.id,
        audit.diff({"user_id": None}, {"user_id": user.id}),
        at=now,
    )

"""Enrolling a participant and editing their details (flush, never commit; audited)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import check_version
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import stages
from heartbeat.participants.models import (
    Consent,
    ConsentKind,
    Participant,
    ParticipantStatus,
    StatusChange,
)
from heartbeat.participants.services.cleaning import ParticipantError, clean_details, snapshot


def enrolment_consent_errors(
    consents: Mapping[ConsentKind, bool], recorded_on: date | None, today: date
) -> dict[str, str]:
    """What stops an enrolment on consent grounds (the form and the CSV import share it)."""
    errors: dict[str, str] = {}
    if not consents.get(ConsentKind.DATA_PROCESSING):
        errors["consent_data_processing"] = _(
            "Record consent to data processing: we cannot enrol anyone without it."
        )
    if recorded_on is None or recorded_on > today:
        errors["consent_recorded_on"] = _("Enter the date consent was given (not in the future).")
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
        raise ParticipantError(_("The participant was not enrolled."), errors)

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

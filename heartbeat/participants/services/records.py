"""What staff record about a participant besides details: consents, fittings, notes, and the
Medical Diagnostics Form checklist of their classification."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import check_version
from heartbeat.core.i18n import _, number
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.classification import clean_checklist
from heartbeat.participants.models import (
    Consent,
    ConsentKind,
    EquipmentFitting,
    Gloves,
    Note,
    Participant,
)
from heartbeat.participants.services.cleaning import (
    ParticipantError,
    _enum_value,
    _not_in_future,
    _text,
)


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
    recorded_on = _not_in_future(
        recorded_on,
        today,
        "recorded_on",
        _("Enter the date the answer was given."),
        _("The date the answer was given cannot be in the future."),
    )
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
        errors["chair_make"] = _("Enter the make of the chair.")
    if fitted_on is None:
        errors["fitted_on"] = _("Enter the date of the fitting.")
    elif fitted_on > today:
        errors["fitted_on"] = _("The fitting date cannot be in the future.")
    if push_rim_mm is not None and not 150 <= push_rim_mm <= 800:
        errors["push_rim_mm"] = _("Enter the push-rim diameter in millimetres (150 to 800).")
    glove_value = None
    if gloves:
        glove_value = _enum_value(Gloves, gloves, _("Choose a kind of gloves."), "gloves", errors)
    if errors:
        raise ParticipantError(_("The fitting was not saved."), errors)
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
        raise ParticipantError(_("Write the note first."), {"body": _("Write the note first.")})
    if len(text) > 10_000:
        raise ParticipantError(
            _("That note is too long."),
            {"body": _("Use at most %(limit)s characters.", limit=number(10_000))},
        )
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


def set_classification_checklist(
    participant: Participant,
    *,
    actor: User,
    ticked: Iterable[str],
    expected_version: int | None,
    now: datetime | None = None,
) -> list[str]:
    """Record which items of the Medical Diagnostics Form checklist are done; returns the
    ticked keys in the checklist's order (an unchanged list audits nothing)."""
    check_version(expected_version, participant.version, "this checklist")
    try:
        keys = clean_checklist(ticked)
    except ValueError as error:
        raise ParticipantError(str(error), {"checklist": str(error)}) from None
    before = list(participant.classification_checklist or [])
    if keys == before:
        return keys
    participant.classification_checklist = keys
    participant.updated_at = now or utcnow()
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "participant.classification_checklist",
        "participant",
        participant.id,
        {"classification_checklist": {"before": before, "after": keys}},
        at=participant.updated_at,
    )
    return keys

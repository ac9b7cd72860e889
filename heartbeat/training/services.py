"""Logging, editing, deleting and verifying training sessions: plain functions, flush not commit.

Every change is audited (``session.create``, ``session.update`` with field-level before/after,
``session.delete``, ``session.verify``) and ends with the milestone engine
(through the ``sessions_changed`` event) in the same transaction, so awards always
follow the sessions. Values come in already cleaned by :mod:`heartbeat.training.values`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core.edits import InputError, check_version
from heartbeat.core.events import event
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety import services as safety
from heartbeat.training import storage
from heartbeat.training.dates import Timeline
from heartbeat.training.models import SessionSource, TrainingSession
from heartbeat.training.values import EDITABLE

# Whatever is derived from a person's sessions (their awards, above all) follows in the same
# transaction. Sender: the centre id; participants, actor, now, and optionally ``progress``
# (a callback taking done, total, what) for long runs.
sessions_changed = event("training.sessions-changed", "Sessions were added, edited or removed.")


class SessionError(InputError):
    """A change that cannot be made; ``field_errors`` names the input fields to blame."""


def timeline_of(participant: Participant) -> Timeline:
    """The dates every new or edited session of ``participant`` is held to."""
    centre = db.session.get(Centre, participant.centre_id)
    tz = ZoneInfo(centre.timezone if centre is not None else "UTC")
    return Timeline(participant.date_of_birth, participant.enrolled_on, tz)


def snapshot(session: TrainingSession) -> dict[str, Any]:
    return {name: getattr(session, name) for name in EDITABLE}


def _record_values(session: TrainingSession) -> dict[str, Any]:
    """What the audit trail keeps of a whole session (creation and deletion)."""
    return {
        "participant_id": session.participant_id,
        **snapshot(session),
        "source": session.source,
        "self_reported": session.self_reported,
        "elapsed_time_s": session.elapsed_time_s,
        "elevation_gain_m": session.elevation_gain_m,
    }


def _evaluate(participant: Participant, actor: User | None, now: datetime) -> None:
    sessions_changed.send(participant.centre_id, participants=[participant], actor=actor, now=now)


def log_session(
    participant: Participant,
    *,
    actor: User | None,
    values: Mapping[str, Any],
    source: SessionSource = SessionSource.STAFF,
    now: datetime | None = None,
    audit_action: str = "session.create",
    audit_extra: Mapping[str, Any] | None = None,
    evaluate: bool = True,
    symptoms: Sequence[str] = (),
) -> TrainingSession:
    """A new session for ``participant``; a self-report waits for a therapist to verify it.

    ``evaluate=False`` leaves the awards to the caller, who sends ``sessions_changed`` once for
    many sessions (a bulk import). ``symptoms`` (the autonomic dysreflexia checklist's keys) mark
    the session "symptom reported" and raise a red flag for the team
    (``safety.services.raise_flag``) in the same transaction.
    """
    now = now or utcnow()
    self_reported = source == SessionSource.SELF_REPORT
    if symptoms:
        values = {**values, "symptom_reported": True}
    session = TrainingSession(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        source=source,
        self_reported=self_reported,
        recorded_by_id=actor.id if actor is not None else None,
        created_at=now,
        updated_at=now,
        **values,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        audit_action,
        "training_session",
        session.id,
        audit.created({**_record_values(session), **(audit_extra or {})}),
        at=now,
    )
    if symptoms:
        safety.raise_flag(
            participant,
            symptoms,
            actor=actor,
            session_id=session.id,
            self_reported=self_reported,
            now=now,
        )
    if evaluate:
        _evaluate(participant, actor, now)
    return session


def self_report(
    participant: Participant,
    *,
    actor: User,
    values: Mapping[str, Any],
    now: datetime | None = None,
    symptoms: Sequence[str] = (),
) -> TrainingSession:
    """The participant logs their own session: it counts once a therapist verifies it."""
    if participant.user_id is None or participant.user_id != actor.id:
        raise SessionError(_("Participants log only their own sessions."))
    return log_session(
        participant,
        actor=actor,
        values=values,
        source=SessionSource.SELF_REPORT,
        now=now,
        symptoms=symptoms,
    )


def update_session(
    session: TrainingSession,
    participant: Participant,
    *,
    actor: User,
    values: Mapping[str, Any],
    expected_version: int | None,
    now: datetime | None = None,
    symptoms: Sequence[str] = (),
) -> audit.Changes:
    """Apply the edit form's values; ``StaleEdit`` if it was built from an older version.

    ``symptoms`` ticked on the edit form (the autonomic dysreflexia checklist) mark the session
    "symptom reported" and raise a new red flag with it, as on the new-session forms: symptoms
    remembered later are reported all the same. The flag is raised even when no other field
    changed.
    """
    values = {name: value for name, value in values.items() if name in EDITABLE}
    if symptoms:
        values["symptom_reported"] = True
    check_version(expected_version, session.version, "this session")
    now = now or utcnow()
    before = snapshot(session)
    for name, value in values.items():
        setattr(session, name, value)
    changes = audit.diff(before, snapshot(session))
    if symptoms:
        safety.raise_flag(
            participant,
            symptoms,
            actor=actor,
            session_id=session.id,
            self_reported=actor.id == participant.user_id,
            now=now,
        )
    if not changes:
        return changes
    session.updated_at = now
    db.session.flush()
    audit.record(
        actor, session.centre_id, "session.update", "training_session", session.id, changes, at=now
    )
    _evaluate(participant, actor, now)
    return changes


def delete_session(
    session: TrainingSession,
    participant: Participant,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> None:
    """Delete a session (and the device file it came from); awards it was evidence for follow."""
    now = now or utcnow()
    gone = audit.diff(_record_values(session), {})
    session_id, centre_id = session.id, session.centre_id
    storage.forget_session_file(session_id)
    db.session.delete(session)
    db.session.flush()
    audit.record(actor, centre_id, "session.delete", "training_session", session_id, gone, at=now)
    _evaluate(participant, actor, now)


def verify_sessions(
    sessions: Iterable[TrainingSession],
    participants: Mapping[int, Participant],
    *,
    actor: User,
    now: datetime | None = None,
) -> list[TrainingSession]:
    """A therapist confirms self-reported sessions; returns those that were waiting.

    ``participants`` maps each session's participant id to its loaded participant: the milestone
    engine runs once per participant, after all of their sessions are verified.
    """
    now = now or utcnow()
    verified: list[TrainingSession] = []
    for session in sessions:
        if not session.self_reported or session.verified_at is not None:
            continue
        session.verified_at = now
        session.verified_by_id = actor.id
        session.updated_at = now
        verified.append(session)
    if not verified:
        return verified
    db.session.flush()
    for session in verified:
        audit.record(
            actor,
            session.centre_id,
            "session.verify",
            "training_session",
            session.id,
            {
                "verified_at": {"before": None, "after": audit.json_value(now)},
                "verified_by_id": {"before": None, "after": actor.id},
            },
            at=now,
        )
    for participant_id in sorted({session.participant_id for session in verified}):
        _evaluate(participants[participant_id], actor, now)
    return verified

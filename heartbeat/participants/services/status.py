"""A participant's status over time: which changes are allowed, and recording one."""

from __future__ import annotations

from datetime import date, datetime

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import check_version
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import (
    Participant,
    ParticipantStatus,
    StatusChange,
)
from heartbeat.participants.services.cleaning import (
    ParticipantError,
    _enum_value,
    _not_in_future,
    _text,
)

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
        ParticipantStatus, to_status, _("Choose the new status."), "to_status", errors
    )
    if errors:
        raise ParticipantError(_("Choose the new status."), errors)
    check_version(expected_version, participant.version, "this record")
    current = participant.status
    if target not in TRANSITIONS[current]:
        raise ParticipantError(
            _(
                "A participant who is %(current)s cannot become %(target)s.",
                current=current.label.lower(),
                target=target.label.lower(),
            ),
            {
                "to_status": _(
                    "%(current)s cannot change to %(target)s.",
                    current=current.label,
                    target=target.label.lower(),
                )
            },
        )
    reason = _text(reason)
    if reason is None:
        raise ParticipantError(_("Give a reason for the change."), {"reason": _("Give a reason.")})
    on = _not_in_future(
        on,
        today,
        "changed_on",
        _("Enter the date of the change."),
        _("The date of the change cannot be in the future."),
    )
    if on < participant.enrolled_on:
        raise ParticipantError(
            _("The change cannot be dated before enrolment."),
            {"changed_on": _("The date cannot be before the enrolment date.")},
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

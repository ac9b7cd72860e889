"""Saved squads, and squad sessions: one form, each attendee's part a training session of
their own (through training's services, so it is audited, counts for milestones and shows in
compliance), absences recorded too. All or nothing: one bad row and nothing is saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import check_version
from heartbeat.core.i18n import _, ngettext
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import PlannedSquadSession, Squad, SquadAttendance, SquadSession
from heartbeat.plans.values import PlanInputError
from heartbeat.training import services as training
from heartbeat.training.models import SessionKind

SQUAD_FIELDS = ("name", "place", "kind", "meets_weekday", "meets_at")
MAX_SQUAD = 40


def _snapshot(squad: Squad) -> dict[str, Any]:
    values = {name: getattr(squad, name) for name in SQUAD_FIELDS}
    values["members"] = len(squad.members)
    return values


def save_squad(
    centre_id: int,
    *,
    actor: User,
    values: Mapping[str, Any],
    members: Sequence[Participant],
    squad: Squad | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Squad:
    """A new squad, or ``squad`` changed (``StaleEdit`` if the form is out of date)."""
    if squad is not None:
        check_version(expected_version, squad.version, _("this squad"))
    name = (values.get("name") or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the squad a name.")
    elif db.session.scalar(
        sa.select(Squad.id).where(
            Squad.centre_id == centre_id, Squad.name == name, Squad.id != (squad.id if squad else 0)
        )
    ):
        errors["name"] = _("Another squad has this name.")
    if not members:
        errors["members"] = _("Choose at least one participant.")
    elif len(members) > MAX_SQUAD:
        errors["members"] = _("A squad has at most %(num)s people.", num=MAX_SQUAD)
    if errors:
        raise PlanInputError(_("Check the squad."), errors)
    now = now or utcnow()
    before = _snapshot(squad) if squad is not None else {}
    if squad is None:
        squad = Squad(centre_id=centre_id, therapist_id=actor.id, created_at=now, name=name)
        squad.members = []
        db.session.add(squad)
    squad.name = name
    squad.place = values.get("place") or None
    squad.kind = values["kind"]
    squad.meets_weekday = values.get("meets_weekday")
    squad.meets_at = values.get("meets_at") or None
    squad.members = list(members)
    db.session.flush()
    changes = audit.diff(before, _snapshot(squad))
    if changes:
        audit.record(actor, centre_id, "squad.save", "squad", squad.id, changes, at=now)
    return squad


def delete_squad(squad: Squad, *, actor: User, now: datetime | None = None) -> None:
    """Delete a saved squad (its members loaded). Its past squad sessions stay, each person's
    session and attendance with them; they no longer name the squad. Sessions planned for it
    and not recorded go."""
    now = now or utcnow()
    gone = audit.diff(_snapshot(squad), {})
    centre_id, squad_id = squad.centre_id, squad.id
    db.session.execute(
        sa.delete(PlannedSquadSession)
        .where(PlannedSquadSession.squad_id == squad_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(SquadSession)
        .where(SquadSession.squad_id == squad_id)
        .values(squad_id=None)
        .execution_options(synchronize_session=False)
    )
    squad.members = []
    db.session.flush()
    db.session.delete(squad)
    db.session.flush()
    audit.record(actor, centre_id, "squad.delete", "squad", squad_id, gone, at=now)


def plan_squad_session(
    squad: Squad,
    *,
    actor: User,
    starts_at: datetime,
    kind: SessionKind,
    place: str | None,
    now: datetime | None = None,
) -> PlannedSquadSession:
    """A one-off session of ``squad`` planned ahead (for the calendar feeds)."""
    now = now or utcnow()
    if starts_at < now - timedelta(hours=1):
        raise PlanInputError(
            _("A planned session is in the future."),
            {"date": _("Choose a day from today on: record a past session instead.")},
        )
    row = PlannedSquadSession(
        centre_id=squad.centre_id,
        squad_id=squad.id,
        starts_at=starts_at,
        kind=kind,
        place=place,
        planned_by_id=actor.id,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        squad.centre_id,
        "squad.plan_session",
        "squad",
        squad.id,
        audit.created({"planned_squad_session_id": row.id, **_planned_snapshot(row)}),
        at=now,
    )
    return row


def _planned_snapshot(row: PlannedSquadSession) -> dict[str, Any]:
    return {"starts_at": row.starts_at, "kind": row.kind, "place": row.place}


def cancel_planned(row: PlannedSquadSession, *, actor: User, now: datetime | None = None) -> None:
    """Call off a planned squad session (it leaves the calendar feeds)."""
    now = now or utcnow()
    gone = audit.diff({"planned_squad_session_id": row.id, **_planned_snapshot(row)}, {})
    centre_id, squad_id = row.centre_id, row.squad_id
    db.session.delete(row)
    db.session.flush()
    audit.record(actor, centre_id, "squad.cancel_session", "squad", squad_id, gone, at=now)


@dataclass
class Row:
    """One person's line of a squad session form, as read from it."""

    participant: Participant
    attended: bool
    values: dict[str, Any] | None = None  # the session's values (attended rows)
    errors: dict[str, str] = field(default_factory=dict)


class SquadRowsError(PlanInputError):
    """Some rows cannot be saved: nothing was."""

    def __init__(self, rows: Sequence[Row]):
        bad = [row for row in rows if row.errors]
        super().__init__(
            ngettext(
                "%(num)s row cannot be saved: nothing was saved.",
                "%(num)s rows cannot be saved: nothing was saved.",
                len(bad),
            )
        )
        self.rows = list(rows)


def record_squad_session(
    centre_id: int,
    *,
    actor: User,
    started_at: datetime,
    kind: SessionKind,
    place: str | None,
    squad: Squad | None,
    rows: Sequence[Row],
    planned: PlannedSquadSession | None = None,
    now: datetime | None = None,
) -> SquadSession:
    """Save the group session and every attendee's own session, or nothing (any row with
    errors raises :class:`SquadRowsError`). Recording a ``planned`` one marks it done."""
    if not rows:
        raise PlanInputError(_("Choose who was there."), {"participants": _("Choose the squad.")})
    if any(row.errors for row in rows):
        raise SquadRowsError(rows)
    now = now or utcnow()
    group = SquadSession(
        centre_id=centre_id,
        squad_id=squad.id if squad is not None else None,
        started_at=started_at,
        kind=kind,
        place=place,
        recorded_by_id=actor.id,
        created_at=now,
    )
    db.session.add(group)
    db.session.flush()
    attended = 0
    for row in rows:
        session_id = None
        if row.attended and row.values is not None:
            session = training.log_session(
                row.participant,
                actor=actor,
                values=row.values,
                now=now,
                audit_extra={"squad_session_id": group.id},
            )
            session_id = session.id
            attended += 1
        db.session.add(
            SquadAttendance(
                centre_id=centre_id,
                squad_session_id=group.id,
                participant_id=row.participant.id,
                attended=row.attended,
                session_id=session_id,
            )
        )
    if planned is not None:
        planned.squad_session_id = group.id
    db.session.flush()
    audit.record(
        actor,
        centre_id,
        "squad_session.record",
        "squad_session",
        group.id,
        audit.created(
            {
                "kind": kind,
                "place": place,
                "attended": attended,
                "absent": len(rows) - attended,
            }
        ),
        at=now,
    )
    return group

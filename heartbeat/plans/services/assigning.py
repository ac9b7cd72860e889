"""One person's plan: assigned from a template, adjusted session by session, paused, resumed or
ended; and the days they could not train. Every change is audited on the plan."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import check_version
from heartbeat.core.i18n import _
from heartbeat.core.units import day_text
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import (
    Plan,
    PlannedSession,
    PlanStatus,
    PlanTemplate,
    TemplateSession,
    Unavailability,
    UnavailableDay,
)
from heartbeat.plans.services.templates import empty_weeks
from heartbeat.plans.values import PlanInputError

PLANNED_FIELDS = (
    "on",
    "kind",
    "target_distance_m",
    "target_duration_s",
    "target_rpe",
    "hr_zone",
    "notes",
)
PLAN_FIELDS = ("status", "paused_on", "ended_on")


def overlapping(
    participant_id: int, first: date, last: date, *, but: int | None = None
) -> Plan | None:
    """A plan of the person's (not ended before ``first``) that covers any day of first..last."""
    plans = db.session.scalars(
        sa.select(Plan).where(Plan.participant_id == participant_id, Plan.id != (but or 0))
    ).all()
    for plan in plans:
        if plan.starts_on <= last and plan.runs_until >= first:
            return plan
    return None


def assign_plan(
    participant: Participant,
    template: PlanTemplate,
    sessions: list[TemplateSession],
    *,
    starts_on: date,
    actor: User,
    now: datetime | None = None,
) -> Plan:
    """Copy ``template`` (its ``sessions``) into a plan for ``participant`` from ``starts_on``.

    Refused: a start before enrolment, a template with a week without sessions, a plan that
    would overlap another of theirs. Heart-rate zones are left out for someone whose heart rate
    is blunted (injury at or above T6): their plan is by RPE only.
    """
    now = now or utcnow()
    if starts_on < participant.enrolled_on:
        raise PlanInputError(
            _("The plan would start before enrolment."),
            {
                "starts_on": _(
                    "%(name)s was enrolled on %(day)s: start the plan on that day or later.",
                    name=participant.display_name,
                    day=day_text(participant.enrolled_on),
                )
            },
        )
    if template.retired:
        raise PlanInputError(
            _("That template is retired."), {"template": _("Choose another template.")}
        )
    empty = empty_weeks(template, sessions)
    if empty:
        weeks = ", ".join(str(week) for week in empty)
        raise PlanInputError(
            _("The template has weeks without sessions."),
            {
                "template": _(
                    "Week %(weeks)s of “%(name)s” has no sessions: an admin adds them in the"
                    " template library first.",
                    weeks=weeks,
                    name=template.name,
                )
            },
        )
    last = starts_on + timedelta(days=7 * template.weeks - 1)
    clash = overlapping(participant.id, starts_on, last)
    if clash is not None:
        raise PlanInputError(
            _("Plans cannot overlap."),
            {
                "starts_on": _(
                    "“%(name)s” runs from %(first)s to %(last)s: end it first, or start after"
                    " %(last)s.",
                    name=clash.name,
                    first=day_text(clash.starts_on),
                    last=day_text(clash.runs_until),
                )
            },
        )
    plan = Plan(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        template_id=template.id,
        name=template.name,
        starts_on=starts_on,
        weeks=template.weeks,
        status=PlanStatus.ACTIVE,
        assigned_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(plan)
    db.session.flush()
    hr = not participant.hr_unreliable
    db.session.add_all(
        PlannedSession(
            centre_id=participant.centre_id,
            plan_id=plan.id,
            participant_id=participant.id,
            on=starts_on + timedelta(days=7 * (row.week - 1) + row.day),
            kind=row.kind,
            target_distance_m=row.target_distance_m,
            target_duration_s=row.target_duration_s,
            target_rpe=row.target_rpe,
            hr_zone=row.hr_zone if hr else None,
            notes=row.notes,
        )
        for row in sessions
    )
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "plan.assign",
        "training_plan",
        plan.id,
        audit.created(
            {
                "participant_id": participant.id,
                "name": plan.name,
                "template_id": template.id,
                "starts_on": starts_on,
                "weeks": plan.weeks,
                "planned_sessions": len(sessions),
            }
        ),
        at=now,
    )
    return plan


def _within(plan: Plan, day: date) -> None:
    if not plan.starts_on <= day <= plan.last_day:
        raise PlanInputError(
            _("That day is outside the plan."),
            {
                "on": _(
                    "The plan runs from %(first)s to %(last)s.",
                    first=day_text(plan.starts_on),
                    last=day_text(plan.last_day),
                )
            },
        )


def _editable(plan: Plan) -> None:
    if plan.status == PlanStatus.ENDED:
        raise PlanInputError(_("This plan has ended: it can no longer be changed."))


def add_planned_session(
    plan: Plan, *, actor: User, values: Mapping[str, Any], now: datetime | None = None
) -> PlannedSession:
    _editable(plan)
    _within(plan, values["on"])
    now = now or utcnow()
    row = PlannedSession(
        centre_id=plan.centre_id,
        plan_id=plan.id,
        participant_id=plan.participant_id,
        **{name: values[name] for name in PLANNED_FIELDS},
    )
    db.session.add(row)
    plan.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        plan.centre_id,
        "plan.add_session",
        "training_plan",
        plan.id,
        audit.created({"planned_session_id": row.id, **audit.snapshot(row, PLANNED_FIELDS)}),
        at=now,
    )
    return row


def update_planned_session(
    row: PlannedSession,
    plan: Plan,
    *,
    actor: User,
    values: Mapping[str, Any],
    expected_version: int | None,
    now: datetime | None = None,
) -> audit.Changes:
    """Adjust one planned session for this person; ``StaleEdit`` if the form is out of date."""
    check_version(expected_version, row.version, _("this planned session"))
    _editable(plan)
    _within(plan, values["on"])
    changes = audit.assign(row, PLANNED_FIELDS, values)
    if changes:
        now = now or utcnow()
        db.session.flush()
        audit.record(
            actor,
            plan.centre_id,
            "plan.change_session",
            "training_plan",
            plan.id,
            {"planned_session_id": {"before": row.id, "after": row.id}, **changes},
            at=now,
        )
    return changes


def remove_planned_session(
    row: PlannedSession, plan: Plan, *, actor: User, now: datetime | None = None
) -> None:
    _editable(plan)
    now = now or utcnow()
    gone = audit.diff({"planned_session_id": row.id, **audit.snapshot(row, PLANNED_FIELDS)}, {})
    db.session.delete(row)
    db.session.flush()
    audit.record(
        actor, plan.centre_id, "plan.remove_session", "training_plan", plan.id, gone, at=now
    )


def set_status(
    plan: Plan,
    status: PlanStatus,
    *,
    actor: User,
    today: date,
    expected_version: int | None,
    now: datetime | None = None,
) -> audit.Changes:
    """Pause (compliance stops counting from today), resume, or end (from today) the plan."""
    check_version(expected_version, plan.version, _("this plan"))
    if plan.status == PlanStatus.ENDED:
        raise PlanInputError(_("This plan has ended already."))
    if status == plan.status:
        return {}
    before = audit.snapshot(plan, PLAN_FIELDS)
    if status == PlanStatus.PAUSED:
        plan.paused_on = today
    elif status == PlanStatus.ACTIVE:
        plan.paused_on = None
    elif status == PlanStatus.ENDED:
        plan.ended_on = max(plan.starts_on, today)
    plan.status = status
    changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
    now = now or utcnow()
    plan.updated_at = now
    db.session.flush()
    if status == PlanStatus.PAUSED:
        audit.record(actor, plan.centre_id, "plan.pause", "training_plan", plan.id, changes, at=now)
    elif status == PlanStatus.ACTIVE:
        audit.record(
            actor, plan.centre_id, "plan.resume", "training_plan", plan.id, changes, at=now
        )
    else:
        audit.record(actor, plan.centre_id, "plan.end", "training_plan", plan.id, changes, at=now)
    return changes


def mark_unavailable(
    participant: Participant,
    first: date,
    last: date,
    reason: Unavailability,
    *,
    actor: User,
    now: datetime | None = None,
) -> list[UnavailableDay]:
    """Mark first..last unavailable (at most 60 days); days marked already keep their reason."""
    if last < first:
        raise PlanInputError(
            _("The last day is before the first."), {"last": _("Check the dates.")}
        )
    if (last - first).days >= 60:
        raise PlanInputError(
            _("At most %(num)s days at once.", num=60),
            {"last": _("Mark at most %(num)s days at once.", num=60)},
        )
    now = now or utcnow()
    have = set(
        db.session.scalars(
            sa.select(UnavailableDay.on).where(
                UnavailableDay.participant_id == participant.id,
                UnavailableDay.on.between(first, last),
            )
        )
    )
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    rows = [
        UnavailableDay(
            centre_id=participant.centre_id,
            participant_id=participant.id,
            on=day,
            reason=reason,
            recorded_by_id=actor.id,
            created_at=now,
        )
        for day in days
        if day not in have
    ]
    db.session.add_all(rows)
    db.session.flush()
    if rows:
        audit.record(
            actor,
            participant.centre_id,
            "plan.unavailable",
            "participant",
            participant.id,
            audit.created({"unavailable_from": first, "unavailable_to": last, "reason": reason}),
            at=now,
        )
    return rows


def clear_unavailable(
    participant: Participant, day: date, *, actor: User, now: datetime | None = None
) -> bool:
    row = db.session.scalars(
        sa.select(UnavailableDay).where(
            UnavailableDay.participant_id == participant.id, UnavailableDay.on == day
        )
    ).one_or_none()
    if row is None:
        return False
    now = now or utcnow()
    db.session.delete(row)
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "plan.available",
        "participant",
        participant.id,
        audit.diff({"unavailable_from": day, "reason": row.reason}, {}),
        at=now,
    )
    return True

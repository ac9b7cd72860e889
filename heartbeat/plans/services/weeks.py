"""The week view's figures: one plan's weeks, their sessions matched, their compliance.

Three queries whatever the plan's length (planned sessions, done sessions, unavailable days),
plus one to find the plan; the rules themselves are pure (:mod:`heartbeat.plans.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.plans import queries, rules
from heartbeat.plans.models import Plan, PlannedSession, PlanStatus
from heartbeat.training.models import SessionKind, TrainingSession


@dataclass(frozen=True)
class Done:
    """What the week view needs of a done session (read as plain columns, not whole rows)."""

    id: int
    started_at: datetime
    kind: SessionKind
    distance_m: float
    moving_time_s: int | None
    elapsed_time_s: int | None
    self_reported: bool
    verified_at: datetime | None

    @property
    def duration_s(self) -> int | None:
        return self.moving_time_s if self.moving_time_s is not None else self.elapsed_time_s


DONE_COLUMNS = (
    TrainingSession.id,
    TrainingSession.started_at,
    TrainingSession.kind,
    TrainingSession.distance_m,
    TrainingSession.moving_time_s,
    TrainingSession.elapsed_time_s,
    TrainingSession.self_reported,
    TrainingSession.verified_at,
)


def done_between(participant_id: int, start: datetime, end: datetime) -> list[Done]:
    rows = db.session.execute(
        sa.select(*DONE_COLUMNS)
        .where(
            TrainingSession.participant_id == participant_id,
            TrainingSession.started_at >= start,
            TrainingSession.started_at < end,
        )
        .order_by(TrainingSession.started_at, TrainingSession.id)
    )
    return [Done(*row) for row in rows]


@dataclass
class PlanWeeks:
    plan: Plan
    weeks: list[rules.Week]
    today: date

    @property
    def current(self) -> rules.Week | None:
        for week in self.weeks:
            if week.first <= self.today <= week.last:
                return week
        return None

    @property
    def finished(self) -> list[rules.Week]:
        return [week for week in self.weeks if week.last < self.today]


def midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def counted_until(plan: Plan) -> date | None:
    """The last day compliance counts: the day before a pause, the day the plan ended."""
    if plan.status == PlanStatus.PAUSED and plan.paused_on is not None:
        return plan.paused_on - timedelta(days=1)
    if plan.ended_on is not None:
        return plan.ended_on
    return None


def shown_plan(participant_id: int, today: date, plans: list[Plan] | None = None) -> Plan | None:
    """The plan a person's pages lead with: the one running today, else the next to start,
    else the latest (of ``plans`` when the caller has them already)."""
    if plans is None:
        plans = list(db.session.scalars(queries.plans_for(participant_id).limit(20)))
    running = [p for p in plans if p.starts_on <= today <= p.runs_until]
    if running:
        return running[0]
    coming = sorted((p for p in plans if p.starts_on > today), key=lambda p: p.starts_on)
    if coming:
        return coming[0]
    return plans[0] if plans else None


def plan_weeks(plan: Plan, tz: tzinfo, today: date) -> PlanWeeks:
    first, last = plan.starts_on, plan.last_day
    planned = db.session.scalars(
        queries.planned_between(plan.participant_id, first, last).where(
            PlannedSession.plan_id == plan.id
        )
    ).all()
    done = done_between(
        plan.participant_id, midnight(first, tz), midnight(last + timedelta(days=1), tz)
    )
    off = db.session.scalars(queries.unavailable_between(plan.participant_id, first, last)).all()
    weeks = rules.weeks_of(
        first,
        plan.weeks,
        list(planned),
        list(done),
        tz,
        [row.on for row in off],
        today,
        counted_until(plan),
    )
    for week in weeks:
        week.reasons = {row.on: row.reason for row in off if week.first <= row.on <= week.last}
    return PlanWeeks(plan, weeks, today)

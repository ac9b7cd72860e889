"""The week view's figures: one plan's weeks, their sessions matched, their compliance.

Three queries whatever the plan's length (planned sessions, done sessions, unavailable days),
plus one to find the plan; the rules themselves are pure (:mod:`heartbeat.plans.rules`). A
page reads, of the weeks it does not show day by day, only the sessions matching can use, so
its work is bounded by the plan's length, not by how much the person trains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.plans import queries, rules
from heartbeat.plans.models import Plan, PlannedSession, PlanStatus
from heartbeat.training.models import SessionKind, TrainingSession

LISTED_PER_DAY = 4  # sessions nobody planned, listed for a day of the week shown (then "N more")


@dataclass(slots=True)
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


def _offsets(tz: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offset (seconds) over ``start``..``end``: (from this instant on, offset),
    one piece per daylight-saving change. A day at a time, then the quarter hour of each."""

    def offset(at: datetime) -> int:
        delta = at.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    at = start.astimezone(UTC)  # steps in UTC: wall-clock steps would skip or repeat an hour
    pieces = [(at, offset(at))]
    while at < end:
        step = at + timedelta(days=1)
        if offset(step) != pieces[-1][1]:
            change = at
            while offset(change) == pieces[-1][1]:
                change += timedelta(minutes=15)  # zones change on the quarter hour
            pieces.append((change, offset(change)))
        at = step
    return pieces


def _local_day_sql(tz: tzinfo, start: datetime, end: datetime) -> sa.ColumnElement[object]:
    """A session's day in ``tz``, worked out by the database (for grouping, not reading)."""
    column = TrainingSession.started_at
    key = getattr(tz, "key", None)
    if db.engine.dialect.name == "postgresql" and key:
        return sa.cast(sa.func.timezone(key, column), sa.Date)
    # SQLite keeps UTC text: shift it by the offset of its piece of the range.
    pieces = _offsets(tz, start, end)
    days = [sa.func.date(column, f"{seconds:+d} seconds") for _, seconds in pieces]
    if len(days) == 1:
        return days[0]
    return sa.case(
        *((column < until, day) for (until, _), day in zip(pieces[1:], days, strict=False)),
        else_=days[-1],
    )


def done_for_matching(
    participant_id: int,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    *,
    keep: int,
    whole: tuple[datetime, datetime] | None = None,
    listed: int = LISTED_PER_DAY,
) -> tuple[list[Done], dict[date, int]]:
    """The sessions matching can use, in one query bounded by the plan, not by history: of
    each day's sessions of one kind only the first ``keep`` (a plan week never matches more
    of a kind than it plans: matching takes a day's sessions in start order); and between
    ``whole``'s two instants (the week shown day by day) also each day's first ``listed``,
    with how many there were each day (the page lists those and says how many more)."""
    day = _local_day_sql(tz, start, end)
    order = (TrainingSession.started_at, TrainingSession.id)
    ranked = (
        sa.select(
            *DONE_COLUMNS,
            sa.func.row_number()
            .over(partition_by=(TrainingSession.kind, day), order_by=order)
            .label("kind_rank"),
            sa.func.row_number().over(partition_by=day, order_by=order).label("day_rank"),
            sa.func.count().over(partition_by=day).label("day_count"),
        )
        .where(
            TrainingSession.participant_id == participant_id,
            TrainingSession.started_at >= start,
            TrainingSession.started_at < end,
        )
        .subquery()
    )
    wanted = [ranked.c.kind_rank <= keep]
    if whole is not None:
        shown = sa.and_(ranked.c.started_at >= whole[0], ranked.c.started_at < whole[1])
        wanted.append(sa.and_(shown, ranked.c.day_rank <= listed))
    rows = db.session.execute(
        sa.select(*(ranked.c[column.key] for column in DONE_COLUMNS), ranked.c.day_count)
        .where(sa.or_(*wanted))
        .order_by(ranked.c.started_at, ranked.c.id)
    ).all()
    done, totals = [], {}
    for row in rows:
        done.append(Done(*row[:-1]))
        if whole is not None and whole[0] <= row.started_at < whole[1]:
            totals[rules.local_day(row.started_at, tz)] = row.day_count
    return done, totals


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


def most_of_a_kind(planned: list[PlannedSession], starts_on: date) -> int:
    """The most planned sessions of one kind in any one week of the plan."""
    counts: dict[tuple[int, str], int] = {}
    for row in planned:
        key = ((row.on - starts_on).days // 7, row.kind)
        counts[key] = counts.get(key, 0) + 1
    return max(counts.values(), default=0)


def plan_weeks(plan: Plan, tz: tzinfo, today: date, *, shown: date | None = None) -> PlanWeeks:
    """The plan's weeks, matched and measured, every session of every week read (the API
    lists each week's extra sessions). With ``shown`` (a page showing the plan week holding
    that day, day by day), only that week's sessions are all read; of the other weeks only
    those matching can use (:func:`done_for_matching`): the same figures, the work bounded."""
    first, last = plan.starts_on, plan.last_day
    planned = db.session.scalars(
        queries.planned_between(plan.participant_id, first, last).where(
            PlannedSession.plan_id == plan.id
        )
    ).all()
    start, end = midnight(first, tz), midnight(last + timedelta(days=1), tz)
    totals: dict[date, int] = {}
    if shown is None:
        done = done_between(plan.participant_id, start, end)
    else:
        index = min(max((shown - first).days // 7, 0), plan.weeks - 1)
        week_first = first + timedelta(days=7 * index)
        whole = (midnight(week_first, tz), midnight(week_first + timedelta(days=7), tz))
        keep = most_of_a_kind(list(planned), first)
        done, totals = done_for_matching(
            plan.participant_id, start, end, tz, keep=keep, whole=whole
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
        week.day_totals = {day: n for day, n in totals.items() if week.first <= day <= week.last}
    return PlanWeeks(plan, weeks, today)

"""The week view's figures: one plan's weeks, their sessions matched, their compliance.

Three queries whatever the plan's length (planned sessions, done sessions, unavailable days),
plus one to find the plan; the rules themselves are pure (:mod:`heartbeat.plans.rules`). A
page reads, of the weeks it does not show day by day, only the sessions matching can use, so
its work is bounded by the plan's length, not by how much the person trains.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

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


def _stored(moment: datetime, sample: object) -> object:
    """``moment`` as the database hands back ``started_at`` (``sample``): SQLite keeps UTC text
    ("2025-06-02 09:30:00.000000", which sorts as time does), PostgreSQL a datetime."""
    if isinstance(sample, str):
        utc = moment.astimezone(UTC)
        return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"
    return moment


def _moment(value: object) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


_KINDS = {kind.value: kind for kind in SessionKind}


def done_for_matching(
    participant_id: int,
    first: date,
    days: int,
    tz: tzinfo,
    *,
    keep: int,
    kinds: Collection[SessionKind],
    shown: tuple[date, date] | None = None,
    listed: int = LISTED_PER_DAY,
) -> tuple[list[Done], dict[date, int]]:
    """The sessions matching can use, read cheaply and kept bounded by the plan, not by how
    much the person trains: of each day's sessions of one kind only the first ``keep`` (a plan
    week never matches more of a kind than it plans, and matching takes a day's sessions in
    start order), and only of the ``kinds`` planned; on the days ``shown`` (first and last, the
    week a page shows day by day) also each day's first ``listed`` of any kind, with how many
    there were each day ("N more").

    One query of plain columns (no per-row type processing: the time comes back as the
    database keeps it and is bucketed into local days by comparing with each day's start),
    and only the rows kept become :class:`Done`."""
    starts = [midnight(first + timedelta(days=n), tz) for n in range(days + 1)]
    wanted = []
    if shown is not None:
        whole = (midnight(shown[0], tz), midnight(shown[1] + timedelta(days=1), tz))
        wanted.append(
            sa.and_(TrainingSession.started_at >= whole[0], TrainingSession.started_at < whole[1])
        )
    columns = [
        column
        if column.key not in ("started_at", "kind", "verified_at")
        else sa.type_coerce(column, sa.String).label(column.key)
        for column in DONE_COLUMNS
    ]
    rows: list[Any] = list(
        db.session.execute(
            sa.select(*columns)
            .where(
                TrainingSession.participant_id == participant_id,
                TrainingSession.started_at >= starts[0],
                TrainingSession.started_at < starts[-1],
                sa.or_(TrainingSession.kind.in_(sorted(kinds)), *wanted),
            )
            .order_by(TrainingSession.started_at, TrainingSession.id)
        )
    )
    done: list[Done] = []
    totals: dict[date, int] = {}
    if not rows:
        return done, totals
    bounds: list[Any] = [_stored(moment, rows[0][1]) for moment in starts]
    seen: dict[str, int] = {}
    index, per_day = 0, 0  # the day a row falls on, its kinds so far, its rows so far
    for row in rows:
        if not bounds[index + 1] > row[1]:  # str or datetime: they compare alike
            while not bounds[index + 1] > row[1]:
                index += 1
            seen, per_day = {}, 0
        day = first + timedelta(days=index)
        per_day += 1
        count = seen[row[2]] = seen.get(row[2], 0) + 1
        listing = shown is not None and shown[0] <= day <= shown[1]
        if listing:
            totals[day] = per_day
        if count <= keep or (listing and per_day <= listed):
            verified = row[7]
            done.append(
                Done(
                    row[0],
                    _moment(row[1]),
                    _KINDS[row[2]],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    None if verified is None else _moment(verified),
                )
            )
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
        done, totals = done_for_matching(
            plan.participant_id,
            first,
            7 * plan.weeks,
            tz,
            keep=most_of_a_kind(list(planned), first),
            kinds={row.kind for row in planned},
            shown=(week_first, week_first + timedelta(days=6)),
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

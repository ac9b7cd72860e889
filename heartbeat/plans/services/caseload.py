"""Plan weeks for many people at once: the caseload's needs-attention lists and the centre
dashboard's compliance. Four queries whatever the number of people (the running plans, their
planned sessions, the sessions done and the unavailable days of the last five weeks); the pure
rules (:mod:`heartbeat.plans.rules`) then work out each person's recent weeks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants.models import Participant, ParticipantStatus
from heartbeat.plans import rules
from heartbeat.plans.models import Plan, PlannedSession, PlanStatus, UnavailableDay
from heartbeat.plans.services.weeks import DONE_COLUMNS, Done, counted_until
from heartbeat.training.models import TrainingSession

WINDOW_DAYS = 35  # covers the last two finished plan weeks, whatever day plans start on
NAME_COLUMNS = (
    Participant.id,
    Participant.given_name,
    Participant.preferred_name,
    Participant.family_name,
)


@dataclass
class Recent:
    person: Any  # a row with the NAME_COLUMNS
    plan: Plan
    weeks: list[rules.Week]  # the plan's weeks that began in the window


def recent_weeks(
    people: Sequence[sa.ColumnElement[bool]], centre_id: int, tz: tzinfo, today: date
) -> list[Recent]:
    since = today - timedelta(days=WINDOW_DAYS)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz)

    rows = db.session.execute(
        sa.select(Plan, *NAME_COLUMNS)
        .join(Participant, Participant.id == Plan.participant_id)
        .where(
            *people,
            Participant.status == ParticipantStatus.ACTIVE,
            Plan.centre_id == centre_id,
            Plan.status == PlanStatus.ACTIVE,
            Plan.starts_on <= today,
        )
    ).all()
    running = [row for row in rows if row.Plan.runs_until >= since]
    ids = [row.Plan.participant_id for row in running]
    planned: dict[int, list[PlannedSession]] = defaultdict(list)
    done: dict[int, list[Done]] = defaultdict(list)
    off: dict[int, list[date]] = defaultdict(list)
    if ids:
        for p in db.session.scalars(
            sa.select(PlannedSession).where(
                PlannedSession.participant_id.in_(ids),
                PlannedSession.on >= since,
                PlannedSession.on < today,
            )
        ):
            planned[p.plan_id].append(p)
        # Only the columns matching reads (as the week view): whole rows cost several times more.
        for session in db.session.execute(
            sa.select(TrainingSession.participant_id, *DONE_COLUMNS).where(
                TrainingSession.participant_id.in_(ids),
                TrainingSession.started_at >= midnight(since),
                TrainingSession.started_at < midnight(today),
            )
        ):
            done[session.participant_id].append(
                Done(
                    session.id,
                    session.started_at,
                    session.kind,
                    session.distance_m,
                    session.moving_time_s,
                    session.elapsed_time_s,
                    session.self_reported,
                    session.verified_at,
                )
            )
        for day in db.session.execute(
            sa.select(UnavailableDay.participant_id, UnavailableDay.on).where(
                UnavailableDay.participant_id.in_(ids), UnavailableDay.on >= since
            )
        ):
            off[day.participant_id].append(day.on)
    result = []
    for row in running:
        plan = row.Plan
        weeks = rules.weeks_of(
            plan.starts_on,
            plan.weeks,
            planned[plan.id],
            done[plan.participant_id],
            tz,
            off[plan.participant_id],
            today,
            counted_until(plan),
        )
        result.append(Recent(row, plan, [w for w in weeks if w.first >= since]))
    return result


@dataclass(frozen=True)
class CentreCompliance:
    """Last finished plan week, across everyone on an active plan."""

    people: int  # with a figure for their last finished week
    on_plan: int
    partly: int
    off_plan: int
    ratio: float | None  # done ÷ planned, the median person

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else round(self.ratio * 100)

    @property
    def band(self) -> rules.Band:
        return rules.band(self.ratio)


def centre_compliance(centre_id: int, tz: tzinfo, today: date) -> CentreCompliance:
    ratios = []
    for recent in recent_weeks([], centre_id, tz, today):
        finished = [w for w in recent.weeks if w.last < today and w.ratio is not None]
        if finished:
            ratios.append(finished[-1].ratio or 0.0)
    bands = [rules.band(r).key for r in ratios]
    ratios.sort()
    median = None
    if ratios:
        middle = len(ratios) // 2
        median = ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2
    return CentreCompliance(
        len(ratios),
        bands.count("on-plan"),
        bands.count("partly"),
        bands.count("off-plan"),
        median,
    )

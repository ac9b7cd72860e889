"""The whole summary: the ladder path, totals, weekly numbers, the load warning and charts."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from heartbeat.core.i18n import _, decimal_text, number
from heartbeat.core.units import METRES_PER_MILE, Units, distance_text, format_distance
from heartbeat.progress import rules
from heartbeat.progress.ladder import DISTANCE_CLUBS_MILES, MARATHON_M
from heartbeat.progress.models import Award, CriterionKind, LadderStage
from heartbeat.progress.summary.figures import EFFORT_DAYS, best_rows, effort_rows, next_progress
from heartbeat.progress.summary.rows import award_rows, criterion_text, facts_from_rows
from heartbeat.progress.summary.shapes import StageState, StageStep, Summary
from heartbeat.progress.trends import (
    TREND_WEEKS,
    longest_push_chart,
    pace_chart,
    pain_chart,
    weekly_chart,
)

WEEKS_SHOWN = 16
CELEBRATE_DAYS = 14
LOAD_DAYS = 7 + 7 * rules.LOAD_BASELINE_WEEKS  # what ``rules.load_warning`` looks at


def build_summary(
    *,
    stages: Sequence[LadderStage],
    awards: Sequence[Award],
    rows: Iterable[Any],
    units: Units,
    today: date,
    tz: tzinfo,
    hr_unreliable: bool = False,
    with_charts: Sequence[str] = ("weekly", "longest", "pace", "pain"),
    chart_prefix: str = "chart",
) -> Summary:
    facts, heart = facts_from_rows(rows)
    facts.sort(key=lambda fact: (fact.started_at, fact.id))  # already in order from the query
    starts = [fact.started_at for fact in facts]

    def since(day: date) -> list[rules.SessionFact]:
        """Facts from the start of ``day`` (local) on: the windowed numbers need no more, and
        skipping years of history keeps a busy athlete's page as quick as a newcomer's."""
        cutoff = datetime.combine(day - timedelta(days=1), time.min, tzinfo=tz)
        return facts[bisect_left(starts, cutoff) :]

    facts_by_id = {fact.id: fact for fact in facts}
    award_list = award_rows(awards, stages, facts_by_id, units=units, tz=tz)
    by_stage = {int(row.key.removeprefix("stage:")): row for row in award_list if not row.is_club}

    path: list[StageStep] = []
    current: StageStep | None = None
    current_stage: LadderStage | None = None
    distance_goal: LadderStage | None = None  # the lowest distance stage not yet reached
    for stage in sorted(stages, key=lambda s: (s.position, s.id)):
        if stage.retired:
            continue
        award = by_stage.get(stage.id)
        if award is None and distance_goal is None and stage.kind != CriterionKind.SIGNOFF:
            distance_goal = stage
        if award is not None:
            state: StageState = "achieved"
        elif current is None:
            state = "current"
        else:
            state = "upcoming"
        step = StageStep(
            id=stage.id,
            title=stage.title,
            description=stage.description,
            criterion=criterion_text(stage, units),
            state=state,
            signoff=stage.kind == CriterionKind.SIGNOFF,
            award=award,
        )
        if state == "current":
            current, current_stage = step, stage
        path.append(step)

    distance_progress = next_progress(distance_goal, facts, units) if distance_goal else None
    total = rules.total_distance_m(facts)
    total_miles = total / METRES_PER_MILE
    next_club = next((miles for miles in DISTANCE_CLUBS_MILES if miles > total_miles + 1e-9), None)
    shown = since(rules.week_start(today) - timedelta(weeks=WEEKS_SHOWN))
    weekly = rules.weekly_distance(shown, WEEKS_SHOWN, today, tz)
    weekly_waiting = rules.weekly_distance(shown, WEEKS_SHOWN, today, tz, waiting_only=True)
    waiting_m = rules.waiting_distance_m(facts)
    trend = since(rules.week_start(today) - timedelta(weeks=TREND_WEEKS))
    marathons = sum(
        1
        for f in facts
        if f.record
        and f.kind in rules.MARATHON_FINISH_KINDS
        and f.distance_m + rules.THRESHOLD_TOLERANCE_M >= MARATHON_M
    )
    recent_from = today - timedelta(days=CELEBRATE_DAYS)
    celebrate = sorted(
        (
            a
            for a in award_list
            if a.achieved_on >= recent_from and not a.stage_retired and not a.to_date
        ),
        key=lambda a: (a.achieved_on, a.id),
        reverse=True,
    )

    summary = Summary(
        units=units,
        path=path,
        current=current,
        next_progress=distance_progress if distance_goal is current_stage else None,
        distance_progress=distance_progress,
        awards=award_list,
        total_m=total,
        total_miles_text=format_distance(total, "mi"),
        total_km_text=format_distance(total, "km") if units == "km" else None,
        next_club_text=(
            _(
                "%(distance)s to the %(miles)s-mile club",
                distance=format_distance((next_club - total_miles) * METRES_PER_MILE, "mi"),
                miles=number(next_club),
            )
            if next_club
            else None
        ),
        marathons=marathons,
        streak_weeks=rules.streak_weeks(facts, today, tz),
        this_week_text=distance_text(weekly[-1][1], units),
        this_week_waiting_text=(
            distance_text(weekly_waiting[-1][1], units) if weekly_waiting[-1][1] else None
        ),
        this_week_all_waiting=bool(weekly[-1][1]) and weekly_waiting[-1][1] == weekly[-1][1],
        waiting_text=distance_text(waiting_m, units) if waiting_m else None,
        sessions_waiting=sum(1 for f in facts if f.waiting),
        sessions_count=len(facts),
        history_count=sum(1 for f in facts if f.history),
        bests=best_rows(facts, units, tz),
        effort=effort_rows(
            since(today - timedelta(days=EFFORT_DAYS)),
            heart,
            today,
            tz,
            hr_unreliable=hr_unreliable,
        ),
        lead_with_rpe=hr_unreliable,
        load_warning=rules.load_warning(since(today - timedelta(days=LOAD_DAYS)), today, tz),
        celebrate=celebrate,
    )
    warning = summary.load_warning
    if warning is not None:
        summary.load_warning_text = _(
            "the last 7 days came to %(last)s against a weekly average of %(baseline)s over the"
            " 4 weeks before, and pain rose from %(pain_before)s to %(pain_now)s on average.",
            last=distance_text(warning.last_7_days_m, units),
            baseline=distance_text(warning.baseline_weekly_m, units),
            pain_before=decimal_text(warning.baseline_pain, 1),
            pain_now=decimal_text(warning.last_7_days_pain, 1),
        )
    builders = {
        "weekly": lambda: weekly_chart(
            f"{chart_prefix}-weekly", weekly, units, waiting=weekly_waiting
        ),
        "longest": lambda: longest_push_chart(f"{chart_prefix}-longest", facts, units, today, tz),
        "pace": lambda: pace_chart(f"{chart_prefix}-pace", trend, units, today, tz),
        "pain": lambda: pain_chart(f"{chart_prefix}-pain", trend, today, tz),
    }
    summary.charts = {name: builders[name]() for name in with_charts}
    return summary

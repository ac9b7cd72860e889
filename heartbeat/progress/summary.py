"""A participant's progress as a page shows it: the ladder path, progress to the next stage,
awards, personal bests, weekly distance, streak, Heartbeat Miles, effort and charts.

It takes the stages and awards already loaded and the sessions as plain rows (one query,
``queries.session_rows``) and computes everything in Python, so a page costs the same handful of
queries whether someone has logged five sessions or five thousand. It runs no query and needs no
request: tests call it with plain values.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from heartbeat.core.units import (
    METRES_PER_MILE,
    day_text,
    distance_text,
    format_distance,
    format_duration,
    format_pace,
)
from heartbeat.progress import charts, rules
from heartbeat.progress.ladder import DEFAULT_CLUBS, DISTANCE_CLUBS_MILES, MARATHON_M
from heartbeat.progress.models import REVIEW_REASONS, Award, CriterionKind, LadderStage
from heartbeat.progress.trends import (
    TREND_WEEKS,
    longest_push_chart,
    pace_chart,
    pain_chart,
    weekly_chart,
)
from heartbeat.training.models import SessionKind

WEEKS_SHOWN = 16
EFFORT_DAYS = 28
CELEBRATE_DAYS = 14
LOAD_DAYS = 7 + 7 * rules.LOAD_BASELINE_WEEKS  # what ``rules.load_warning`` looks at
CLUB_ORDER = {club.code: index for index, club in enumerate(DEFAULT_CLUBS)}
# Enum members hash by name, not by value: look their plain values up once.
_KIND_VALUES: dict[Any, str] = {kind: kind.value for kind in SessionKind}

StageState = Literal["achieved", "current", "upcoming"]
STATE_LABELS: dict[StageState, str] = {
    "achieved": "Reached",
    "current": "Working on now",
    "upcoming": "Still to come",
}


# --- formatting -----------------------------------------------------------------------------------

__all__ = ["Summary", "build_summary", "criterion_text", "day_text", "distance_text"]


def criterion_text(stage: LadderStage, units: str) -> str:
    """What reaches a stage, in words: "One continuous push of 5 km"."""
    if stage.kind == CriterionKind.SIGNOFF or stage.threshold_m is None:
        return "Signed off by a therapist"
    distance = distance_text(stage.threshold_m, units)
    text = (
        f"An official race finish of {distance}"
        if stage.kind == CriterionKind.RACE
        else f"One continuous push of {distance}"
    )
    if stage.max_duration_s:
        text += f" within {format_duration(stage.max_duration_s)}"
    return text


# --- the shapes the templates read ----------------------------------------------------------------


@dataclass(frozen=True)
class StageStep:
    id: int
    title: str
    description: str
    criterion: str
    state: StageState
    signoff: bool
    award: AwardRow | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class NextProgress:
    stage_title: str
    best_m: float
    threshold_m: float
    text: str  # "7.2 km of 10 km"
    to_go: str  # "2.8 km to go"
    percent: int
    condition: str | None  # "within 1:30:00", "in an official race"


@dataclass(frozen=True)
class AwardRow:
    id: int
    key: str
    title: str
    description: str
    achieved_on: date
    evidence: str | None
    verified: bool
    verified_by: str | None
    verified_on: date | None
    needs_review: bool
    review_reason: str | None
    review_text: str | None
    version: int
    is_club: bool
    stage_retired: bool
    signoff: bool


@dataclass(frozen=True)
class Best:
    label: str
    value: str
    detail: str
    on: date


@dataclass
class Summary:
    units: str
    path: list[StageStep]
    current: StageStep | None
    next_progress: NextProgress | None  # towards the current stage, when it is a distance
    distance_progress: NextProgress | None  # towards the lowest distance stage not yet reached
    awards: list[AwardRow]
    total_m: float
    total_miles_text: str
    total_km_text: str | None
    next_club_text: str | None
    marathons: int
    streak_weeks: int
    this_week_text: str
    sessions_count: int
    bests: list[Best]
    effort: list[tuple[str, str]]
    lead_with_rpe: bool
    load_warning: rules.LoadWarning | None
    load_warning_text: str | None = None
    charts: dict[str, charts.Chart] = field(default_factory=dict)
    celebrate: list[AwardRow] = field(default_factory=list)

    @property
    def pending(self) -> list[AwardRow]:
        return [award for award in self.awards if not award.verified]

    @property
    def to_review(self) -> list[AwardRow]:
        return [award for award in self.awards if award.needs_review]

    @property
    def clubs(self) -> list[AwardRow]:
        return sorted(
            (award for award in self.awards if award.is_club),
            key=lambda award: CLUB_ORDER.get(award.key.removeprefix("club:"), 99),
        )

    @property
    def retired_stage_awards(self) -> list[AwardRow]:
        return [award for award in self.awards if award.stage_retired]

    @property
    def reached_count(self) -> int:
        return sum(1 for step in self.path if step.state == "achieved")

    @property
    def at_top(self) -> bool:
        return bool(self.path) and self.current is None


# --- building it ---------------------------------------------------------------------------------


def facts_from_rows(rows: Iterable[Any]) -> tuple[list[rules.SessionFact], dict[int, float]]:
    """Session facts for the rules, and average heart rate by session id where recorded.

    ``rows`` are ``queries.session_rows`` tuples, unpacked by position: with thousands of rows,
    reading each by name (as ``services.fact_from_row`` does) costs more than the rules.
    """
    facts, heart = [], {}
    fact = rules.SessionFact
    for (
        session_id,
        started_at,
        kind,
        distance_m,
        moving_time_s,
        elapsed_time_s,
        official_time_s,
        self_reported,
        verified_at,
        pain,
        rpe,
        avg_hr,
    ) in rows:
        kind = _KIND_VALUES.get(kind, kind)
        facts.append(
            fact(
                session_id,
                started_at,
                kind,
                distance_m or 0.0,
                moving_time_s if moving_time_s is not None else elapsed_time_s,
                kind == "race",
                official_time_s,
                (not self_reported) or verified_at is not None,
                pain,
                rpe,
            )
        )
        if avg_hr is not None:
            heart[session_id] = avg_hr
    return facts, heart


def _evidence_text(fact: rules.SessionFact | None, units: str, tz: tzinfo) -> str | None:
    if fact is None:
        return None
    kind = (
        "Race"
        if fact.race
        else {
            "track": "Track session",
            "road": "Road session",
            "roller": "Rollers session",
            "handcycle": "Hand-cycle session",
            "strength": "Strength session",
        }.get(fact.kind, "Session")
    )
    text = f"{kind} on {day_text(fact.started_at.astimezone(tz).date())}"
    if fact.distance_m:
        text += f", {distance_text(fact.distance_m, units)}"
    if fact.time_s:
        text += f" in {format_duration(fact.time_s)}"
    return text


def award_rows(
    awards: Iterable[Award],
    stages: Sequence[LadderStage],
    facts_by_id: dict[int, rules.SessionFact],
    *,
    units: str,
    tz: tzinfo,
) -> list[AwardRow]:
    from heartbeat.progress.services import award_description, award_title

    stage_by_id = {stage.id: stage for stage in stages}
    rows = []
    for award in awards:
        stage = stage_by_id.get(award.stage_id) if award.stage_id is not None else None
        rows.append(
            AwardRow(
                id=award.id,
                key=award.key,
                title=award_title(award),
                description=award_description(award),
                achieved_on=award.achieved_at.astimezone(tz).date(),
                evidence=_evidence_text(facts_by_id.get(award.evidence_session_id), units, tz),
                verified=award.verified,
                verified_by=award.verified_by.name if award.verified_by is not None else None,
                verified_on=award.verified_at.astimezone(tz).date() if award.verified_at else None,
                needs_review=award.needs_review,
                review_reason=award.review_reason,
                review_text=REVIEW_REASONS.get(award.review_reason or ""),
                version=award.version,
                is_club=award.club_code is not None,
                stage_retired=stage is not None and stage.retired,
                signoff=stage is not None and stage.kind == CriterionKind.SIGNOFF,
            )
        )
    rows.sort(key=lambda row: (row.achieved_on, row.id))
    return rows


def _next_progress(
    stage: LadderStage, facts: list[rules.SessionFact], units: str
) -> NextProgress | None:
    if stage.kind == CriterionKind.SIGNOFF or stage.threshold_m is None:
        return None
    rule = rules.StageRule(
        id=stage.id,
        code=stage.code,
        position=stage.position,
        kind=stage.kind.value,
        threshold_m=stage.threshold_m,
        max_duration_s=stage.max_duration_s,
    )
    best, threshold = rules.progress_towards(rule, facts)
    best = min(best, threshold)
    conditions = []
    if stage.kind == CriterionKind.RACE:
        conditions.append("in an official race")
    if stage.max_duration_s:
        conditions.append(f"within {format_duration(stage.max_duration_s)}")
    return NextProgress(
        stage_title=stage.title,
        best_m=best,
        threshold_m=threshold,
        text=f"{distance_text(best, units)} of {distance_text(threshold, units)}",
        to_go=f"{distance_text(max(threshold - best, 0), units)} to go",
        percent=min(100, int(best / threshold * 100)) if threshold else 0,
        condition=", ".join(conditions) or None,
    )


def _bests(facts: list[rules.SessionFact], units: str, tz: tzinfo) -> list[Best]:
    by_id = {fact.id: fact for fact in facts}
    found = rules.personal_bests(facts)
    bests = []
    if found.longest_push_m and found.longest_push_session_id in by_id:
        fact = by_id[found.longest_push_session_id]
        bests.append(
            Best(
                "Longest continuous push",
                distance_text(found.longest_push_m, units),
                _evidence_text(fact, units, tz) or "",
                fact.started_at.astimezone(tz).date(),
            )
        )
    for label, _distance in rules.PB_DISTANCES:
        if label not in found.fastest:
            continue
        time_s, session_id = found.fastest[label]
        fact = by_id[session_id]
        pace = format_pace(fact.distance_m, time_s, units)  # type: ignore[arg-type]
        bests.append(
            Best(
                f"Fastest {label}",
                format_duration(time_s),
                ", ".join(
                    part
                    for part in (
                        "race" if fact.race else "training",
                        pace,
                        day_text(fact.started_at.astimezone(tz).date()),
                    )
                    if part
                ),
                fact.started_at.astimezone(tz).date(),
            )
        )
    return bests


def _effort(
    facts: list[rules.SessionFact],
    heart: dict[int, float],
    today: date,
    tz: tzinfo,
    *,
    hr_unreliable: bool,
) -> list[tuple[str, str]]:
    since = today - timedelta(days=EFFORT_DAYS - 1)
    recent = [f for f in facts if since <= f.started_at.astimezone(tz).date() <= today]
    rpes = [f.rpe for f in recent if f.rpe is not None]
    loads = [load for f in recent if (load := rules.session_load(f.rpe, f.duration_s))]
    hrs = [heart[f.id] for f in recent if f.id in heart]
    rows = [
        ("Sessions in the last 4 weeks", str(len(recent))),
        (
            "Average effort (RPE, 0 to 10)",
            f"{statistics.fmean(rpes):.1f}" if rpes else "Not recorded",
        ),
        (
            "Training load (RPE × minutes) per week",
            f"{sum(loads) / 4:,.0f}" if loads else "Not recorded",
        ),
    ]
    heart_row = (
        "Average heart rate" + (" (read with care)" if hr_unreliable else ""),
        f"{statistics.fmean(hrs):.0f} bpm" if hrs else "Not recorded",
    )
    # After an injury at or above T6 heart rate barely rises: effort leads, heart rate trails.
    return [*rows, heart_row] if hr_unreliable else [rows[0], heart_row, *rows[1:]]


def build_summary(
    *,
    stages: Sequence[LadderStage],
    awards: Sequence[Award],
    rows: Iterable[Any],
    units: str,
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

    distance_progress = _next_progress(distance_goal, facts, units) if distance_goal else None
    total = rules.total_distance_m(facts)
    total_miles = total / METRES_PER_MILE
    next_club = next((miles for miles in DISTANCE_CLUBS_MILES if miles > total_miles + 1e-9), None)
    weekly = rules.weekly_distance(
        since(rules.week_start(today) - timedelta(weeks=WEEKS_SHOWN)), WEEKS_SHOWN, today, tz
    )
    trend = since(rules.week_start(today) - timedelta(weeks=TREND_WEEKS))
    marathons = sum(
        1
        for f in facts
        if f.counts
        and f.kind in rules.MARATHON_FINISH_KINDS
        and f.distance_m + rules.THRESHOLD_TOLERANCE_M >= MARATHON_M
    )
    recent_from = today - timedelta(days=CELEBRATE_DAYS)
    celebrate = sorted(
        (a for a in award_list if a.achieved_on >= recent_from and not a.stage_retired),
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
            f"{format_distance((next_club - total_miles) * METRES_PER_MILE, 'mi')} to the"
            f" {next_club:,}-mile club"
            if next_club
            else None
        ),
        marathons=marathons,
        streak_weeks=rules.streak_weeks(facts, today, tz),
        this_week_text=distance_text(weekly[-1][1], units),
        sessions_count=len(facts),
        bests=_bests(facts, units, tz),
        effort=_effort(
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
        summary.load_warning_text = (
            f"the last 7 days came to {distance_text(warning.last_7_days_m, units)} against a"
            f" weekly average of {distance_text(warning.baseline_weekly_m, units)} over the 4"
            f" weeks before, and pain rose from {warning.baseline_pain:.1f} to"
            f" {warning.last_7_days_pain:.1f} on average."
        )
    builders = {
        "weekly": lambda: weekly_chart(f"{chart_prefix}-weekly", weekly, units),
        "longest": lambda: longest_push_chart(f"{chart_prefix}-longest", facts, units, today, tz),
        "pace": lambda: pace_chart(f"{chart_prefix}-pace", trend, units, today, tz),
        "pain": lambda: pain_chart(f"{chart_prefix}-pain", trend, today, tz),
    }
    summary.charts = {name: builders[name]() for name in with_charts}
    return summary

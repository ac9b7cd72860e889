"""Load and safety: session-RPE load, the load warning, and when heart rate misleads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from heartbeat.participants.rules import heart_rate_unreliable, normalise_sci_level
from heartbeat.progress.rules.facts import DISTANCE_KINDS, SessionFact, at_least, local_date

# Load warning: the last 7 days against the weekly average of the 28 days before them.
LOAD_RATIO = 1.3
LOAD_MIN_INCREASE_M = 5000.0
LOAD_BASELINE_WEEKS = 4
PAIN_RISE = 1.0


def session_load(rpe: int | None, duration_s: float | None) -> float | None:
    """Session-RPE load: RPE (Borg CR10, 0-10) x minutes; None when either is missing."""
    if rpe is None or duration_s is None:
        return None
    if not 0 <= rpe <= 10:
        raise ValueError("RPE is on the CR10 scale, 0 to 10")
    if duration_s < 0:
        raise ValueError("duration cannot be negative")
    return rpe * duration_s / 60


@dataclass(frozen=True, slots=True)
class LoadWarning:
    """Distance jumped and pain rose: worth a therapist's look (shoulders above all)."""

    last_7_days_m: float
    baseline_weekly_m: float  # average week over the 28 days before the last 7
    last_7_days_pain: float  # mean pain score of the last 7 days' sessions
    baseline_pain: float
    last_7_days_load: float  # sum of session-RPE loads where RPE and time were recorded
    baseline_weekly_load: float

    @property
    def ratio(self) -> float | None:
        return self.last_7_days_m / self.baseline_weekly_m if self.baseline_weekly_m else None


def load_warning(sessions: Iterable[SessionFact], today: date, tz: tzinfo) -> LoadWarning | None:
    """A warning when the last 7 days jumped in distance *and* pain is rising.

    The jump: the last 7 days (today and the 6 before, in ``tz``) are at least 1.3x the weekly
    average of the 28 days before them and at least 5 km more. Rising pain: the mean pain of the
    last 7 days' sessions is at least 1 point above the mean of the 28 days before; without pain
    scores in both windows there is nothing to compare and no warning. Unverified sessions count
    here: a self-reported push still loads the shoulders, and a false alarm costs a glance.
    """
    recent_from = today - timedelta(days=6)
    baseline_from = recent_from - timedelta(weeks=LOAD_BASELINE_WEEKS)
    recent: list[SessionFact] = []
    baseline: list[SessionFact] = []
    for session in sessions:
        day = local_date(session, tz)
        if recent_from <= day <= today:
            recent.append(session)
        elif baseline_from <= day < recent_from:
            baseline.append(session)

    def distance(group: list[SessionFact]) -> float:
        return sum((s.distance_m for s in group if s.kind in DISTANCE_KINDS), 0.0)

    def load(group: list[SessionFact]) -> float:
        loads = (session_load(s.rpe, s.duration_s) for s in group)
        return sum((value for value in loads if value is not None), 0.0)

    def mean_pain(group: list[SessionFact]) -> float | None:
        scores = [s.pain for s in group if s.pain is not None]
        return sum(scores) / len(scores) if scores else None

    recent_m = distance(recent)
    baseline_m = distance(baseline) / LOAD_BASELINE_WEEKS
    jumped = at_least(recent_m, LOAD_RATIO * baseline_m) and at_least(
        recent_m - baseline_m, LOAD_MIN_INCREASE_M
    )
    recent_pain, baseline_pain = mean_pain(recent), mean_pain(baseline)
    if not jumped or recent_pain is None or baseline_pain is None:
        return None
    if not at_least(recent_pain - baseline_pain, PAIN_RISE):
        return None
    return LoadWarning(
        last_7_days_m=recent_m,
        baseline_weekly_m=baseline_m,
        last_7_days_pain=recent_pain,
        baseline_pain=baseline_pain,
        last_7_days_load=load(recent),
        baseline_weekly_load=load(baseline) / LOAD_BASELINE_WEEKS,
    )


def hr_unreliable(sci_level: str | None) -> bool:
    """True for an injury at or above T6 (C1-C8, T1-T6): show RPE first, heart rate caveated.

    Accepts loose spellings ("t6", "T-6"); anything that is no level, and None, is False.
    Delegates to ``heartbeat.participants.rules`` so the rule lives in one place.
    """
    try:
        level = normalise_sci_level(sci_level)
    except ValueError:
        return False
    return heart_rate_unreliable(level)

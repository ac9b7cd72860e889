"""Pure progress rules: which stages and clubs a participant's sessions reach, and the numbers
around them (personal bests, weekly distance, streaks, a load warning).

No Flask, no database. Callers turn rows into the dataclasses below, call these functions and
turn the answers back into awards. Distances are metres, durations seconds, times aware.

What counts, in one place:

* a *counting* session is one with ``counts=True``; unverified self-reports never reach stages,
  clubs, personal bests, totals or streaks;
* stages and personal bests need a *push*: track, road, roller or race (not hand-cycle, not
  strength); a session with ``is_race=True`` is a race whatever its kind, but a hand-cycle race
  is still no push;
* distance totals, weekly distance and the distance clubs add every kind that covers ground
  (hand-cycle included, strength never), as DOMAIN.md says "across all sessions";
* marathon finishes are pushes of at least 42,195 m, races or not;
* the load warning is about safety, not awards: it reads unverified sessions too.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Generic, Literal, TypeVar

from heartbeat.core.units import METRES_PER_MILE
from heartbeat.participants.rules import heart_rate_unreliable, normalise_sci_level
from heartbeat.progress.ladder import (
    CRITERION_KINDS,
    DEFAULT_LADDER,
    DISTANCE_CLUBS_MILES,
    HALF_MARATHON_M,
    MARATHON_FINISH_CLUBS,
    MARATHON_M,
    StageSpec,
    distance_club_code,
    marathon_club_code,
)

SessionId = int
StageId = int

SESSION_KINDS: tuple[str, ...] = ("track", "road", "roller", "handcycle", "strength", "race")
PUSH_KINDS: frozenset[str] = frozenset({"track", "road", "roller", "race"})
DISTANCE_KINDS: frozenset[str] = frozenset({"track", "road", "roller", "handcycle", "race"})
MARATHON_FINISH_KINDS: frozenset[str] = PUSH_KINDS

# Absorbs float noise from unit conversion (26.21875 mi is 42,194.988 m), nothing more.
THRESHOLD_TOLERANCE_M = 0.05

# Personal bests: a session counts for a distance if it is at most this much longer.
PB_DISTANCES: tuple[tuple[str, float], ...] = (
    ("5K", 5000.0),
    ("10K", 10000.0),
    ("Half marathon", HALF_MARATHON_M),
    ("Marathon", MARATHON_M),
)
PB_MAX_OVER = 0.02

# Load warning: the last 7 days against the weekly average of the 28 days before them.
LOAD_RATIO = 1.3
LOAD_MIN_INCREASE_M = 5000.0
LOAD_BASELINE_WEEKS = 4
PAIN_RISE = 1.0


# --- inputs ----------------------------------------------------------------------------------


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class SessionFact:
    """What the rules need to know about one training session or race."""

    id: SessionId
    started_at: datetime
    kind: str
    distance_m: float
    duration_s: int | None = None
    is_race: bool = False
    official_time_s: int | None = None
    counts: bool = True  # False for unverified self-reported sessions
    pain: int | None = None
    rpe: int | None = None

    def __post_init__(self) -> None:
        _require_aware(self.started_at, "started_at")
        if self.kind not in SESSION_KINDS:
            raise ValueError(f"unknown session kind {self.kind!r}; expected one of {SESSION_KINDS}")
        if self.distance_m < 0:
            raise ValueError("distance_m cannot be negative")

    @property
    def race(self) -> bool:
        return self.is_race or self.kind == "race"

    @property
    def push(self) -> bool:
        return self.kind in PUSH_KINDS

    @property
    def time_s(self) -> int | None:
        """The official time for a race that has one, otherwise the recorded duration."""
        if self.race and self.official_time_s is not None:
            return self.official_time_s
        return self.duration_s


@dataclass(frozen=True, slots=True)
class StageRule:
    id: StageId
    code: str
    position: int
    kind: str  # "signoff" | "distance" | "race"
    threshold_m: float | None = None
    max_duration_s: int | None = None
    retired: bool = False

    def __post_init__(self) -> None:
        if self.kind not in CRITERION_KINDS:
            raise ValueError(f"unknown criterion kind {self.kind!r}")
        if self.kind != "signoff" and not self.threshold_m:
            raise ValueError(f"{self.kind} stage {self.code!r} needs threshold_m")


@dataclass(frozen=True, slots=True)
class SignOff:
    stage_id: StageId
    signed_at: datetime
    session_id: SessionId | None = None

    def __post_init__(self) -> None:
        _require_aware(self.signed_at, "signed_at")


def rules_from_ladder(ladder: Iterable[StageSpec] = DEFAULT_LADDER) -> tuple[StageRule, ...]:
    """Stage rules for a ladder of specs, numbered from 1 (id == position)."""
    return tuple(
        StageRule(
            id=position,
            code=spec.code,
            position=position,
            kind=spec.kind,
            threshold_m=spec.threshold_m,
            max_duration_s=spec.max_duration_s,
        )
        for position, spec in enumerate(ladder, start=1)
    )


# --- stages ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    session_id: SessionId | None  # None for a sign-off given without a session
    achieved_at: datetime


def _order(session: SessionFact) -> tuple[datetime, SessionId]:
    return (session.started_at, session.id)


def _reaches(distance_m: float, threshold_m: float) -> bool:
    return distance_m + THRESHOLD_TOLERANCE_M >= threshold_m


def _at_least(value: float, bound: float) -> bool:
    return value >= bound or math.isclose(value, bound)


def _eligible(stage: StageRule, session: SessionFact) -> bool:
    """Could this session reach this distance or race stage, distance aside?"""
    if not session.counts or not session.push:
        return False
    if stage.kind == "race" and not session.race:
        return False
    if stage.max_duration_s is not None:
        time_s = session.time_s
        return time_s is not None and time_s <= stage.max_duration_s
    return True


def qualifies(stage: StageRule, session: SessionFact) -> bool:
    """Does this one session reach this distance or race stage?"""
    if stage.kind == "signoff" or stage.threshold_m is None:
        return False
    return _eligible(stage, session) and _reaches(session.distance_m, stage.threshold_m)


def reached_stages(
    stages: Iterable[StageRule],
    sessions: Iterable[SessionFact],
    signoffs: Iterable[SignOff],
) -> dict[StageId, Evidence]:
    """Every active stage the sessions and sign-offs reach, with the earliest evidence.

    Distance stages take the earliest qualifying counting push (ties by session id), race stages
    the earliest qualifying race, sign-off stages the earliest sign-off. Stages are independent:
    a 10 km push reaches 10K even before "Steer and stop" is signed off. Retired stages are left
    out; keep their existing awards by passing their ids to ``diff_awards(retired_keys=...)``.
    """
    ordered = sorted(sessions, key=_order)
    signoffs = sorted(signoffs, key=lambda signoff: signoff.signed_at)
    reached: dict[StageId, Evidence] = {}
    for stage in stages:
        if stage.retired:
            continue
        if stage.kind == "signoff":
            first = next((so for so in signoffs if so.stage_id == stage.id), None)
            if first is not None:
                reached[stage.id] = Evidence(first.session_id, first.signed_at)
            continue
        session = next((s for s in ordered if qualifies(stage, s)), None)
        if session is not None:
            reached[stage.id] = Evidence(session.id, session.started_at)
    return reached


def current_stage(
    stages: Iterable[StageRule], reached_ids: Collection[StageId]
) -> StageRule | None:
    """The lowest active stage not yet reached; None once every active stage is reached."""
    for stage in sorted((s for s in stages if not s.retired), key=lambda s: s.position):
        if stage.id not in reached_ids:
            return stage
    return None


def progress_towards(stage: StageRule, sessions: Iterable[SessionFact]) -> tuple[float, float]:
    """``(best_m, threshold_m)`` for a distance or race stage: the longest eligible session."""
    if stage.kind == "signoff" or stage.threshold_m is None:
        raise ValueError("a sign-off stage has no distance to progress towards")
    best = max((s.distance_m for s in sessions if _eligible(stage, s)), default=0.0)
    return (best, stage.threshold_m)


def progress_to_next(
    stages: Iterable[StageRule],
    sessions: Iterable[SessionFact],
    reached_ids: Collection[StageId],
) -> tuple[float, float] | None:
    """``(best_m, threshold_m)`` towards the current stage, e.g. ``(7200.0, 10000.0)``.

    None at the top of the ladder or when the current stage is a sign-off (nothing to measure).
    """
    stage = current_stage(stages, reached_ids)
    if stage is None or stage.kind == "signoff":
        return None
    return progress_towards(stage, sessions)


# --- clubs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClubEvidence:
    club_code: str
    achieved_at: datetime
    session_id: SessionId


def club_awards(
    sessions: Iterable[SessionFact],
    distance_clubs_miles: Iterable[int] = DISTANCE_CLUBS_MILES,
    marathon_clubs: Iterable[int] = MARATHON_FINISH_CLUBS,
) -> list[ClubEvidence]:
    """Clubs reached: distance clubs in threshold order, then marathon-finish clubs.

    A distance club's evidence is the session whose running total (counting sessions of every
    ground-covering kind, in start order) first reaches the club; one session can cross several.
    A marathon club's evidence is the n-th counting push of at least 42,195 m.
    """
    ordered = sorted(
        (s for s in sessions if s.counts and s.kind in DISTANCE_KINDS),
        key=_order,
    )
    awards: list[ClubEvidence] = []

    miles_left = sorted(distance_clubs_miles)
    total = 0.0
    for session in ordered:
        total += session.distance_m
        while miles_left and _reaches(total, miles_left[0] * METRES_PER_MILE):
            club = distance_club_code(miles_left.pop(0))
            awards.append(ClubEvidence(club, session.started_at, session.id))

    finishes_left = sorted(marathon_clubs)
    finishes = 0
    for session in ordered:
        if session.kind in MARATHON_FINISH_KINDS and _reaches(session.distance_m, MARATHON_M):
            finishes += 1
            while finishes_left and finishes >= finishes_left[0]:
                club = marathon_club_code(finishes_left.pop(0))
                awards.append(ClubEvidence(club, session.started_at, session.id))
    return awards


def club_awards_by_code(awards: Iterable[ClubEvidence]) -> dict[str, ClubEvidence]:
    """Key club evidence by club code, ready for ``diff_awards``."""
    return {award.club_code: award for award in awards}


# --- reconciling awards ----------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)
E = TypeVar("E")

ReviewReason = Literal["evidence_vanished", "evidence_changed"]


@dataclass(frozen=True)
class ReviewFlag(Generic[K, E]):
    """A verified award the rules no longer agree with; a person decides, the code never does."""

    key: K
    reason: ReviewReason
    current: E
    reached: E | None  # None when nothing reaches the award any more


@dataclass(frozen=True)
class AwardChanges(Generic[K, E]):
    """What to do to the stored awards so they match what the rules reach.

    ``add``: new awards with their evidence. ``update``: unverified awards whose evidence moved
    (another session, or a corrected time) - rewrite the evidence, keep the award. ``withdraw``:
    unverified awards nothing reaches any more. ``flag_for_review``: verified awards the rules
    disagree with; they are never changed automatically, and stay flagged while the
    disagreement lasts (store the flag and notify once, rather than on every run).
    """

    add: dict[K, E] = field(default_factory=dict)
    update: dict[K, E] = field(default_factory=dict)
    withdraw: list[K] = field(default_factory=list)
    flag_for_review: list[ReviewFlag[K, E]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when the stored awards need no change (flags are a state, not a change)."""
        return not (self.add or self.update or self.withdraw)


def diff_awards(
    current: Mapping[K, E],
    reached: Mapping[K, E],
    verified_keys: Collection[K],
    retired_keys: Collection[K] = frozenset(),
) -> AwardChanges[K, E]:
    """Reconcile stored awards (``current``) with what the rules reach now.

    Idempotent: applying the changes (``apply_changes``) and diffing again gives an empty
    result. Awards under ``retired_keys`` (retired stages) stand untouched and are never added.
    """
    changes: AwardChanges[K, E] = AwardChanges()
    for key, evidence in reached.items():
        if key in retired_keys:
            continue
        if key not in current:
            changes.add[key] = evidence
        elif current[key] != evidence:
            if key in verified_keys:
                changes.flag_for_review.append(
                    ReviewFlag(key, "evidence_changed", current[key], evidence)
                )
            else:
                changes.update[key] = evidence
    for key, evidence in current.items():
        if key in reached or key in retired_keys:
            continue
        if key in verified_keys:
            changes.flag_for_review.append(ReviewFlag(key, "evidence_vanished", evidence, None))
        else:
            changes.withdraw.append(key)
    return changes


def apply_changes(current: Mapping[K, E], changes: AwardChanges[K, E]) -> dict[K, E]:
    """The awards after applying ``changes`` (flags change nothing)."""
    result = dict(current)
    result.update(changes.add)
    result.update(changes.update)
    for key in changes.withdraw:
        result.pop(key, None)
    return result


# --- personal bests and totals ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonalBests:
    longest_push_m: float | None
    longest_push_session_id: SessionId | None
    # label from PB_DISTANCES -> (time_s, session_id); a label is absent until there is a time
    fastest: dict[str, tuple[int, SessionId]]


def personal_bests(sessions: Iterable[SessionFact]) -> PersonalBests:
    """The longest counting push, and the fastest time per standard distance.

    A time counts for a distance when the push covered it and at most 2% more (a 5.08 km push in
    20:00 is a 20:00 5K; a 6 km push is no 5K time, and nothing is extrapolated). Races use the
    official time when they have one. Ties go to the earlier session.
    """
    pushes = sorted((s for s in sessions if s.counts and s.push), key=_order)
    longest: SessionFact | None = None
    for session in pushes:
        if session.distance_m > 0 and (longest is None or session.distance_m > longest.distance_m):
            longest = session

    fastest: dict[str, tuple[int, SessionId]] = {}
    # One pass over the pushes (a busy athlete has thousands), each checked against every distance.
    shortest = min(distance for _, distance in PB_DISTANCES)
    for session in pushes:
        if not _reaches(session.distance_m, shortest):
            continue
        time_s = session.time_s
        if not time_s or time_s <= 0:
            continue
        for label, distance in PB_DISTANCES:
            if not _reaches(session.distance_m, distance):
                continue
            if session.distance_m > distance * (1 + PB_MAX_OVER):
                continue
            if label not in fastest or time_s < fastest[label][0]:
                fastest[label] = (time_s, session.id)
    fastest = {label: fastest[label] for label, _ in PB_DISTANCES if label in fastest}
    return PersonalBests(
        longest_push_m=longest.distance_m if longest else None,
        longest_push_session_id=longest.id if longest else None,
        fastest=fastest,
    )


def total_distance_m(sessions: Iterable[SessionFact]) -> float:
    """All counting distance, hand-cycle included, strength never."""
    return sum((s.distance_m for s in sessions if s.counts and s.kind in DISTANCE_KINDS), 0.0)


def _local_date(session: SessionFact, tz: tzinfo) -> date:
    return session.started_at.astimezone(tz).date()


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weekly_distance(
    sessions: Iterable[SessionFact], weeks: int, today: date, tz: tzinfo
) -> list[tuple[date, float]]:
    """``[(monday, metres), ...]`` for the last ``weeks`` ISO weeks, oldest first, this week last.

    Weeks with nothing are 0.0. A session belongs to the week of its start in ``tz`` (the
    participant's or the centre's zone), so a Sunday-evening push in Los Angeles stays on Sunday.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    this_week = week_start(today)
    totals = {this_week - timedelta(weeks=n): 0.0 for n in range(weeks - 1, -1, -1)}
    for session in sessions:
        if not session.counts or session.kind not in DISTANCE_KINDS:
            continue
        week = week_start(_local_date(session, tz))
        if week in totals:
            totals[week] += session.distance_m
    return list(totals.items())


def streak_weeks(sessions: Iterable[SessionFact], today: date, tz: tzinfo) -> int:
    """Consecutive ISO weeks, ending with this one, with at least one counting session.

    Any kind counts here, strength included: the streak rewards turning up. This week is still
    running, so while it is empty the streak counts back from last week instead of breaking.
    """
    # Distinct days first: thousands of sessions fall on far fewer days, and weeks follow days.
    days = {_local_date(s, tz) for s in sessions if s.counts}
    active = {week_start(day) for day in days}
    week = week_start(today)
    if week not in active:
        week -= timedelta(weeks=1)
    streak = 0
    while week in active:
        streak += 1
        week -= timedelta(weeks=1)
    return streak


# --- load and safety -------------------------------------------------------------------------


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
        day = _local_date(session, tz)
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
    jumped = _at_least(recent_m, LOAD_RATIO * baseline_m) and _at_least(
        recent_m - baseline_m, LOAD_MIN_INCREASE_M
    )
    recent_pain, baseline_pain = mean_pain(recent), mean_pain(baseline)
    if not jumped or recent_pain is None or baseline_pain is None:
        return None
    if not _at_least(recent_pain - baseline_pain, PAIN_RISE):
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

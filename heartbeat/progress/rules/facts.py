"""What the rules read: session facts, stage rules and sign-offs, and the kinds that count.

The kinds come from :class:`heartbeat.training.models.SessionKind`, the one definition of the
vocabulary; the sets below only say which of them count for what.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from heartbeat.progress.ladder import CRITERION_KINDS, DEFAULT_LADDER, StageSpec
from heartbeat.training.kinds import SessionKind

SessionId = int
StageId = int

SESSION_KINDS: tuple[str, ...] = tuple(kind.value for kind in SessionKind)
# Pushes reach stages and personal bests: not hand-cycle, not strength.
PUSH_KINDS: frozenset[str] = frozenset(
    kind.value
    for kind in (SessionKind.TRACK, SessionKind.ROAD, SessionKind.ROLLER, SessionKind.RACE)
)
# Every kind that covers ground adds to distance totals and clubs: strength never does.
DISTANCE_KINDS: frozenset[str] = frozenset(
    kind.value for kind in SessionKind if kind is not SessionKind.STRENGTH
)
MARATHON_FINISH_KINDS: frozenset[str] = PUSH_KINDS
_RACE = SessionKind.RACE.value

# Absorbs float noise from unit conversion (26.21875 mi is 42,194.988 m), nothing more.
THRESHOLD_TOLERANCE_M = 0.05


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
    counts: bool = True  # False for unverified self-reported sessions (``TrainingSession.counts``)
    pain: int | None = None
    rpe: int | None = None
    history: bool = False  # from before enrolment, saved as history (``before_enrolment``)

    def __post_init__(self) -> None:
        _require_aware(self.started_at, "started_at")
        if self.kind not in SESSION_KINDS:
            raise ValueError(f"unknown session kind {self.kind!r}; expected one of {SESSION_KINDS}")
        if self.distance_m < 0:
            raise ValueError("distance_m cannot be negative")

    @property
    def record(self) -> bool:
        """Counts towards records (clubs, Heartbeat Miles, personal bests, progress to a stage):
        confirmed, and done in the programme. See the package's "What counts"."""
        return self.counts and not self.history

    @property
    def activity(self) -> bool:
        """Counts towards what someone has been doing (this week, weekly distance, streak,
        recent effort): every session logged in the programme, confirmed or still waiting."""
        return not self.history

    @property
    def waiting(self) -> bool:
        """Logged in the programme, waiting for a therapist to confirm it."""
        return not self.counts and not self.history

    @property
    def race(self) -> bool:
        return self.is_race or self.kind == _RACE

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


# --- small shared measures -------------------------------------------------------------------


def in_start_order(session: SessionFact) -> tuple[datetime, SessionId]:
    """Sort key: by start, ties by session id."""
    return (session.started_at, session.id)


def reaches(distance_m: float, threshold_m: float) -> bool:
    return distance_m + THRESHOLD_TOLERANCE_M >= threshold_m


def at_least(value: float, bound: float) -> bool:
    return value >= bound or math.isclose(value, bound)


def local_date(session: SessionFact, tz: tzinfo) -> date:
    return session.started_at.astimezone(tz).date()

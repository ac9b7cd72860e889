"""Shoulder load: pushes estimated from cadence x moving time, and the acute:chronic ratio
(the last 7 days against the weekly average of the last 28), flagged above 1.5 only while pain
or the WUSPI is rising: the ratio is never a warning by itself. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

# Kinds pushed on the rims (hand-cycling and strength work load the shoulders differently);
# skills work (starts, braking, turns) is pushing too, and starts load the shoulder most.
PUSH_KINDS = frozenset({"track", "road", "roller", "skills", "race"})
# Pushes a minute when a session has no cadence: a middling racing cadence (typed cadences and
# device files override it).
DEFAULT_CADENCE_PPM = 90
ACUTE_DAYS = 7
CHRONIC_DAYS = 28
RATIO_FLAG = 1.5


@dataclass(frozen=True)
class PushSession:
    started_at: datetime
    kind: str
    moving_time_s: int | None
    cadence_ppm: int | None
    pain: int | None


def pushes(session: PushSession) -> float:
    """Estimated pushes: cadence (or the default) x minutes of moving time; 0 when not a push."""
    if session.kind not in PUSH_KINDS or not session.moving_time_s:
        return 0.0
    cadence = session.cadence_ppm if session.cadence_ppm else DEFAULT_CADENCE_PPM
    return cadence * session.moving_time_s / 60


@dataclass(frozen=True)
class ShoulderLoad:
    acute_pushes: float  # the last 7 days
    chronic_weekly_pushes: float  # the last 28 days (the 7 included), per week
    ratio: float | None  # acute / chronic weekly; None without a chronic load
    estimated: bool  # some sessions had no cadence: the default was used
    pain_rising: bool  # mean pain of the last 7 days above that of the 21 before
    wuspi_rising: bool
    flagged: bool  # ratio above 1.5 while pain or WUSPI rises


def shoulder_load(
    sessions: Iterable[PushSession], today: date, tz: tzinfo, *, wuspi_rising: bool = False
) -> ShoulderLoad:
    acute_from = today - timedelta(days=ACUTE_DAYS - 1)
    chronic_from = today - timedelta(days=CHRONIC_DAYS - 1)
    acute = chronic = 0.0
    estimated = False
    pain_recent: list[int] = []
    pain_before: list[int] = []
    for session in sessions:
        day = session.started_at.astimezone(tz).date()
        if day < chronic_from or day > today:
            continue
        count = pushes(session)
        if count and not session.cadence_ppm:
            estimated = True
        chronic += count
        if day >= acute_from:
            acute += count
            if session.pain is not None:
                pain_recent.append(session.pain)
        elif session.pain is not None:
            pain_before.append(session.pain)
    weekly = chronic * 7 / CHRONIC_DAYS
    ratio = round(acute / weekly, 2) if weekly else None
    pain_rising = bool(pain_recent and pain_before) and (
        sum(pain_recent) / len(pain_recent) > sum(pain_before) / len(pain_before)
    )
    flagged = ratio is not None and ratio > RATIO_FLAG and (pain_rising or wuspi_rising)
    return ShoulderLoad(
        acute_pushes=round(acute),
        chronic_weekly_pushes=round(weekly),
        ratio=ratio,
        estimated=estimated,
        pain_rising=pain_rising,
        wuspi_rising=wuspi_rising,
        flagged=flagged,
    )

"""Personal bests, distance totals, weekly distance and the weekly streak."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from heartbeat.progress.ladder import HALF_MARATHON_M, MARATHON_M
from heartbeat.progress.rules.facts import (
    DISTANCE_KINDS,
    SessionFact,
    SessionId,
    in_start_order,
    local_date,
    reaches,
)

# Personal bests: a session counts for a distance if it is at most this much longer.
PB_DISTANCES: tuple[tuple[str, float], ...] = (
    ("5K", 5000.0),
    ("10K", 10000.0),
    ("Half marathon", HALF_MARATHON_M),
    ("Marathon", MARATHON_M),
)
PB_MAX_OVER = 0.02


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
    pushes = sorted((s for s in sessions if s.record and s.push), key=in_start_order)
    longest: SessionFact | None = None
    for session in pushes:
        if session.distance_m > 0 and (longest is None or session.distance_m > longest.distance_m):
            longest = session

    fastest: dict[str, tuple[int, SessionId]] = {}
    # One pass over the pushes (a busy athlete has thousands), each checked against every distance.
    shortest = min(distance for _, distance in PB_DISTANCES)
    for session in pushes:
        if not reaches(session.distance_m, shortest):
            continue
        time_s = session.time_s
        if not time_s or time_s <= 0:
            continue
        for label, distance in PB_DISTANCES:
            if not reaches(session.distance_m, distance):
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
    """All distance towards records (confirmed, in the programme), hand-cycle included, strength
    never: the Heartbeat Miles total the clubs follow."""
    return sum((s.distance_m for s in sessions if s.record and s.kind in DISTANCE_KINDS), 0.0)


def waiting_distance_m(sessions: Iterable[SessionFact]) -> float:
    """Distance logged in the programme and still waiting for a therapist to confirm it."""
    return sum((s.distance_m for s in sessions if s.waiting and s.kind in DISTANCE_KINDS), 0.0)


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weekly_distance(
    sessions: Iterable[SessionFact],
    weeks: int,
    today: date,
    tz: tzinfo,
    *,
    waiting_only: bool = False,
) -> list[tuple[date, float]]:
    """``[(monday, metres), ...]`` for the last ``weeks`` ISO weeks, oldest first, this week last.

    Weeks with nothing are 0.0. A session belongs to the week of its start in ``tz`` (the
    participant's or the centre's zone), so a Sunday-evening push in Los Angeles stays on Sunday.
    Activity: every session logged in the programme counts, confirmed or still waiting (pass
    ``waiting_only`` for the part still waiting, which pages name).
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    this_week = week_start(today)
    totals = {this_week - timedelta(weeks=n): 0.0 for n in range(weeks - 1, -1, -1)}
    for session in sessions:
        if session.kind not in DISTANCE_KINDS:
            continue
        if not (session.waiting if waiting_only else session.activity):
            continue
        week = week_start(local_date(session, tz))
        if week in totals:
            totals[week] += session.distance_m
    return list(totals.items())


def streak_weeks(sessions: Iterable[SessionFact], today: date, tz: tzinfo) -> int:
    """Consecutive ISO weeks, ending with this one, with at least one session logged.

    Any kind counts here, strength included, confirmed or still waiting: the streak rewards
    turning up (activity, not a record). This week is still running, so while it is empty the
    streak counts back from last week instead of breaking.
    """
    # Distinct days first: thousands of sessions fall on far fewer days, and weeks follow days.
    days = {local_date(s, tz) for s in sessions if s.activity}
    active = {week_start(day) for day in days}
    week = week_start(today)
    if week not in active:
        week -= timedelta(weeks=1)
    streak = 0
    while week in active:
        streak += 1
        week -= timedelta(weeks=1)
    return streak

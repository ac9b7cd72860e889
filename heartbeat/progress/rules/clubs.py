"""Clubs: distance clubs from the running total, marathon clubs from the number of finishes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from heartbeat.core.units import METRES_PER_MILE
from heartbeat.progress.ladder import (
    DISTANCE_CLUBS_MILES,
    MARATHON_FINISH_CLUBS,
    MARATHON_M,
    distance_club_code,
    marathon_club_code,
)
from heartbeat.progress.rules.facts import (
    DISTANCE_KINDS,
    MARATHON_FINISH_KINDS,
    SessionFact,
    SessionId,
    in_start_order,
    reaches,
)


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

    A distance club's evidence is the session whose running total (confirmed sessions of the
    programme of every ground-covering kind, in start order) first reaches the club; one session
    can cross several. A marathon club's evidence is the n-th such push of at least 42,195 m.
    History from before enrolment is left out: clubs count the programme's miles.
    """
    ordered = sorted(
        (s for s in sessions if s.record and s.kind in DISTANCE_KINDS),
        key=in_start_order,
    )
    awards: list[ClubEvidence] = []

    miles_left = sorted(distance_clubs_miles)
    total = 0.0
    for session in ordered:
        total += session.distance_m
        while miles_left and reaches(total, miles_left[0] * METRES_PER_MILE):
            club = distance_club_code(miles_left.pop(0))
            awards.append(ClubEvidence(club, session.started_at, session.id))

    finishes_left = sorted(marathon_clubs)
    finishes = 0
    for session in ordered:
        if session.kind in MARATHON_FINISH_KINDS and reaches(session.distance_m, MARATHON_M):
            finishes += 1
            while finishes_left and finishes >= finishes_left[0]:
                club = marathon_club_code(finishes_left.pop(0))
                awards.append(ClubEvidence(club, session.started_at, session.id))
    return awards


def club_awards_by_code(awards: Iterable[ClubEvidence]) -> dict[str, ClubEvidence]:
    """Key club evidence by club code, ready for ``diff_awards``."""
    return {award.club_code: award for award in awards}

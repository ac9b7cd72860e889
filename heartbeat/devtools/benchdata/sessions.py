"""Training sessions per participant: more and longer as a participant climbs the ladder."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

from heartbeat.progress import rules
from heartbeat.training.models import SessionKind, SessionSource

# Sessions per participant grow steeply with level: a marathoner trains for years.
LEVEL_SESSION_WEIGHT = (1, 2, 3, 5, 8, 14, 25, 45, 90, 400)
# The longest push each level can manage (a little over its top stage's threshold).
LEVEL_MAX_M = (80, 160, 250, 600, 2000, 6000, 12000, 25000, 30000, 44000)
KINDS = (SessionKind.TRACK, SessionKind.ROAD, SessionKind.ROLLER)


def session_counts(rng: random.Random, levels: list[int], total: int) -> list[int]:
    """How many sessions each participant gets: exactly ``total``, at least one each."""
    weights = [LEVEL_SESSION_WEIGHT[level] * rng.lognormvariate(0, 0.5) for level in levels]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    # Hand out the rounding difference so the total is exact.
    diff = total - sum(counts)
    order = sorted(range(len(counts)), key=lambda i: -counts[i])
    i = 0
    while diff != 0 and order:
        index = order[i % len(order)]
        if diff > 0:
            counts[index] += 1
            diff -= 1
        elif counts[index] > 1:
            counts[index] -= 1
            diff += 1
        i += 1
    return counts


def first_morning(enrolled: date) -> datetime:
    """9:00 UTC on the day of enrolment: sessions and sign-offs count from here."""
    return datetime(enrolled.year, enrolled.month, enrolled.day, 9, tzinfo=UTC)


def sessions_for(
    rng: random.Random,
    *,
    first_id: int,
    participant_id: int,
    centre_id: int,
    level: int,
    count: int,
    enrolled: date,
    today: date,
    now: datetime,
) -> tuple[list[dict], list[rules.SessionFact]]:
    """``count`` session rows for one participant, numbered from ``first_id``, in start order,
    with the same sessions as facts for the progress rules."""
    span_days = max(1, (today - enrolled).days)
    start = first_morning(enrolled)
    rows: list[dict] = []
    facts: list[rules.SessionFact] = []
    max_m = LEVEL_MAX_M[level]
    for k in range(count):
        # Sessions spread over the time since enrolment, getting longer as fitness grows.
        when = start + timedelta(days=span_days * k / count, minutes=rng.randint(0, 600))
        growth = 0.3 + 0.7 * (k + 1) / count
        distance = round(
            min(max_m, math.exp(rng.uniform(math.log(60), math.log(max_m))) * growth), 1
        )
        pace = rng.uniform(150, 420)  # seconds per km
        duration = max(30, int(distance / 1000 * pace))
        kind = rng.choice(KINDS)
        rpe = rng.randint(2, 9)
        pain = rng.choice((0, 0, 0, 1, 2, 3, 4, 6))
        rows.append(
            {
                "id": first_id + k,
                "centre_id": centre_id,
                "participant_id": participant_id,
                "started_at": when,
                "kind": kind.value,
                "distance_m": distance,
                "moving_time_s": duration,
                "elapsed_time_s": duration + rng.randint(0, 300),
                "cadence_ppm": rng.randint(60, 110),
                "avg_hr": rng.randint(95, 165),
                "max_hr": rng.randint(165, 190),
                "rpe": rpe,
                "pain": pain,
                "pain_site": "shoulder" if pain >= 4 else None,
                "symptom_reported": False,
                "surface": None,
                "weather": None,
                "chair": None,
                "elevation_gain_m": None,
                "notes": None,
                "event_name": None,
                "official_time_s": None,
                "place_in_class": None,
                "source": SessionSource.STAFF.value,
                "self_reported": False,
                "verified_at": None,
                "verified_by_id": None,
                "recorded_by_id": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        facts.append(
            rules.SessionFact(
                id=first_id + k,
                started_at=when,
                kind=kind.value,
                distance_m=distance,
                duration_s=duration,
                pain=pain,
                rpe=rpe,
            )
        )
    return rows, facts

"""A large, realistic data set for benchmarks, written fast with bulk inserts.

Deterministic from a seed. Most participants sit early on the ladder with few sessions; a few
marathoners have thousands. Awards are computed with the same pure rules the milestone engine
uses (``progress.rules``), so the data set is consistent: every award has its evidence.

Rows get explicit ids (so sessions can point at participants without reading anything back), in
chunks through ``insert()`` executemany; on PostgreSQL the id sequences are moved past them.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from heartbeat.auth.models import Role, User
from heartbeat.auth.passwords import hash_password
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import (
    ClassificationStatus,
    Consent,
    ConsentKind,
    ImpairmentCategory,
    Participant,
    ParticipantStatus,
    RacingClass,
)
from heartbeat.progress import rules
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.services import club_key, seed_default_ladder, stage_key, stage_rules
from heartbeat.training.models import SessionKind, SessionSource, TrainingSession

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - throwaway benchmark accounts
CHUNK = 20_000
# How far up the ladder people are: index = stages reached (0..9), mostly early on.
LEVEL_WEIGHTS = (0.14, 0.18, 0.15, 0.12, 0.10, 0.09, 0.08, 0.06, 0.045, 0.035)
# Sessions per participant grow steeply with level: a marathoner trains for years.
LEVEL_SESSION_WEIGHT = (1, 2, 3, 5, 8, 14, 25, 45, 90, 400)
# The longest push each level can manage (a little over its top stage's threshold).
LEVEL_MAX_M = (80, 160, 250, 600, 2000, 6000, 12000, 25000, 30000, 44000)
GIVEN = (
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Eilidh",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomasz",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zoë",
)
FAMILY = (
    "Okafor",
    "Smith",
    "Nowak",
    "Haddad",
    "García",
    "Kowalski",
    "Nguyen",
    "Brown",
    "Ødegård",
    "Fischer",
    "Rossi",
    "Tanaka",
    "Murphy",
    "Silva",
    "Khan",
    "Jones",
)
CLASSES = (
    RacingClass.T54,
    RacingClass.T53,
    RacingClass.T52,
    RacingClass.T51,
    RacingClass.T34,
    RacingClass.UNCLASSIFIED,
)
KINDS = (SessionKind.TRACK, SessionKind.ROAD, SessionKind.ROLLER)


@dataclass
class BenchSummary:
    centres: int = 0
    participants: int = 0
    sessions: int = 0
    awards: int = 0
    seconds: float = 0.0
    busiest_participant_id: int | None = None
    busiest_sessions: int = 0
    first_centre_slug: str = ""
    logins: dict[str, str] = field(default_factory=dict)


def _chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _bulk(model, rows: list[dict]) -> None:
    table = model.__table__
    for chunk in _chunks(rows):
        db.session.execute(table.insert(), chunk)


def _fix_sequences(models) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # nosec B608  # our own table names, no input
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )


def _session_counts(rng: random.Random, levels: list[int], total: int) -> list[int]:
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


def seed_bench(
    *,
    centres: int,
    participants: int,
    sessions: int,
    seed: int = 2026,
    today: date | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> BenchSummary:
    """Add ``centres`` centres holding ``participants`` participants and ``sessions`` sessions.

    Adds to what is there (slugs ``bench-<n>`` continue after existing bench centres), commits
    as it goes. Returns where the interesting rows are, for the benchmarks to open.
    """
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    today = today or date.today()
    now = datetime.now(UTC)
    summary = BenchSummary()
    password_hash = hash_password(BENCH_PASSWORD)

    existing = db.session.scalar(
        sa.select(sa.func.count()).select_from(Centre).where(Centre.slug.like("bench-%"))
    )
    centre_rows: list[Centre] = []
    staff: dict[int, list[int]] = {}
    for n in range(existing + 1, existing + centres + 1):
        centre = Centre(name=f"Bench Centre {n}", slug=f"bench-{n}", timezone="Europe/London")
        db.session.add(centre)
        db.session.flush()
        seed_default_ladder(centre.id)
        users = [
            User(email=f"admin@bench-{n}.example", name=f"Admin {n}", role=Role.ADMIN),
            *(
                User(
                    email=f"therapist{t}@bench-{n}.example",
                    name=f"Therapist {n}.{t}",
                    role=Role.THERAPIST,
                )
                for t in range(1, 4)
            ),
        ]
        for user in users:
            user.centre_id = centre.id
            user.password_hash = password_hash
        db.session.add_all(users)
        db.session.flush()
        staff[centre.id] = [user.id for user in users]
        centre_rows.append(centre)
    db.session.commit()
    summary.centres = len(centre_rows)
    if centre_rows:
        summary.first_centre_slug = centre_rows[0].slug
        summary.logins = {
            "admin": f"admin@{centre_rows[0].slug}.example",
            "therapist": f"therapist1@{centre_rows[0].slug}.example",
            "password": BENCH_PASSWORD,
        }
    log(f"centres: {len(centre_rows)}")

    ladders = {
        centre.id: stage_rules(
            db.session.scalars(
                sa.select(LadderStage)
                .where(LadderStage.centre_id == centre.id)
                .order_by(LadderStage.position)
            )
        )
        for centre in centre_rows
    }

    # --- participants ---------------------------------------------------------------------------
    first_participant = _next_id(Participant)
    levels = rng.choices(range(len(LEVEL_WEIGHTS)), weights=LEVEL_WEIGHTS, k=participants)
    participant_rows: list[dict] = []
    consent_rows: list[dict] = []
    first_consent = _next_id(Consent)
    owners: list[tuple[int, int]] = []  # (participant id, centre id)
    for index in range(participants):
        pid = first_participant + index
        centre = centre_rows[index % len(centre_rows)]
        enrolled = today - timedelta(days=rng.randint(30, 3 * 365))
        impairment = rng.choice(list(ImpairmentCategory))
        participant_rows.append(
            {
                "id": pid,
                "centre_id": centre.id,
                "given_name": rng.choice(GIVEN),
                "family_name": f"{rng.choice(FAMILY)}-{pid}",
                "preferred_name": None,
                "date_of_birth": date(rng.randint(1955, 2008), rng.randint(1, 12), 1),
                "email": None,
                "phone": None,
                "emergency_name": None,
                "emergency_phone": None,
                "impairment": impairment.value,
                "condition": None,
                "sci_level": rng.choice(("C6", "T4", "T10", "L1"))
                if impairment == ImpairmentCategory.SCI
                else None,
                "racing_class": rng.choice(CLASSES).value,
                "classification_status": rng.choice(list(ClassificationStatus)).value,
                "classification_review_on": None,
                "enrolled_on": enrolled,
                "therapist_id": rng.choice(staff[centre.id][1:]),
                "goal": None,
                "goal_milestone": None,
                "goal_target_on": None,
                "status": ParticipantStatus.ACTIVE.value
                if rng.random() < 0.9
                else ParticipantStatus.PAUSED.value,
                "current_stage_id": None,
                "last_session_at": None,
                "last_pain": None,
                "sessions_stamp": rng.getrandbits(62),
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "user_id": None,
            }
        )
        consent_rows.append(
            {
                "id": first_consent + index,
                "centre_id": centre.id,
                "participant_id": pid,
                "kind": ConsentKind.DATA_PROCESSING.value,
                "given": True,
                "recorded_on": enrolled,
                "recorded_by_id": None,
                "recorded_at": now,
            }
        )
        owners.append((pid, centre.id))

    # --- sessions and awards, generated together ------------------------------------------------
    counts = _session_counts(rng, levels, sessions) if participants else []
    first_session = _next_id(TrainingSession)
    first_award = _next_id(Award)
    session_rows: list[dict] = []
    award_rows: list[dict] = []
    next_session = first_session
    for index, (pid, centre_id) in enumerate(owners):
        level, count = levels[index], counts[index]
        enrolled = participant_rows[index]["enrolled_on"]
        span_days = max(1, (today - enrolled).days)
        start = datetime(enrolled.year, enrolled.month, enrolled.day, 9, tzinfo=UTC)
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
            session_rows.append(
                {
                    "id": next_session,
                    "centre_id": centre_id,
                    "participant_id": pid,
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
                    id=next_session,
                    started_at=when,
                    kind=kind.value,
                    distance_m=distance,
                    duration_s=duration,
                    pain=pain,
                    rpe=rpe,
                )
            )
            next_session += 1
        if count > summary.busiest_sessions and centre_id == centre_rows[0].id:
            summary.busiest_sessions, summary.busiest_participant_id = count, pid

        stage_list = ladders[centre_id]
        signed = [
            rules.SignOff(stage.id, start + timedelta(days=7 * stage.position))
            for stage in stage_list
            if stage.kind == "signoff" and stage.position <= level
        ]
        reached = rules.reached_stages(stage_list, facts, signed)
        for stage_id, evidence in reached.items():
            award_rows.append(
                _award_row(
                    first_award + len(award_rows),
                    centre_id,
                    pid,
                    stage_key(stage_id),
                    evidence,
                    rng,
                    now,
                    stage_id=stage_id,
                )
            )
        for club in rules.club_awards(facts):
            award_rows.append(
                _award_row(
                    first_award + len(award_rows),
                    centre_id,
                    pid,
                    club_key(club.club_code),
                    rules.Evidence(club.session_id, club.achieved_at),
                    rng,
                    now,
                    club_code=club.club_code,
                )
            )
        current = rules.current_stage(stage_list, set(reached))
        participant_rows[index]["current_stage_id"] = current.id if current else None
        if facts:  # what the milestone engine keeps on the participant, as it would
            participant_rows[index]["last_session_at"] = facts[-1].started_at
            participant_rows[index]["last_pain"] = next(
                (fact.pain for fact in reversed(facts) if fact.pain is not None), None
            )

    log(f"generated {len(session_rows):,} sessions in {time.perf_counter() - started:.1f} s")
    _bulk(Participant, participant_rows)
    _bulk(Consent, consent_rows)
    db.session.commit()
    for chunk in _chunks(session_rows, 50_000):
        _bulk(TrainingSession, chunk)
        db.session.commit()
    _bulk(Award, award_rows)
    _fix_sequences([Participant, Consent, TrainingSession, Award, User, Centre, LadderStage])
    db.session.commit()
    summary.participants = len(participant_rows)
    summary.sessions = len(session_rows)
    summary.awards = len(award_rows)
    summary.seconds = time.perf_counter() - started
    log(f"written in {summary.seconds:.1f} s")
    return summary


def _award_row(
    award_id: int,
    centre_id: int,
    participant_id: int,
    key: str,
    evidence: rules.Evidence,
    rng: random.Random,
    now: datetime,
    *,
    stage_id: int | None = None,
    club_code: str | None = None,
) -> dict:
    # Most awards are verified; the newest few wait for a therapist.
    verified = rng.random() < 0.85
    return {
        "id": award_id,
        "centre_id": centre_id,
        "participant_id": participant_id,
        "key": key,
        "stage_id": stage_id,
        "club_code": club_code,
        "achieved_at": evidence.achieved_at,
        "evidence_session_id": evidence.session_id,
        "verified_at": evidence.achieved_at + timedelta(days=2) if verified else None,
        "verified_by_id": None,
        "needs_review": False,
        "review_reason": None,
        "version": 1,
        "created_at": now,
    }

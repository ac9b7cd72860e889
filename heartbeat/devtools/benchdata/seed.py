"""``seed_bench``: the whole benchmark data set, generated in memory and written in bulk."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.auth.passwords import hash_password
from heartbeat.centres.models import Centre
from heartbeat.devtools.benchdata.awards import awards_for
from heartbeat.devtools.benchdata.people import add_centres, make_participants
from heartbeat.devtools.benchdata.sessions import first_morning, session_counts, sessions_for
from heartbeat.devtools.benchdata.writing import bulk_insert, chunks, fix_sequences, next_id
from heartbeat.extensions import db
from heartbeat.participants.models import Consent, Participant
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.services import stage_rules
from heartbeat.training.models import TrainingSession

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - throwaway benchmark accounts


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

    centre_rows, staff = add_centres(centres, hash_password(BENCH_PASSWORD))
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
    people = make_participants(rng, participants, centre_rows, staff, today=today, now=now)

    # Sessions and awards, generated together: the same generator draws for both, in turn.
    counts = session_counts(rng, people.levels, sessions) if participants else []
    first_session = next_id(TrainingSession)
    first_award = next_id(Award)
    session_rows: list[dict] = []
    award_rows: list[dict] = []
    for index, (pid, centre_id) in enumerate(people.owners):
        level, count = people.levels[index], counts[index]
        participant = people.rows[index]
        enrolled = participant["enrolled_on"]
        rows, facts = sessions_for(
            rng,
            first_id=first_session + len(session_rows),
            participant_id=pid,
            centre_id=centre_id,
            level=level,
            count=count,
            enrolled=enrolled,
            today=today,
            now=now,
        )
        session_rows.extend(rows)
        if count > summary.busiest_sessions and centre_id == centre_rows[0].id:
            summary.busiest_sessions, summary.busiest_participant_id = count, pid

        awards, current = awards_for(
            rng,
            first_id=first_award + len(award_rows),
            centre_id=centre_id,
            participant_id=pid,
            stages=ladders[centre_id],
            level=level,
            start=first_morning(enrolled),
            facts=facts,
            now=now,
        )
        award_rows.extend(awards)
        participant["current_stage_id"] = current.id if current else None
        if facts:  # what the milestone engine keeps on the participant, as it would
            participant["last_session_at"] = facts[-1].started_at
            participant["last_pain"] = next(
                (fact.pain for fact in reversed(facts) if fact.pain is not None), None
            )

    log(f"generated {len(session_rows):,} sessions in {time.perf_counter() - started:.1f} s")
    bulk_insert(Participant, people.rows)
    bulk_insert(Consent, people.consents)
    db.session.commit()
    for chunk in chunks(session_rows, 50_000):
        bulk_insert(TrainingSession, chunk)
        db.session.commit()
    bulk_insert(Award, award_rows)
    fix_sequences([Participant, Consent, TrainingSession, Award, User, Centre, LadderStage])
    db.session.commit()
    summary.participants = len(people.rows)
    summary.sessions = len(session_rows)
    summary.awards = len(award_rows)
    summary.seconds = time.perf_counter() - started
    log(f"written in {summary.seconds:.1f} s")
    return summary

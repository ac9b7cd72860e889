"""Two writers at the same moment: both land, nothing is duplicated, nobody gets an error."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award
from heartbeat.progress.services import evaluate_awards, seed_default_ladder
from heartbeat.training.models import SessionKind, TrainingSession
from tests.participants.conftest import Helpers


def test_sessions_saved_at_once_for_one_person_make_each_award_once(app, world):
    participant_id = Helpers(app).enrol(world.a)
    with app.app_context():
        seed_default_ladder(world.a.centre.id)
        db.session.commit()
    writers = 6
    ready = threading.Barrier(writers)
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            with app.app_context():
                ready.wait(timeout=10)
                participant = db.session.get(Participant, participant_id)
                db.session.add(
                    TrainingSession(
                        centre_id=participant.centre_id,
                        participant_id=participant_id,
                        started_at=datetime(2025, 5, 1, 9, tzinfo=UTC) + timedelta(minutes=n),
                        kind=SessionKind.TRACK,
                        distance_m=5100.0,
                        moving_time_s=1500,
                    )
                )
                db.session.flush()
                evaluate_awards(participant)
                db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with app.app_context():
        keys = db.session.scalars(
            sa.select(Award.key).where(Award.participant_id == participant_id)
        ).all()
        sessions = db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession))
    assert sessions == writers
    assert len(keys) == len(set(keys))  # each award once
    # First push, one lap, one mile, 5K, and the 10-mile club (6 x 5.1 km).
    assert len(keys) == 5

"""The benchmark data set: the sizes asked for, deterministic, and consistent with the engine."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.devtools.benchdata import seed_bench
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award
from heartbeat.progress.services import evaluate_awards
from heartbeat.training.models import TrainingSession


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_bench_seed_makes_the_sizes_asked_for(app):
    with app.app_context():
        summary = seed_bench(centres=3, participants=60, sessions=3000)
        assert (_count(Participant), _count(TrainingSession)) == (60, 3000)
        assert summary.awards == _count(Award) > 0
        assert summary.busiest_sessions > 3000 / 60  # the distribution is skewed


def test_generated_awards_are_exactly_what_the_milestone_engine_reaches(app):
    with app.app_context():
        seed_bench(centres=2, participants=40, sessions=2500, seed=7)
        participants = db.session.scalars(sa.select(Participant)).all()
        stages_before = {
            p.id: (p.current_stage_id, p.last_session_at, p.last_pain) for p in participants
        }
        for participant in participants:
            result = evaluate_awards(participant)
            assert not result.changed, (participant.id, result)
        db.session.expire_all()
        after = {
            p.id: (p.current_stage_id, p.last_session_at, p.last_pain)
            for p in db.session.scalars(sa.select(Participant))
        }
        assert after == stages_before


def test_the_same_seed_gives_the_same_data(app):
    with app.app_context():
        seed_bench(centres=1, participants=10, sessions=200, seed=3)
        first = (
            db.session.execute(sa.select(TrainingSession.distance_m).order_by(TrainingSession.id))
            .scalars()
            .all()
        )
        db.session.execute(sa.delete(Award))
        db.session.execute(sa.delete(TrainingSession))
        db.session.commit()
        seed_bench(centres=1, participants=10, sessions=200, seed=3)
        second = (
            db.session.execute(sa.select(TrainingSession.distance_m).order_by(TrainingSession.id))
            .scalars()
            .all()
        )
    assert first == second


def test_bench_seed_command_reports_what_it_added(runner, app):
    result = runner.invoke(
        args=["bench-seed", "--centres", "2", "--participants", "8", "--sessions", "100"]
    )
    assert result.exit_code == 0, result.output
    assert "Added 2 centres, 8 participants, 100 sessions" in result.output
    with app.app_context():
        assert _count(TrainingSession) == 100


def test_bench_seed_refuses_sessions_without_participants(runner):
    result = runner.invoke(args=["bench-seed", "--participants", "0", "--sessions", "10"])
    assert result.exit_code != 0
    assert "sessions need participants" in result.output

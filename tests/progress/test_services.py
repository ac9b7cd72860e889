"""The milestone engine against a real database: awards follow sessions, idempotently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress import services
from heartbeat.progress.models import Award, LadderStage
from heartbeat.training.models import SessionKind, TrainingSession
from tests.participants.conftest import Helpers

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def pid(app, world):
    participant_id = Helpers(app).enrol(world.a)
    with app.app_context():
        services.seed_default_ladder(world.a.centre.id)
        db.session.commit()
    return participant_id


def _add_session(participant_id: int, distance_m: float, *, days: int = 0, **extra) -> int:
    participant = db.session.get(Participant, participant_id)
    session = TrainingSession(
        centre_id=participant.centre_id,
        participant_id=participant_id,
        started_at=START + timedelta(days=days),
        kind=extra.pop("kind", SessionKind.TRACK),
        distance_m=distance_m,
        moving_time_s=extra.pop("moving_time_s", 600),
        **extra,
    )
    db.session.add(session)
    db.session.flush()
    return session.id


def _evaluate(participant_id: int, **kwargs) -> services.EvaluationResult:
    participant = db.session.get(Participant, participant_id)
    result = services.evaluate_awards(participant, **kwargs)
    db.session.commit()
    return result


def _award_codes(participant_id: int) -> dict[str, Award]:
    rows = db.session.execute(
        sa.select(Award, LadderStage.code)
        .outerjoin(LadderStage, Award.stage_id == LadderStage.id)
        .where(Award.participant_id == participant_id)
    ).all()
    return {code or award.club_code: award for award, code in rows}


def test_create_centre_gives_it_the_default_ladder(app):
    from heartbeat.centres.services import create_centre

    with app.app_context():
        centre = create_centre(name="Hillside", slug="hillside")
        codes = [stage.code for stage in services.ladder(centre.id)]
    assert codes[0] == "chair-fitted"
    assert codes[-1] == "marathon"
    assert len(codes) == 9


def test_a_5k_push_reaches_every_distance_stage_up_to_5k_and_waits_for_verification(app, pid):
    with app.app_context():
        _add_session(pid, 5200)
        result = _evaluate(pid)
        awards = _award_codes(pid)
    assert set(awards) == {"first-push", "one-lap", "one-mile", "5k"}
    assert len(result.added) == 4
    assert all(not award.verified for award in awards.values())


def test_evaluating_twice_changes_nothing(app, pid):
    with app.app_context():
        _add_session(pid, 1700)
        _evaluate(pid)
        again = _evaluate(pid)
    assert not again.changed


def test_deleting_the_evidence_withdraws_an_unverified_award(app, pid):
    with app.app_context():
        session_id = _add_session(pid, 450)
        _add_session(pid, 150, days=1)
        _evaluate(pid)
        db.session.delete(db.session.get(TrainingSession, session_id))
        db.session.flush()
        result = _evaluate(pid)
        awards = _award_codes(pid)
    assert set(awards) == {"first-push"}
    assert len(result.withdrawn) == 1
    assert awards["first-push"].achieved_at == START + timedelta(days=1)


def test_a_verified_award_whose_evidence_vanishes_is_flagged_not_withdrawn(app, pid, world):
    with app.app_context():
        session_id = _add_session(pid, 450)
        _evaluate(pid)
        therapist = db.session.get(User, world.a.therapist.id)
        services.verify_awards(_award_codes(pid).values(), actor=therapist)
        db.session.commit()
        db.session.delete(db.session.get(TrainingSession, session_id))
        db.session.flush()
        result = _evaluate(pid)
        awards = _award_codes(pid)
    assert set(awards) == {"first-push", "one-lap"}
    assert all(award.needs_review for award in awards.values())
    assert all(award.review_reason == "evidence_vanished" for award in awards.values())
    assert len(result.flagged) == 2


def test_unverified_self_report_reaches_nothing_until_verified(app, pid):
    with app.app_context():
        _add_session(pid, 500, self_reported=True)
        assert not _evaluate(pid).changed
        db.session.execute(sa.update(TrainingSession).values(verified_at=START))
        _evaluate(pid)
        assert set(_award_codes(pid)) == {"first-push", "one-lap"}


def test_sign_off_is_verified_at_once_and_survives_evaluation(app, pid, world):
    with app.app_context():
        participant = db.session.get(Participant, pid)
        stage = next(s for s in services.ladder(participant.centre_id) if s.code == "chair-fitted")
        therapist = db.session.get(User, world.a.therapist.id)
        services.sign_off(participant, stage, actor=therapist)
        db.session.commit()
        assert not _evaluate(pid).changed
        award = _award_codes(pid)["chair-fitted"]
        with pytest.raises(services.ProgressError):
            services.sign_off(participant, stage, actor=therapist)
    assert award.verified_by_id == world.a.therapist.id


def test_cumulative_distance_reaches_the_ten_mile_club(app, pid):
    with app.app_context():
        for day in range(4):
            _add_session(pid, 4100, days=day, kind=SessionKind.HANDCYCLE)
        _evaluate(pid)
        awards = _award_codes(pid)
    # Hand-cycling counts towards clubs but is no push for the ladder.
    assert set(awards) == {"miles-10"}


def test_evaluation_is_audited(app, pid):
    with app.app_context():
        _add_session(pid, 120)
        _evaluate(pid)
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "awards.evaluate")
        ).all()
    assert len(events) == 1
    assert events[0].changes["added"]["after"]


def test_the_engine_keeps_the_participants_current_stage(app, pid, world):
    with app.app_context():
        stages = {stage.code: stage for stage in services.ladder(world.a.centre.id)}
        _evaluate(pid)
        assert db.session.get(Participant, pid).current_stage_id == stages["chair-fitted"].id
        participant = db.session.get(Participant, pid)
        services.sign_off(
            participant, stages["chair-fitted"], actor=db.session.get(User, world.a.therapist.id)
        )
        _add_session(pid, 150)
        _evaluate(pid)
        db.session.expire_all()
        assert db.session.get(Participant, pid).current_stage_id == stages["steer-and-stop"].id

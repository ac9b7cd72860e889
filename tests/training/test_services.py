"""The training services against a real database: audit rows, and awards that follow sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.core.edits import StaleEdit
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training import services
from heartbeat.training.models import PainSite, SessionKind, SessionSource, TrainingSession
from tests.training.conftest import START, session_values


def _load(app, training, session_id):
    """The session, its participant and the centre's therapist, attached to a fresh session."""
    session = db.session.get(TrainingSession, session_id)
    participant = db.session.get(Participant, session.participant_id)
    therapist = db.session.get(User, training.world.a.therapist.id)
    return session, participant, therapist


def test_a_450_m_session_reaches_first_push_and_one_lap(training):
    training.add(distance_m=450)
    assert training.award_codes() == {"first-push", "one-lap"}


def test_logging_a_session_writes_a_create_audit_row(training):
    session_id = training.add(distance_m=450, rpe=6, pain=2, pain_site=PainSite.SHOULDER)
    [event] = training.audit("session.create")
    assert (event.entity_type, event.entity_id) == ("training_session", session_id)
    assert event.actor_id == training.world.a.therapist.id
    assert event.changes["distance_m"] == {"before": None, "after": 450}
    assert event.changes["pain_site"] == {"before": None, "after": "shoulder"}
    assert event.changes["started_at"]["after"] == START.isoformat()
    assert event.changes["source"]["after"] == "staff"
    assert training.audit("awards.evaluate"), "the milestone engine ran in the same transaction"


def test_editing_reevaluates_and_audits_field_level_changes(app, training):
    session_id = training.add(distance_m=450)
    with app.app_context():
        session, participant, therapist = _load(app, training, session_id)
        changes = services.update_session(
            session,
            participant,
            actor=therapist,
            values=session_values(distance_m=150, rpe=7),
            expected_version=session.version,
        )
        db.session.commit()
    assert changes == {
        "distance_m": {"before": 450, "after": 150},
        "rpe": {"before": 5, "after": 7},
    }
    [event] = training.audit("session.update")
    assert event.changes == changes
    assert training.award_codes() == {"first-push"}
    assert training.session(session_id).version == 2


def test_an_edit_that_changes_nothing_saves_and_audits_nothing(app, training):
    session_id = training.add()
    with app.app_context():
        session, participant, therapist = _load(app, training, session_id)
        changes = services.update_session(
            session,
            participant,
            actor=therapist,
            values=session_values(),
            expected_version=session.version,
        )
        db.session.commit()
    assert changes == {}
    assert training.audit("session.update") == []
    assert training.session(session_id).version == 1


def test_a_stale_edit_is_refused_and_changes_nothing(app, training):
    session_id = training.add(distance_m=450, rpe=5)
    with app.app_context():
        session, participant, therapist = _load(app, training, session_id)
        session.rpe = 8  # someone else's save
        db.session.commit()
        with pytest.raises(StaleEdit) as caught:
            services.update_session(
                session,
                participant,
                actor=therapist,
                values=session_values(distance_m=450, rpe=4),
                expected_version=1,
            )
        db.session.rollback()
    stale = caught.value
    assert stale.current_version == 2
    assert training.session(session_id).rpe == 8


def test_deleting_withdraws_the_awards_and_audits(app, training):
    session_id = training.add(distance_m=450)
    with app.app_context():
        session, participant, therapist = _load(app, training, session_id)
        services.delete_session(session, participant, actor=therapist)
        db.session.commit()
    assert training.award_codes() == set()
    assert training.session(session_id) is None
    [event] = training.audit("session.delete")
    assert event.entity_id == session_id
    assert event.changes["distance_m"] == {"before": 450, "after": None}


def test_self_reports_count_only_once_verified(app, training):
    training.link(training.pid, training.world.a.participant)
    with app.app_context():
        participant = db.session.get(Participant, training.pid)
        me = db.session.get(User, training.world.a.participant.id)
        session = services.self_report(participant, actor=me, values=session_values(distance_m=450))
        db.session.commit()
        session_id = session.id
    saved = training.session(session_id)
    assert (saved.self_reported, saved.source, saved.verified_at) == (
        True,
        SessionSource.SELF_REPORT,
        None,
    )
    assert training.award_codes() == set()

    with app.app_context():
        session, participant, therapist = _load(app, training, session_id)
        verified = services.verify_sessions(
            [session], {participant.id: participant}, actor=therapist
        )
        db.session.commit()
    assert len(verified) == 1
    assert training.award_codes() == {"first-push", "one-lap"}
    [event] = training.audit("session.verify")
    assert event.entity_id == session_id and event.actor_id == training.world.a.therapist.id
    assert training.session(session_id).verified_by_id == training.world.a.therapist.id


def test_verifying_several_runs_the_engine_once_per_participant(app, training):
    ids = [
        training.add(
            source=SessionSource.SELF_REPORT, distance_m=d, started_at=START + timedelta(days=i)
        )
        for i, d in enumerate((120, 450, 1700))
    ]
    with app.app_context():
        sessions = db.session.scalars(
            sa.select(TrainingSession).where(TrainingSession.id.in_(ids))
        ).all()
        participant = db.session.get(Participant, training.pid)
        therapist = db.session.get(User, training.world.a.therapist.id)
        verified = services.verify_sessions(
            sessions, {participant.id: participant}, actor=therapist
        )
        again = services.verify_sessions(sessions, {participant.id: participant}, actor=therapist)
        db.session.commit()
    assert (len(verified), len(again)) == (3, 0)
    assert len(training.audit("session.verify")) == 3
    assert training.award_codes() == {"first-push", "one-lap", "one-mile"}


def test_a_participant_cannot_self_report_for_someone_else(app, training):
    with app.app_context():
        participant = db.session.get(Participant, training.pid)
        stranger = db.session.get(User, training.world.a.other_participant.id)
        with pytest.raises(services.SessionError):
            services.self_report(participant, actor=stranger, values=session_values())


def test_deleting_a_device_session_removes_its_file_record(app, training):
    from heartbeat.training.imports import import_activity
    from heartbeat.training.models import ActivityFile
    from tests.training.test_devicefiles import WHEELCHAIR_PUSH_RUN, fit_session, make_fit

    data = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN, start=START)])
    with app.app_context():
        participant = db.session.get(Participant, training.pid)
        session = import_activity(participant, actor=None, data=data, filename="a.fit")
        db.session.commit()
        session_id = session.id
    with app.app_context():
        session, participant, therapist = _load(app, training, session_id)
        services.delete_session(session, participant, actor=therapist)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ActivityFile)) == 0


def test_kind_and_source_are_stored_as_given(training):
    session_id = training.add(kind=SessionKind.ROLLER, distance_m=8000, moving_time_s=1800)
    saved = training.session(session_id)
    assert (saved.kind, saved.source, saved.load) == (SessionKind.ROLLER, SessionSource.STAFF, 150)

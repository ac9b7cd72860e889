"""The demo centre has people at every stage of the ladder, with real histories."""

from __future__ import annotations

import re

import sqlalchemy as sa

from heartbeat.db import utcnow
from heartbeat.devtools.demo import seed_demo
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.services import evaluate_awards
from heartbeat.training.models import TrainingSession


def test_the_demo_has_thirty_people_spread_over_the_whole_ladder(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        participants = db.session.scalars(sa.select(Participant)).all()
        assert len(participants) == 30
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)) > 300
        reached_codes = set(
            db.session.scalars(
                sa.select(LadderStage.code).join(Award, Award.stage_id == LadderStage.id)
            )
        )
        all_codes = set(db.session.scalars(sa.select(LadderStage.code)))
        assert reached_codes == all_codes  # someone has reached every stage, marathon included
        verified = db.session.scalar(
            sa.select(sa.func.count()).select_from(Award).where(Award.verified_at.is_not(None))
        )
        waiting = db.session.scalar(
            sa.select(sa.func.count()).select_from(Award).where(Award.verified_at.is_(None))
        )
        assert verified > 50 and waiting > 0
        linked = [p for p in participants if p.user_id is not None]
        assert [p.preferred_name for p in linked] == ["Pat"]


def test_the_demo_awards_are_what_the_milestone_engine_reaches(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        for participant in db.session.scalars(sa.select(Participant)):
            assert not evaluate_awards(participant).changed


def test_the_demo_centre_has_branding_and_certificates_some_printed_one_revoked(app):
    from heartbeat.certificates.models import Certificate

    with app.app_context():
        seed_demo()
        db.session.commit()
        certificates = db.session.scalars(sa.select(Certificate)).all()
        assert len(certificates) >= 20
        assert sum(1 for c in certificates if c.printed_at is not None) >= 10
        assert sum(1 for c in certificates if c.revoked_at is not None) == 1
        assert all(c.sha256 for c in certificates)
        # Wen Zhang writes the family name first, and the certificate prints it so.
        assert "Zhang Wen" in {c.participant_name for c in certificates}
        # "Steer and stop" is a yearly clearance: its certificates carry an expiry, some past.
        expiring = [c for c in certificates if c.valid_until is not None]
        assert expiring and all(c.title == "Steer and stop" for c in expiring)
        assert any(c.valid_until < utcnow() for c in expiring)
        seed_demo()  # again: nothing more is issued
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == len(
            certificates
        )


def test_the_demo_has_an_email_history_and_choices(app):
    from heartbeat.outbox.models import EmailState, OutboxEmail
    from tests.helpers import signed_in

    with app.app_context():
        seed_demo()
        db.session.commit()
        seed_demo()  # again: no second history
        db.session.commit()
        states = db.session.scalars(sa.select(OutboxEmail.state)).all()
    assert sorted(set(states)) == sorted({EmailState.SENT, EmailState.QUEUED, EmailState.FAILED})
    assert len(states) == 7
    page = signed_in(app, "admin@riverside.example").get("/centre/emails").get_data(as_text=True)
    assert "sam.rivers@example.org" in page and "Try again" in page
    account = signed_in(app, "therapist@riverside.example").get("/account/emails")
    friday = re.compile(r'<option (selected value="4"|value="4" selected)')
    assert friday.search(account.get_data(as_text=True))  # the digest on Fridays


def test_the_demo_has_a_staff_invitation_waiting_once(app):
    from heartbeat.auth.models import Invite
    from heartbeat.db import utcnow

    with app.app_context():
        seed_demo()
        db.session.commit()
        seed_demo()
        db.session.commit()
        (invite,) = db.session.scalars(sa.select(Invite)).all()
        assert invite.email == "sam.okafor@riverside.example"
        assert invite.state(utcnow()) == "pending"


def test_the_demo_coach_reads_miles_in_a_kilometre_centre(app):
    from heartbeat.auth.models import User
    from heartbeat.centres.models import Centre, Units

    with app.app_context():
        seed_demo()
        db.session.commit()
        centre = db.session.scalar(sa.select(Centre))
        units = dict(db.session.execute(sa.select(User.email, User.units)).all())
        assert centre.units == Units.KM
        assert units["coach@riverside.example"] == Units.MI
        assert units["therapist@riverside.example"] is None  # the centre's default


def test_the_demo_coach_reads_spanish_in_an_english_centre(app):
    from heartbeat.auth.models import User
    from heartbeat.centres.models import Centre

    with app.app_context():
        seed_demo()
        db.session.commit()
        assert db.session.scalar(sa.select(Centre.language)) == "en"
        languages = dict(db.session.execute(sa.select(User.email, User.language)).all())
    assert languages["coach@riverside.example"] == "es"
    assert languages["therapist@riverside.example"] is None


def test_the_demo_portal_participant_has_a_session_from_a_device_file_with_its_original(app):
    from heartbeat.training import storage
    from heartbeat.training.devicefiles import parse_activity
    from heartbeat.training.models import ActivityFile

    with app.app_context():
        seed_demo()
        db.session.commit()
        [file] = db.session.scalars(sa.select(ActivityFile)).all()
        participant = db.session.get(Participant, file.participant_id)
        assert participant.preferred_name == "Pat"
        original = storage.original(file)
        activity = parse_activity(original)
        assert 2900 < activity.distance_m < 3100  # 7.5 laps of a 400 m track
        assert activity.avg_hr and len(file.route) > 10


def test_the_demo_shows_every_part_of_training_plans(app):
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from heartbeat.auth.models import User
    from heartbeat.plans.models import (
        Plan,
        PlannedSession,
        PlannedSquadSession,
        Squad,
        SquadAttendance,
        SquadSession,
    )
    from heartbeat.plans.services import weeks
    from heartbeat.training.models import SessionKind

    with app.app_context():
        seed_demo()
        db.session.commit()
        pat = db.session.scalars(
            sa.select(Participant)
            .join(User, User.id == Participant.user_id)
            .where(User.email == "participant@riverside.example")
        ).one()
        plan = db.session.scalars(sa.select(Plan).where(Plan.participant_id == pat.id)).one()
        view = weeks.plan_weeks(plan, ZoneInfo("Europe/London"), date.today())
        week = view.current
        assert week is not None and len(week.planned) >= 3
        assert 1 <= len(week.matches) < len(week.planned)  # some done, some still to do
        squad = db.session.scalars(sa.select(Squad)).one()
        assert squad.name and squad.meets_weekday is not None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SquadSession)) == 1
        absent = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SquadAttendance)
            .where(SquadAttendance.attended.is_(False))
        )
        assert absent == 2
        # a one-off skills session planned ahead, and skills sessions in a plan
        (ahead,) = db.session.scalars(sa.select(PlannedSquadSession)).all()
        assert ahead.kind == SessionKind.SKILLS and ahead.squad_id == squad.id
        assert ahead.starts_at.date() > date.today() - timedelta(days=1)
        assert db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PlannedSession)
            .where(PlannedSession.kind == SessionKind.SKILLS)
        )
        seed_demo()  # again: nothing doubles
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SquadSession)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlannedSquadSession)) == 1

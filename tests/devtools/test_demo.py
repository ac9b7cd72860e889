"""The demo centre has people at every stage of the ladder, with real histories."""

from __future__ import annotations

import sqlalchemy as sa

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
        seed_demo()  # again: nothing more is issued
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == len(
            certificates
        )


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

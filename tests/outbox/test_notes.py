"""A participant's milestone and certificate-issued emails (through the events of
progress.services.verification and certificates.services), and their choice to stop them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import services as certificates
from heartbeat.extensions import db
from heartbeat.outbox import sending
from heartbeat.outbox.services import set_preferences
from heartbeat.participants.models import Participant
from heartbeat.progress import services as progress_services
from heartbeat.progress.models import LadderStage
from tests.progress.conftest import progress  # noqa: F401  (the fixture)


@pytest.fixture
def app_config(mail_config):
    return mail_config


def _sign_off_chair_fitted(app, progress_rows) -> int:  # noqa: F811
    with app.app_context():
        participant = db.session.get(Participant, progress_rows.pid)
        stage = db.session.get(LadderStage, progress_rows.stages_a["chair-fitted"])
        therapist = db.session.get(User, progress_rows.world.a.therapist.id)
        award = progress_services.sign_off(participant, stage, actor=therapist)
        db.session.commit()
        return award.id


def test_a_milestone_and_a_certificate_are_emailed_to_the_participant(
    app,
    world,
    mailbox,
    progress,  # noqa: F811
):
    award_id = _sign_off_chair_fitted(app, progress)
    (message,) = mailbox.wait_for(1)
    assert message["To"] == world.a.participant.email
    assert message["Subject"] == "Milestone reached: Chair fitted"
    text = message.get_body(("plain",)).get_content()
    assert "/me/" in text or "/my" in text or "progress" in text
    assert "T10" not in text  # nothing from their record beyond the milestone
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with app.app_context():
        from heartbeat.progress.models import Award

        award = db.session.get(Award, award_id, options=[sa.orm.joinedload(Award.stage)])
        participant = db.session.get(Participant, progress.pid)
        centre = db.session.get(Centre, world.a.centre.id)
        therapist = db.session.get(User, world.a.therapist.id)
        certificates.issue(award, participant=participant, centre=centre, actor=therapist)
        db.session.commit()
    messages = mailbox.wait_for(2)
    assert messages[1]["Subject"].startswith("Your certificate: ")
    assert messages[1]["To"] == world.a.participant.email


def test_a_participant_who_turned_milestones_off_gets_none(app, world, mailbox, progress):  # noqa: F811
    with app.app_context():
        set_preferences(
            world.a.participant.id,
            digest=False,
            milestones=False,
            certificates=True,
            digest_weekday=0,
            digest_hour=8,
        )
        db.session.commit()
    _sign_off_chair_fitted(app, progress)
    sending.wait_until_idle()
    assert mailbox.wait_for(1, timeout=0.5) == []


def test_no_portal_login_no_email(app, world, mailbox, progress):  # noqa: F811
    with app.app_context():
        participant = db.session.get(Participant, progress.pid)
        participant.user_id = None
        db.session.commit()
    _sign_off_chair_fitted(app, progress)
    sending.wait_until_idle()
    assert mailbox.wait_for(1, timeout=0.5) == []


def test_erasing_a_participant_removes_the_emails_to_their_login(app, world, mailbox, progress):  # noqa: F811
    from datetime import date

    from heartbeat.outbox.models import OutboxEmail
    from heartbeat.participants.erasure import erase

    _sign_off_chair_fitted(app, progress)
    mailbox.wait_for(1)
    sending.wait_until_idle()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 1
        participant = db.session.get(Participant, progress.pid)
        admin = db.session.get(User, world.a.admin.id)
        erase(participant, actor=admin, confirm_name=participant.full_name, today=date.today())
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0

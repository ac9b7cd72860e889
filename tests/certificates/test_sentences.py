"""One sentence, built by one function, on the certificate, its check page, its credential and
the participant's celebration banner (issue 14 item 6: "has steers with the compensator…")."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import services
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress import services as progress
from heartbeat.progress.models import LadderStage
from tests.certificates.conftest import pdf_text
from tests.helpers import signed_in

STEER = "steered with the compensator, cornered and braked safely on the track"


@pytest.fixture
def steer_certificate(app, world, certs):
    """Ada, enrolled with a public name, signed off on "Steer and stop" yesterday (recent
    enough for the celebration banner), its certificate issued."""
    achiever = certs.achiever(world.a, public_name=True, login=world.a.participant)
    with app.app_context():
        participant = db.session.get(Participant, achiever.participant_id)
        stage = db.session.scalars(
            sa.select(LadderStage).where(
                LadderStage.centre_id == world.a.centre.id, LadderStage.code == "steer-and-stop"
            )
        ).one()
        therapist = db.session.get(User, world.a.therapist.id)
        award = progress.sign_off(
            participant, stage, actor=therapist, achieved_at=utcnow() - timedelta(days=1)
        )
        award.stage = stage
        certificate = services.issue(
            award,
            participant=participant,
            centre=db.session.get(Centre, world.a.centre.id),
            actor=therapist,
            now=utcnow(),
        )
        db.session.commit()
        return certificate.id, certificate.serial


def test_the_pdf_reads_name_then_the_sentence_without_has(app, certs, steer_certificate):
    certificate_id, _ = steer_certificate
    with app.app_context():
        text = " ".join(
            pdf_text(services.certificate_pdf(certs.certificate(certificate_id))).split()
        )
    # The name is its own large line (text extraction may place it elsewhere); the line under it
    # carries on the sentence.
    assert "Ada Lovelace" in text and f"{STEER}." in text
    assert "has steer" not in text and " has " not in text


def test_the_check_page_detail_page_and_credential_use_the_same_sentence(
    app, world, client, steer_certificate
):
    certificate_id, serial = steer_certificate
    page = client.get(f"/verify/{serial}").get_data(as_text=True)
    assert f"Ada Lovelace {STEER}." in page
    assert "has steer" not in page
    credential = client.get(f"/verify/{serial}.json").get_json()
    assert credential["credentialSubject"]["achievement"]["description"] == f"The holder {STEER}."
    staff = signed_in(app, world.a.therapist.email)
    detail = staff.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert f"Ada Lovelace {STEER}." in detail


def test_the_celebration_banner_says_the_sentence_to_the_participant(app, world, steer_certificate):
    client = signed_in(app, world.a.participant.email)
    page = client.get("/me").get_data(as_text=True)
    assert f"You {STEER}." in page
    assert "you steers" not in page.lower()

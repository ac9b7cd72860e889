"""Certificates in the participant's language: chosen when issued, kept for every reprint."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import printing, queries, services
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from tests.certificates.conftest import NOW, pdf_text
from tests.certificates.test_services import _award


def _speaks(user_id: int, language: str | None) -> None:
    db.session.execute(sa.update(User).where(User.id == user_id).values(language=language))
    db.session.commit()


def _load(certificate_id: int) -> Certificate:
    return db.session.scalars(queries.certificate_query(certificate_id)).unique().one()


def _issue(world, achiever, **kwargs) -> Certificate:
    return services.issue(
        _award(achiever.awards["10k"]),
        participant=db.session.get(Participant, achiever.participant_id),
        centre=db.session.get(Centre, world.a.centre.id),
        actor=db.session.get(User, world.a.therapist.id),
        now=NOW,
        **kwargs,
    )


def test_a_certificate_is_printed_in_the_language_of_the_participants_login(app, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    with app.app_context():
        _speaks(world.a.participant.id, "fr")
        certificate_id = _issue(world, achiever).id
        db.session.commit()
        certificate = _load(certificate_id)
        assert certificate.language == "fr"
        pdf = services.certificate_pdf(certificate)
        assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
        # The dates are drawn with the language's month names (NOW is 2 June 2026).
        assert "2 juin 2026" in pdf_text(pdf)
        # What was recorded (and signed in the credential) stays as the ladder says it.
        assert certificate.description == "completed a continuous 10 km push"
        assert "completed a continuous 10 km push" in str(certificate.credential)


def test_a_reprint_keeps_the_language_it_was_issued_in(app, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    with app.app_context():
        _speaks(world.a.participant.id, "es")
        certificate_id = _issue(world, achiever).id
        db.session.commit()
        _speaks(world.a.participant.id, "fr")
        certificate = _load(certificate_id)
        pdf = services.certificate_pdf(certificate)
        assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
        assert "2 de junio de 2026" in pdf_text(pdf)


def test_the_issuer_may_choose_another_language(app, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    with app.app_context():
        _speaks(world.a.participant.id, "fr")
        assert _issue(world, achiever, language="es").language == "es"


def test_an_unknown_language_is_the_participants_own(app, world, certs):
    achiever = certs.achiever(world.a)
    with app.app_context():
        certificate = _issue(world, achiever, language="xx")
        assert certificate.language == "en"
        pdf = services.certificate_pdf(certificate)
        assert "Certificate of achievement" in pdf_text(pdf)
        assert "2 June 2026" in pdf_text(pdf)


def test_a_participant_without_a_login_gets_the_centres_language(app, world, certs):
    achiever = certs.achiever(world.a)
    with app.app_context():
        db.session.execute(
            sa.update(Centre).where(Centre.id == world.a.centre.id).values(language="es")
        )
        db.session.commit()
        assert _issue(world, achiever).language == "es"


def test_a_batch_prints_each_page_in_its_certificates_language(app, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    with app.app_context():
        _speaks(world.a.participant.id, "fr")
        certificate_id = _issue(world, achiever).id
        db.session.commit()
        centre = db.session.get(Centre, world.a.centre.id)
        prepared = printing.prepare_batch(centre, [certificate_id])
        assert [page.language for page in prepared.pages] == ["fr"]

"""Issuing, revoking and the rules around them, against a real database."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import queries, render, serials, services
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from heartbeat.participants import erasure
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award
from heartbeat.progress.services import award_title
from tests.certificates.conftest import NOW, pdf_text

SERIAL = re.compile(
    r"^HM-2026-[23456789ABCDEFGHJKMNPQRSTWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTWXYZ]{4}){2}$"
)


def _award(award_id: int) -> Award:
    return db.session.scalars(
        sa.select(Award).options(sa.orm.joinedload(Award.stage)).where(Award.id == award_id)
    ).one()


def _issue(world, achiever, code="10k", **kwargs):
    return services.issue(
        _award(achiever.awards[code]),
        participant=db.session.get(Participant, achiever.participant_id),
        centre=db.session.get(Centre, world.a.centre.id),
        actor=db.session.get(User, world.a.therapist.id),
        now=NOW,
        **kwargs,
    )


def test_issuing_records_serial_issuer_award_and_the_files_hash(app, world, certs):
    achiever = certs.achiever(world.a, given_name="Zoë", family_name="Ødegård-Nakamura")
    with app.app_context():
        certificate_id = _issue(world, achiever).id
        db.session.commit()
        certificate = db.session.scalars(queries.certificate_query(certificate_id)).unique().one()
        assert SERIAL.match(certificate.serial), certificate.serial
        assert certificate.issued_by_id == world.a.therapist.id
        assert certificate.award_id == achiever.awards["10k"]
        assert certificate.title == "10K"
        assert certificate.description == "completed a continuous 10 km push"
        assert certificate.participant_name == "Zoë Ødegård-Nakamura"
        assert certificate.verify_url == f"http://heartbeat.test/verify/{certificate.serial}"
        pdf = services.certificate_pdf(certificate)
        assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "certificate.issue")
        ).one()
        assert event.changes["serial"]["after"] == certificate.serial
        assert event.changes["participant_id"]["after"] == achiever.participant_id


def test_the_preferred_name_is_what_the_certificate_says(app, world, certs):
    achiever = certs.achiever(
        world.a, given_name="Alexandra", preferred_name="Sasha", family_name="Kowalczyk"
    )
    with app.app_context():
        certificate = _issue(world, achiever)
        text = pdf_text(services.certificate_pdf(certificate))
    assert certificate.participant_name == "Sasha Kowalczyk"
    assert "Sasha Kowalczyk" in text
    assert "Alexandra" not in text


def test_serials_are_unguessable_and_unique(app):
    made = {serials.new_serial(2026) for _ in range(2000)}
    assert len(made) == 2000
    assert all(SERIAL.match(serial) for serial in made)
    random_part = "".join(serial.removeprefix("HM-2026-") for serial in made)
    assert not any(ch in random_part for ch in "01ILOUV")


def test_a_typed_serial_is_normalised_and_rubbish_is_refused():
    assert serials.normalise_serial(" hm-2026-7q4k-92xd-m3tr ") == "HM-2026-7Q4K-92XD-M3TR"
    assert serials.normalise_serial("../../etc/passwd") is None
    assert serials.normalise_serial("HM-<script>") is None


def test_an_unverified_award_gets_no_certificate_and_leaves_no_row(app, world, certs):
    achiever = certs.achiever(world.a, verify=False)
    with app.app_context():
        with pytest.raises(services.CertificateError, match="not been verified"):
            _issue(world, achiever)
        db.session.rollback()
    assert certs.count() == 0


def test_an_award_cannot_have_two_standing_certificates(app, world, certs):
    achiever = certs.achiever(world.a)
    certs.issue(world.a, achiever)
    with app.app_context():
        with pytest.raises(services.CertificateError, match="already has a certificate"):
            _issue(world, achiever)
        db.session.rollback()
    assert certs.count() == 1


def test_an_award_flagged_for_review_gets_no_certificate(app, world, certs):
    achiever = certs.achiever(world.a)
    with app.app_context():
        award = db.session.get(Award, achiever.awards["10k"])
        award.needs_review, award.review_reason = True, "evidence_vanished"
        db.session.commit()
        with pytest.raises(services.CertificateError, match="review"):
            _issue(world, achiever)
        db.session.rollback()
    assert certs.count() == 0


def test_an_award_of_someone_else_is_refused(app, world, certs):
    achiever = certs.achiever(world.a)
    other = certs.achiever(world.a, given_name="Other")
    with app.app_context():
        with pytest.raises(services.CertificateError, match="does not belong"):
            services.issue(
                _award(other.awards["10k"]),
                participant=db.session.get(Participant, achiever.participant_id),
                centre=db.session.get(Centre, world.a.centre.id),
                actor=db.session.get(User, world.a.therapist.id),
                now=NOW,
            )


def test_a_render_failure_issues_nothing(app, world, certs, monkeypatch):
    achiever = certs.achiever(world.a)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(render, "render_pdf", broken)
    with app.app_context():
        with pytest.raises(services.CertificateError, match="could not be drawn"):
            _issue(world, achiever)
        db.session.rollback()
    assert certs.count() == 0


def test_issuable_awards_lists_verified_awards_without_a_standing_certificate(app, world, certs):
    achiever = certs.achiever(world.a)
    certs.issue(world.a, achiever, "10k")
    with app.app_context():
        participant = db.session.get(Participant, achiever.participant_id)
        titles = [award_title(a) for a in services.issuable_awards(participant)]
    assert "10K" not in titles
    assert {"First push", "One lap", "One mile", "5K"} <= set(titles)


def test_revoking_needs_a_reason_and_frees_the_award_for_a_new_certificate(app, world, certs):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        admin = db.session.get(User, world.a.admin.id)
        with pytest.raises(services.CertificateError, match="reason"):
            services.revoke(certificate, actor=admin, reason="  ", now=NOW)
        services.revoke(certificate, actor=admin, reason="Name misspelt", now=NOW)
        db.session.commit()
        with pytest.raises(services.CertificateError, match="already revoked"):
            services.revoke(certificate, actor=admin, reason="again", now=NOW)
        reissued = _issue(world, achiever)
        db.session.commit()
        assert reissued.serial != certificate.serial
        assert certificate.revoked and certificate.revoked_reason == "Name misspelt"


def test_a_revoked_certificate_downloads_stamped_revoked(app, world, certs):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    with app.app_context():
        certificate = db.session.scalars(queries.certificate_query(certificate_id)).unique().one()
        services.revoke(
            certificate, actor=db.session.get(User, world.a.admin.id), reason="Wrong", now=NOW
        )
        db.session.commit()
        pdf = services.certificate_pdf(certificate)
    text = pdf_text(pdf)
    assert "Revoked" in text or "REVOKED" in text
    assert "no longer valid" in text
    assert hashlib.sha256(pdf).hexdigest() != certificate.sha256


def test_erasure_revokes_every_standing_certificate_and_forgets_the_name(app, world, certs):
    achiever = certs.achiever(world.a, given_name="Ruth", family_name="Erased")
    first = certs.issue(world.a, achiever, "10k")
    second = certs.issue(world.a, achiever, "5k")
    with app.app_context():
        admin = db.session.get(User, world.a.admin.id)
        services.revoke(
            db.session.get(Certificate, second), actor=admin, reason="Duplicate", now=NOW
        )
        participant = db.session.get(Participant, achiever.participant_id)
        result = erasure.erase(
            participant, actor=admin, confirm_name="Ruth Erased", today=NOW.date(), now=NOW
        )
        db.session.commit()
        rows = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    assert result.certificates_revoked == 1
    assert all(row.revoked for row in rows)
    assert rows[0].id == first and rows[0].revoked_reason == erasure.ERASURE_REASON
    assert all("Ruth" not in row.participant_name and not row.journey for row in rows)


def test_the_register_query_filters_by_stage_dates_printed_and_revoked(app, world, certs):
    from datetime import date

    from heartbeat.certificates import queries

    achiever = certs.achiever(world.a)
    ten = certs.issue(world.a, achiever, "10k")
    five = certs.issue(world.a, achiever, "5k")
    with app.app_context():
        admin = db.session.get(User, world.a.admin.id)
        services.revoke(db.session.get(Certificate, five), actor=admin, reason="Dup", now=NOW)
        db.session.commit()
        stage_10k = db.session.get(Certificate, ten).stage_id

        def ids(**kwargs):
            f = queries.RegisterFilter(**kwargs)
            return [c.id for c in db.session.scalars(queries.register(f)).unique()]

        assert ids() == [ten]
        assert ids(status="revoked") == [five]
        assert sorted(ids(status="all")) == sorted([ten, five])
        assert ids(stage=str(stage_10k), status="all") == [ten]
        assert ids(stage="club", status="all") == []
        assert ids(printed="yes") == []
        assert ids(printed="no") == [ten]
        assert ids(issued_from=date(2026, 6, 3)) == []
        assert ids(issued_to=date(2026, 6, 2)) == [ten]


def test_an_erased_participant_gets_no_certificate(app, world, certs):
    from heartbeat.db import utcnow

    achiever = certs.achiever(world.a)
    with app.app_context():
        participant = db.session.get(Participant, achiever.participant_id)
        participant.erased_at = utcnow()
        db.session.commit()
        with pytest.raises(services.CertificateError, match="erased"):
            _issue(world, achiever)
        db.session.rollback()
    assert certs.count() == 0


def test_the_database_refuses_two_standing_certificates_for_one_award(app, world, certs):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    with app.app_context():
        original = db.session.get(Certificate, certificate_id)
        copy = Certificate(
            **{
                column.key: getattr(original, column.key)
                for column in sa.inspect(Certificate).column_attrs
                if column.key not in ("id", "serial", "version")
            },
            serial="HM-2026-DUPL-DUPL-DUPL",
        )
        db.session.add(copy)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()

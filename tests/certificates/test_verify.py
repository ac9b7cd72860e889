"""The public check page: no sign-in, valid or revoked, the name only with consent, unknown
serials not found, and a rate limit against trying serials."""

from __future__ import annotations

import pytest

from heartbeat.auth.models import User
from heartbeat.certificates import services
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db


@pytest.fixture
def issued(app, world, certs):
    def make(*, public_name: bool):
        achiever = certs.achiever(
            world.a, given_name="Zoë", family_name="Ødegård-Nakamura", public_name=public_name
        )
        return certs.certificate(certs.issue(world.a, achiever))

    return make


def test_a_valid_certificate_shows_milestone_date_and_centre_but_not_the_name(client, issued):
    certificate = issued(public_name=False)
    response = client.get(f"/verify/{certificate.serial}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Valid certificate" in page
    assert "10K" in page and "completed a continuous 10 km push" in page
    assert "30 May 2026" in page  # achieved (three days before issue, in the centre's zone)
    assert "2 Jun 2026" in page
    assert "Centre ALPHA" in page
    assert "Zoë" not in page and "Ødegård" not in page
    assert "Name not shown" in page
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_name_is_shown_when_the_participant_consented(client, issued):
    certificate = issued(public_name=True)
    page = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "Zoë Ødegård-Nakamura" in page
    assert "Name not shown" not in page


def test_withdrawing_consent_hides_the_name_again(app, client, world, issued):
    from heartbeat.participants.models import Consent, ConsentKind

    certificate = issued(public_name=True)
    with app.app_context():
        consent = (
            db.session.query(Consent)
            .filter_by(
                participant_id=certificate.participant_id, kind=ConsentKind.PUBLIC_VERIFICATION
            )
            .one()
        )
        consent.given = False
        db.session.commit()
    page = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "Zoë" not in page


def test_a_revoked_certificate_says_so(app, client, world, issued):
    certificate = issued(public_name=True)
    with app.app_context():
        services.revoke(
            db.session.get(Certificate, certificate.id),
            actor=db.session.get(User, world.a.admin.id),
            reason="A private reason",
        )
        db.session.commit()
    page = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "Revoked certificate" in page
    assert "no longer valid" in page
    assert "Valid certificate" not in page
    assert "A private reason" not in page


def test_an_unknown_serial_is_not_found(client, world):
    response = client.get("/verify/HM-2026-AAAA-BBBB-CCCC")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Certificate not found" in page
    assert "HM-2026-AAAA-BBBB-CCCC" in page


def test_rubbish_in_the_address_is_not_found_and_not_echoed_as_markup(client, world):
    response = client.get("/verify/<script>alert(1)</script>")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_a_serial_typed_in_lower_case_finds_the_certificate(client, issued):
    certificate = issued(public_name=False)
    response = client.get("/verify", query_string={"serial": certificate.serial.lower() + " "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.serial}")
    assert client.get(f"/verify/{certificate.serial.lower()}").status_code == 302


def test_the_check_page_needs_no_sign_in_and_reads_across_centres(app, world, issued):
    certificate = issued(public_name=False)
    from tests.helpers import signed_in

    other_centre_staff = signed_in(app, world.b.therapist.email)
    assert other_centre_staff.get(f"/verify/{certificate.serial}").status_code == 200
    assert app.test_client().get(f"/verify/{certificate.serial}").status_code == 200


def test_the_form_page_explains_what_to_type(client, world):
    page = client.get("/verify").get_data(as_text=True)
    assert "Check a certificate" in page and 'name="serial"' in page


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "HEARTBEAT_VERIFY_RATE_LIMIT": "5 per minute"}

    def test_trying_serials_is_rate_limited_per_address(self, app, world, issued):
        certificate = issued(public_name=False)
        client = app.test_client()
        attacker = {"REMOTE_ADDR": "203.0.113.9"}
        codes = [
            client.get(f"/verify/HM-2026-AAAA-BBBB-{n:04d}", environ_base=attacker).status_code
            for n in range(5)
        ]
        assert codes == [404] * 5
        limited = client.get(f"/verify/{certificate.serial}", environ_base=attacker)
        assert limited.status_code == 429
        assert "Too many attempts" in limited.get_data(as_text=True)
        # The JSON twin shares the budget.
        assert (
            client.get(f"/verify/{certificate.serial}.json", environ_base=attacker).status_code
            == 429
        )
        # Someone else is not affected.
        other = client.get(
            f"/verify/{certificate.serial}", environ_base={"REMOTE_ADDR": "198.51.100.7"}
        )
        assert other.status_code == 200

    def test_the_default_limit_is_configured(self, app):
        from heartbeat.config import DEFAULTS

        assert DEFAULTS["HEARTBEAT_VERIFY_RATE_LIMIT"] == "30 per minute"

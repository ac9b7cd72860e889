"""The demo's certificates use the address the app is served on (issue 14.8): ``make run
PORT=5061`` exports HEARTBEAT_PUBLIC_URL and runs ``seed-demo --if-empty``; a demo database
made earlier at another address has its certificates moved to the new one."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.certificates import credentials, services
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from tests.certificates.conftest import CertificateHelpers, decode_qr_codes


@pytest.fixture
def certs(app) -> CertificateHelpers:
    return CertificateHelpers(app)


FIRST = "http://127.0.0.1:5061"
SECOND = "http://127.0.0.1:5077"


def _demo_certificates() -> list[Certificate]:
    return (
        db.session.scalars(
            sa.select(Certificate)
            .options(joinedload(Certificate.branding))
            .order_by(Certificate.id)
            .execution_options(all_centres=True)
        )
        .unique()
        .all()
    )


def _assert_all_at(app, base: str) -> None:
    """Every link, QR code and credential of the demo's certificates is at ``base``."""
    with app.app_context():
        certificates = _demo_certificates()
        assert len(certificates) >= 20
        public_key = credentials.signing_key_row(certificates[0].centre_id).public_key
        for certificate in certificates:
            assert certificate.verify_url == f"{base}/verify/{certificate.serial}"
            assert credentials.verify(certificate.credential, public_key), certificate.serial
            text = json.dumps(certificate.credential)
            assert certificate.credential["id"] == certificate.verify_url
            assert "127.0.0.1:5" not in text.replace(base, "")
        # The file handed out is the one drawn now, its QR code leading to the new address.
        first = certificates[0]
        result = services.render_certificate(first, stamp_revoked=False)
        assert result.sha256 == first.sha256
        assert decode_qr_codes(services.certificate_pdf(first)) == [first.verify_url]


def test_seed_demo_moves_the_demo_certificates_to_the_address_it_is_served_on(app, runner):
    app.config["HEARTBEAT_PUBLIC_URL"] = FIRST
    made = runner.invoke(args=["seed-demo", "--if-empty"])
    assert made.exit_code == 0, made.output
    _assert_all_at(app, FIRST)

    # The same database served on another port: `make run` runs seed-demo --if-empty again.
    app.config["HEARTBEAT_PUBLIC_URL"] = SECOND + "/"
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "demo data left as it is" in again.output
    assert f"demo certificates to {SECOND} " in again.output
    _assert_all_at(app, SECOND)

    # Already there: nothing to move, nothing said.
    third = runner.invoke(args=["seed-demo", "--if-empty"])
    assert third.exit_code == 0 and "Moved" not in third.output
    # A top-up without --if-empty keeps them where they are too.
    app.config["HEARTBEAT_PUBLIC_URL"] = FIRST
    topped = runner.invoke(args=["seed-demo"])
    assert topped.exit_code == 0, topped.output
    _assert_all_at(app, FIRST)


def test_moved_credentials_verify_with_an_independent_implementation(app, client, runner):
    from tests.certificates import test_independent_verifier as independent

    if independent.pytestmark.args[0]:
        pytest.skip(independent.pytestmark.kwargs["reason"])
    app.config["HEARTBEAT_PUBLIC_URL"] = FIRST
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    app.config["HEARTBEAT_PUBLIC_URL"] = independent.APP
    moved = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "Moved" in moved.output, moved.output
    with app.app_context():
        rows = _demo_certificates()
        cases = {row.serial: row.credential for row in rows}
        revoked = {row.serial for row in rows if row.revoked_at is not None}
    results = independent.independently_verified(client, cases)
    for serial, result in results.items():
        assert result["digitalbazaar"]["proofVerified"] is True, (serial, result)
        assert result["digitalbazaar"]["revoked"] is (serial in revoked), (serial, result)


def test_another_centres_certificates_keep_their_address(app, runner, world, certs):
    """Only the demo centre moves: a real centre's certificates keep the address printed."""
    app.config["HEARTBEAT_PUBLIC_URL"] = "https://miles.example.org"
    achiever = certs.achiever(world.a)
    real = certs.certificate(certs.issue(world.a, achiever))
    app.config["HEARTBEAT_PUBLIC_URL"] = FIRST
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    app.config["HEARTBEAT_PUBLIC_URL"] = SECOND
    moved = runner.invoke(args=["seed-demo", "--if-empty"])
    assert moved.exit_code == 0 and "Moved" in moved.output, moved.output
    assert certs.certificate(real.id).verify_url == real.verify_url
    assert certs.certificate(real.id).credential == real.credential
    assert certs.certificate(real.id).sha256 == real.sha256

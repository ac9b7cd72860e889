"""render-certificate and print-batch: files written, clear errors with a non-zero exit."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.certificates import services
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from tests.certificates.conftest import pdf_reader, pdf_text


def test_render_certificate_writes_the_issued_file(app, runner, world, certs, tmp_path):
    achiever = certs.achiever(world.a)
    row = certs.certificate(certs.issue(world.a, achiever))
    out = tmp_path / "one.pdf"
    result = runner.invoke(args=["render-certificate", row.serial.lower(), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {row.serial} (valid" in result.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == row.sha256


def test_render_certificate_stamps_a_revoked_one(app, runner, world, certs, tmp_path):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    with app.app_context():
        services.revoke(
            db.session.get(Certificate, certificate_id),
            actor=db.session.get(User, world.a.admin.id),
            reason="Wrong award",
        )
        db.session.commit()
    out = tmp_path / "revoked.pdf"
    serial = certs.certificate(certificate_id).serial
    result = runner.invoke(args=["render-certificate", serial, "-o", str(out)])
    assert result.exit_code == 0
    assert "REVOKED" in result.output
    assert "no longer valid" in pdf_text(out.read_bytes())


def test_render_certificate_with_an_unknown_serial_fails_clearly(runner, world, tmp_path):
    out = tmp_path / "none.pdf"
    result = runner.invoke(args=["render-certificate", "HM-2026-AAAA-BBBB-CCCC", "-o", str(out)])
    assert result.exit_code != 0
    assert "No certificate has the serial 'HM-2026-AAAA-BBBB-CCCC'" in result.output
    assert not out.exists()


def test_print_batch_writes_one_pdf_and_marks_them_printed(app, runner, world, certs, tmp_path):
    achiever = certs.achiever(world.a)
    ids = [certs.issue(world.a, achiever, code) for code in ("5k", "10k")]
    other = certs.achiever(world.b)
    certs.issue(world.b, other)
    out = tmp_path / "batch.pdf"
    result = runner.invoke(
        args=["print-batch", "--centre", "alpha", "--since", "2026-06-01", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 2 certificates" in result.output
    assert len(pdf_reader(out.read_bytes()).pages) == 2
    with app.app_context():
        rows = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
        printed = {row.id for row in rows if row.printed_at is not None}
    assert printed == set(ids)


def test_print_batch_refuses_bad_input_and_marks_nothing(app, runner, world, certs, tmp_path):
    achiever = certs.achiever(world.a)
    certs.issue(world.a, achiever)
    cases = [
        (["--centre", "nowhere", "--since", "2026-06-01"], "No centre has the slug 'nowhere'"),
        (["--centre", "alpha", "--since", "yesterday"], "--since must be a date"),
        (["--centre", "alpha", "--since", "2030-01-01"], "no standing certificate issued since"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["print-batch", *args, "-o", str(tmp_path / "x.pdf")])
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    missing_folder = tmp_path / "no" / "such" / "x.pdf"
    result = runner.invoke(
        args=[
            "print-batch",
            "--centre",
            "alpha",
            "--since",
            "2026-06-01",
            "-o",
            str(missing_folder),
        ]
    )
    assert result.exit_code != 0 and "does not exist" in result.output
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Certificate)
                .where(Certificate.printed_at.is_not(None))
            )
            == 0
        )

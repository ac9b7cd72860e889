"""Certificates commands: render one certificate, print a centre's batch, rotate and re-wrap
the centres' signing keys."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app

from heartbeat.audit import services as audit
from heartbeat.centres.models import Centre
from heartbeat.certificates import keys, printing, queries, serials, services
from heartbeat.core.wording import plural
from heartbeat.db import utcnow
from heartbeat.extensions import db


def _write(path: str, data: bytes) -> None:
    target = Path(path)
    if target.parent and not target.parent.exists():
        raise click.ClickException(f"The folder {target.parent} does not exist.")
    try:
        target.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"Could not write {path}: {error.strerror}.") from None


def register(app: Flask) -> None:
    @app.cli.command("render-certificate")
    @click.argument("serial")
    @click.option("-o", "--output", required=True, help="Where to write the PDF.")
    def render_certificate_command(serial: str, output: str) -> None:
        """Write the PDF of the certificate SERIAL (a revoked one comes stamped REVOKED)."""
        normalised = serials.normalise_serial(serial)
        certificate = (
            queries.certificate_by_serial(normalised, all_centres=True) if normalised else None
        )
        if certificate is None:
            raise click.ClickException(f"No certificate has the serial {serial!r}.")
        pdf = services.certificate_pdf(certificate)
        _write(output, pdf)
        state = "REVOKED (stamped)" if certificate.revoked else "valid"
        click.echo(f"Wrote {certificate.serial} ({state}, {len(pdf):,} bytes) to {output}.")

    @app.cli.command("print-batch")
    @click.option("--centre", "slug", required=True, help="The centre's slug.")
    @click.option(
        "--since",
        required=True,
        help="Print the standing certificates issued on or after this date (YYYY-MM-DD).",
    )
    @click.option("-o", "--output", required=True, help="Where to write the PDF.")
    def print_batch_command(slug: str, since: str, output: str) -> None:
        """Write one print-ready PDF of a centre's certificates and mark them printed."""
        try:
            since_date = date.fromisoformat(since)
        except ValueError:
            raise click.ClickException(
                f"--since must be a date like 2026-06-01, not {since!r}."
            ) from None
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()
        if centre is None:
            raise click.ClickException(f"No centre has the slug {slug!r}.")
        now = utcnow()
        ids = printing.batch_ids(centre, "since", since=since_date, now=now)
        if not ids:
            raise click.ClickException(
                f"{centre.name} has no standing certificate issued since {since_date:%d %B %Y}."
            )
        try:
            batch = printing.render_batch(centre, ids, now=now)
            # The file first: if it cannot be written, nothing is marked printed.
            _write(output, batch.pdf)
            printing.mark_printed(batch.certificate_ids, now=now)
            printing.record_printed(batch, centre_id=centre.id, job_id=None, actor=None, now=now)
            db.session.commit()
        except services.CertificateError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        except click.ClickException:
            db.session.rollback()
            raise
        click.echo(
            f"Wrote {plural(batch.count, 'certificate', 'certificates')} of {centre.name}"
            f" to {output}."
        )

    @app.cli.command("rotate-signing-key")
    @click.option("--centre", "slug", required=True, help="The centre's slug.")
    def rotate_signing_key_command(slug: str) -> None:
        """Give a centre a new signing key; the old one stays published for what it signed."""
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()
        if centre is None:
            raise click.ClickException(f"No centre has the slug {slug!r}.")
        before = keys.signing_key_row(centre.id)
        try:
            if before is not None:  # the old key must still open: refuse to strand it
                keys.centre_key(centre.id, secret_key=current_app.config["SECRET_KEY"])
            new = keys.rotate(centre.id, secret_key=current_app.config["SECRET_KEY"])
        except keys.CredentialError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        audit.record(
            None,
            centre.id,
            "signing_key.rotate",
            "centre",
            centre.id,
            audit.created({"signing_key": new.kid, "retired_key": before.kid if before else None}),
        )
        db.session.commit()
        old = f"; {before.kid} is retired but still verifies what it signed" if before else ""
        click.echo(f"{centre.name} signs new credentials with key {new.kid}{old}.")

    @app.cli.command("rewrap-signing-keys")
    @click.option(
        "--old-secret-key-env",
        default="HEARTBEAT_OLD_SECRET_KEY",
        show_default=True,
        help="The environment variable holding the SECRET_KEY the keys are stored under now.",
    )
    def rewrap_signing_keys_command(old_secret_key_env: str) -> None:
        """Re-encrypt every centre's signing keys under the current SECRET_KEY.

        Run it once after changing SECRET_KEY, with the previous value in the environment
        (never on the command line, where process lists and shell history keep it).
        """
        old = os.environ.get(old_secret_key_env, "")
        if not old:
            raise click.ClickException(
                f"Set {old_secret_key_env} to the previous SECRET_KEY first."
            )
        try:
            count = keys.rewrap_all(
                old_secret_key=old, new_secret_key=current_app.config["SECRET_KEY"]
            )
        except keys.CredentialError:
            db.session.rollback()
            raise click.ClickException(
                f"A signing key does not open with {old_secret_key_env}: nothing was changed."
            ) from None
        db.session.commit()
        click.echo(
            f"Re-wrapped {plural(count, 'signing key', 'signing keys')}"
            " under the current SECRET_KEY."
        )

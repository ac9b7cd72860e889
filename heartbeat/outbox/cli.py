"""``flask --app heartbeat outbox-send``: make the scheduled emails and send what is due."""

from __future__ import annotations

import click
from flask import Flask

from heartbeat.extensions import db
from heartbeat.mail import mail_configured
from heartbeat.outbox import sending


def register(app: Flask) -> None:
    @app.cli.command("outbox-send")
    @click.option("--no-schedule", is_flag=True, help="Only send; make no weekly digests.")
    def outbox_send(no_schedule: bool) -> None:
        """Queue the weekly digests due now, then send every email due (run it from cron
        every few minutes where no worker runs; the worker does it by itself)."""
        if not mail_configured():
            raise click.ClickException("No mail server is configured (HEARTBEAT_SMTP_HOST).")
        made = {} if no_schedule else sending.run_periodic()
        for name, count in made.items():
            click.echo(f"{name}: {count} queued")
        outcome = sending.send_due()
        db.session.remove()
        click.echo(
            f"sent {len(outcome.sent)}, to retry {len(outcome.retrying)}, "
            f"failed {len(outcome.failed)}"
        )

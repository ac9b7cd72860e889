from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from heartbeat.centres import services as centre_services
from heartbeat.centres.models import Centre
from heartbeat.core.public_url import public_base_url
from heartbeat.core.wording import plural
from heartbeat.devtools.demo import DEMO_PASSWORD, DEMO_SLUG, seed_demo
from heartbeat.devtools.demo_addresses import move_demo_certificates
from heartbeat.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no centre yet.")
    def seed_demo_command(if_empty):
        """Create (or top up) the demo centre and print its logins. Safe to run again."""
        if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Centre)):
            click.echo("The database already has centres; demo data left as it is.")
            demo = centre_services.find_centre_by_slug(DEMO_SLUG)
            moved = move_demo_certificates(demo) if demo is not None else 0
            db.session.commit()
            if moved:
                click.echo(
                    f"Moved {plural(moved, 'demo certificate', 'demo certificates')} to"
                    f" {public_base_url()} "
                    "(links, QR codes and credentials)."
                )
            click.echo(f"Demo logins, if the demo centre exists, use the password {DEMO_PASSWORD}")
            return
        logins = seed_demo()
        db.session.commit()
        click.echo("Demo centre ready: Riverside Rehab (slug: demo)")
        click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
        for role, email in logins:
            click.echo(f"  {role:<12} {email}")

    @app.cli.command("bench-seed")
    @click.option("--centres", type=click.IntRange(min=1), default=20, show_default=True)
    @click.option("--participants", type=click.IntRange(min=0), default=5000, show_default=True)
    @click.option("--sessions", type=click.IntRange(min=0), default=1_000_000, show_default=True)
    @click.option("--seed", type=int, default=2026, show_default=True, help="Random seed.")
    def bench_seed_command(centres, participants, sessions, seed):
        """Fill the database with a large, realistic benchmark data set (bulk inserts)."""
        from heartbeat.devtools.benchdata import seed_bench

        if sessions and not participants:
            raise click.UsageError("sessions need participants to belong to")
        summary = seed_bench(
            centres=centres,
            participants=participants,
            sessions=sessions,
            seed=seed,
            log=click.echo,
        )
        click.echo(
            f"Added {summary.centres} centres, {summary.participants:,} participants, "
            f"{summary.sessions:,} sessions and {summary.awards:,} awards "
            f"in {summary.seconds:.1f} s."
        )
        if summary.logins:
            click.echo(
                f"Sign in as {summary.logins['therapist']} or {summary.logins['admin']} "
                f"with the password {summary.logins['password']}"
            )

    @app.cli.command("backup")
    @click.option(
        "-o",
        "--output",
        "output",
        required=True,
        type=click.Path(dir_okay=False),
        help="File to write (SQLite copy, or pg_dump custom format).",
    )
    def backup_command(output):
        """Write a consistent backup of the whole database while the app runs."""
        from pathlib import Path

        from heartbeat.devtools.backup import BackupError, backup

        try:
            result = backup(db.engine, Path(output))
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(
            f"Backed up the {result.kind} database to {result.path} ({result.size_bytes:,} bytes)."
        )

    @app.cli.command("restore")
    @click.argument("backup_file", type=click.Path(dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(backup_file, yes):
        """Replace the whole database with BACKUP_FILE (made by the backup command)."""
        from pathlib import Path

        from heartbeat.devtools.backup import BackupError, restore

        if not yes:
            click.confirm(
                "This replaces every centre's data with the backup. Continue?", abort=True
            )
        db.session.remove()
        try:
            restore(db.engine, Path(backup_file))
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored the database from {backup_file}.")

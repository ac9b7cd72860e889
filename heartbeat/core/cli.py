from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from heartbeat.centres.models import Centre
from heartbeat.core.demo import DEMO_PASSWORD, seed_demo
from heartbeat.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no centre yet.")
    def seed_demo_command(if_empty):
        """Create (or top up) the demo centre and print its logins. Safe to run again."""
        if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Centre)):
            click.echo("The database already has centres; demo data left as it is.")
            click.echo(f"Demo logins, if the demo centre exists, use the password {DEMO_PASSWORD}")
            return
        logins = seed_demo()
        db.session.commit()
        click.echo("Demo centre ready: Riverside Rehab (slug: demo)")
        click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
        for role, email in logins:
            click.echo(f"  {role:<12} {email}")

from __future__ import annotations

import click
from flask import Flask

from heartbeat.core.demo import DEMO_PASSWORD, seed_demo
from heartbeat.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create (or top up) the demo centre and print its logins. Safe to run again."""
        logins = seed_demo()
        db.session.commit()
        click.echo("Demo centre ready: Riverside Rehab (slug: demo)")
        click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
        for role, email in logins:
            click.echo(f"  {role:<12} {email}")

from __future__ import annotations

import sys

import click
from flask import Flask

from heartbeat.auth import services
from heartbeat.auth.models import Role
from heartbeat.centres.services import find_centre_by_slug
from heartbeat.extensions import db


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Piped: one line on standard input, no echo to worry about.
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("No password given on standard input.")
    return line.rstrip("\r\n")


def register(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True, help="Sign-in email (unique).")
    @click.option(
        "--role",
        required=True,
        type=click.Choice([r.value for r in Role], case_sensitive=False),
        help="admin, therapist or participant.",
    )
    @click.option("--centre", "centre_slug", help="Slug of the centre the account belongs to.")
    @click.option("--name", default="", help="Display name (defaults to the email).")
    @click.option(
        "--operator", is_flag=True, help="Platform operator: creates and oversees centres."
    )
    def create_user_command(email, role, centre_slug, name, operator):
        """Create an account; the password is read from a hidden prompt or piped stdin."""
        centre = None
        if centre_slug:
            centre = find_centre_by_slug(centre_slug)
            if centre is None:
                raise click.ClickException(f"No centre has the slug {centre_slug!r}.")
        elif not operator:
            raise click.ClickException("--centre is required unless --operator is given.")
        password = _read_password()
        try:
            user = services.create_user(
                email=email,
                name=name,
                role=Role(role.lower()),
                centre=centre,
                password=password,
                is_operator=operator,
            )
        except services.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
        where = f"centre {centre.slug}" if centre else "no centre"
        flag = ", operator" if operator else ""
        click.echo(f"Created {user.role.value}{flag} {user.email} ({where}).")

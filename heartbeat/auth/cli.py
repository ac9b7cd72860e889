from __future__ import annotations

import sys

import click
from flask import Flask

from heartbeat.auth import services, tokens
from heartbeat.auth.models import Role, TokenScope
from heartbeat.centres.services import find_centre_by_slug
from heartbeat.db import utcnow
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

    @app.cli.command("create-token")
    @click.option("--email", required=True, help="The account the token acts as.")
    @click.option("--name", required=True, help="What uses it, e.g. 'watch sync script'.")
    @click.option(
        "--scope",
        type=click.Choice([s.value for s in TokenScope], case_sensitive=False),
        default=TokenScope.READ.value,
        show_default=True,
        help="read, or write too (staff only).",
    )
    @click.option(
        "--days",
        type=click.IntRange(1, tokens.MAX_DAYS),
        default=tokens.DEFAULT_DAYS,
        show_default=True,
        help="Days until it expires.",
    )
    def create_token_command(email, name, scope, days):
        """Make a personal access token for the API and print it (once: it is not kept)."""
        user = services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account has the email {email!r}.")
        try:
            issued = tokens.issue_token(
                user, name=name, scope=TokenScope(scope.lower()), days=days, now=utcnow()
            )
        except services.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
        expires = issued.token.expires_at.date().isoformat()
        click.echo(
            f"Token {issued.token.prefix}… ({issued.token.scope.value}) for {user.email}, "
            f"expires {expires}. It is shown only now; keep it somewhere safe:",
            err=True,
        )
        click.echo(issued.secret)

from __future__ import annotations

import click
from flask import Flask

from heartbeat.centres import services
from heartbeat.core.i18n import LANGUAGES
from heartbeat.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("create-centre")
    @click.argument("name")
    @click.option("--slug", required=True, help="Short unique name used in links and commands.")
    @click.option("--timezone", default="UTC", show_default=True)
    @click.option("--country", default="GB", show_default=True, help="Two-letter country code.")
    @click.option("--units", type=click.Choice(["km", "mi"]), default="km", show_default=True)
    @click.option("--paper", type=click.Choice(["A4", "Letter"]), default="A4", show_default=True)
    @click.option(
        "--language",
        type=click.Choice(sorted(LANGUAGES)),
        default="en",
        show_default=True,
        help="The centre's pages, emails and certificates (each person may choose their own).",
    )
    def create_centre_command(name, slug, timezone, country, units, paper, language):
        """Create a centre."""
        try:
            centre = services.create_centre(
                name=name,
                slug=slug,
                timezone=timezone,
                country=country,
                units=units,
                paper_size=paper,
                language=language,
            )
        except services.CentreError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
        click.echo(f"Created centre {centre.name} ({centre.slug}).")

"""Progress commands."""

from __future__ import annotations

import time

import click
from flask import Flask

from heartbeat.centres.services import find_centre_by_slug
from heartbeat.core.wording import plural
from heartbeat.extensions import db
from heartbeat.progress import overview
from heartbeat.progress.services import recompute_centre


def register(app: Flask) -> None:
    @app.cli.command("recompute-awards")
    @click.option("--centre", "slug", required=True, metavar="SLUG", help="The centre's slug.")
    def recompute_awards_command(slug: str) -> None:
        """Re-evaluate every participant's awards at a centre (after a ladder change)."""
        centre = find_centre_by_slug(slug.strip().lower())
        if centre is None:
            click.echo(f"Error: no centre has the slug {slug!r}; nothing was changed.", err=True)
            click.get_current_context().exit(1)
        summary = recompute_centre(centre.id)
        db.session.commit()
        counts = ", ".join(f"{label} {count}" for label, count in summary.counts.items())
        click.echo(
            f"Re-evaluated {plural(summary.participants, 'participant', 'participants')} at"
            f" {centre.name} ({centre.slug})."
        )
        if not summary.changed:
            click.echo("No awards changed.")
            return
        click.echo(f"Awards: {counts}.")
        click.echo(f"{plural(len(summary.changed), 'participant', 'participants')} changed:")
        for changes in summary.changed:
            click.echo(
                f"  {changes.name} (#{changes.participant_id}): {summary.describe(changes.result)}"
            )

    @app.cli.command("rebuild-summaries")
    @click.option("--centre", "slug", metavar="SLUG", help="Only this centre (default: all).")
    def rebuild_summaries_command(slug: str | None) -> None:
        """Recompute every participant's stored overview from their whole history."""
        centre_id = None
        if slug:
            centre = find_centre_by_slug(slug.strip().lower())
            if centre is None:
                click.echo(
                    f"Error: no centre has the slug {slug!r}; nothing was changed.", err=True
                )
                click.get_current_context().exit(1)
            centre_id = centre.id
        started = time.perf_counter()
        count = overview.rebuild(centre_id)
        db.session.commit()
        click.echo(
            f"Rebuilt the overview of {plural(count, 'participant', 'participants')}"
            f" in {time.perf_counter() - started:.1f} s."
        )

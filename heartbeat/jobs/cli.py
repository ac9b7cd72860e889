"""Jobs commands: the RQ worker, and a few tools for operators."""

from __future__ import annotations

from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Flask, current_app

from heartbeat.core.wording import plural
from heartbeat.db import rows_changed, utcnow
from heartbeat.extensions import db
from heartbeat.jobs import engines, registry
from heartbeat.jobs.models import Job, JobState


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
    @click.option("--name", help="Worker name shown by RQ (default: random).")
    def worker_command(burst: bool, name: str | None) -> None:
        """Run background jobs from the Redis queue (needs REDIS_URL).

        Ctrl+C (SIGTERM) lets the job at hand finish first; a second one stops at once.
        """
        if not current_app.config.get("REDIS_URL"):
            click.echo(
                "REDIS_URL is not set: jobs run on threads of the web process and no worker is "
                "needed.",
                err=True,
            )
            click.get_current_context().exit(2)
        from heartbeat.jobs.worker import make_worker

        registry.import_modules(current_app.config["HEARTBEAT_JOB_MODULES"])
        worker = make_worker(engines.app_object(), name=name)
        click.echo(f"Worker {worker.name} listening on {', '.join(worker.queue_names())}")
        worker.work(burst=burst, logging_level=current_app.config["HEARTBEAT_LOG_LEVEL"])

    @app.cli.group("jobs")
    def jobs_group() -> None:
        """Background jobs."""

    @jobs_group.command("sweep")
    def sweep_command() -> None:
        """Fail and re-queue jobs whose worker stopped responding (workers do this too)."""
        from heartbeat.jobs.services import sweep_stale

        outcomes = sweep_stale()
        for job_id, state in outcomes:
            click.echo(f"job {job_id}: {state.value}")
        click.echo(f"{plural(len(outcomes), 'job', 'jobs')} recovered.")

    @jobs_group.command("run")
    @click.argument("job_id", type=int)
    def run_command(job_id: int) -> None:
        """Run a queued job now, in this process."""
        from heartbeat.jobs.services import run_inline

        state = db.session.scalar(
            sa.select(Job.state).where(Job.id == job_id).execution_options(all_centres=True)
        )
        if state is None:
            click.echo(f"Error: no job {job_id}.", err=True)
            click.get_current_context().exit(1)
        if state != JobState.QUEUED:
            click.echo(f"Error: job {job_id} is {state.value}, not queued.", err=True)
            click.get_current_context().exit(1)
        db.session.rollback()
        job = run_inline(job_id)
        click.echo(f"job {job.id}: {job.state.value}")
        if job.state == JobState.FAILED:
            click.echo(job.error or "", err=True)
            click.get_current_context().exit(1)

    @jobs_group.command("purge")
    @click.option(
        "--older-than",
        "days",
        type=click.IntRange(min=1),
        default=30,
        show_default=True,
        help="Days since the job ended.",
    )
    def purge_command(days: int) -> None:
        """Delete finished jobs (and their stored results) that ended long ago."""
        cutoff = utcnow() - timedelta(days=days)
        result = db.session.execute(
            sa.delete(Job)
            .where(
                Job.state.in_([JobState.DONE, JobState.FAILED]),
                Job.finished_at < cutoff,
            )
            .execution_options(all_centres=True, synchronize_session=False)
        )
        deleted = rows_changed(result)
        db.session.commit()
        click.echo(
            f"{plural(deleted, 'finished job', 'finished jobs')}"
            f" older than {plural(days, 'day', 'days')} deleted."
        )

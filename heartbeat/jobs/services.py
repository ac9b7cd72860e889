"""The job interface: what features call to run work outside the request.

    # heartbeat/<feature>/jobs.py (imported on demand for kinds "<feature>.*")
    from heartbeat.jobs import registry
    from heartbeat.jobs.services import JobContext, JobError, JobResult

    @registry.handler("certificates.print_batch", label="Print certificates")
    def print_batch(ctx: JobContext, params: dict) -> JobResult | None:
        ...
        ctx.progress(done, total, "certificates")  # shown as "212 of 500 certificates"
        ctx.progress(0, 0, "Writing the file")  # a step without a count
        return JobResult(pdf_bytes, "certificates.pdf", "application/pdf", {"certificates": total})

    # in the view (read job.id before the commit expires it):
    job = submit("certificates.print_batch", centre_id=..., actor=current_user, params={...})
    job_id = job.id
    db.session.commit()
    dispatch(job_id)
    return redirect(url_for("jobs.status", job_id=job_id))

The handler runs in a fresh app context with the centre scope set to the job's centre
(``ctx.centre_id``; ``ctx.actor()`` loads who asked). It uses ``db.session`` as usual and must
not commit: the runner commits its changes together with the result, or rolls everything back.
A handler with no file to offer returns None, and may set ``ctx.summary`` (a dict) instead.
Either way a ``JobTable`` (``JobResult(details=...)`` or ``ctx.details``) adds a table to the
job's page. Raise ``JobError("…", details=JobTable(...))`` to fail with words (and rows) the user
can act on; any other exception fails with a general message, and its traceback is logged.
``ctx.progress`` raises ``JobLost`` when the job was given up for dead and handed to another
worker: let it propagate.

On SQLite the handler's first write takes the database's only write lock until the job ends:
its progress still shows (live.py), but every other writer of the site waits. So read and
compute first, and write at the end.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload, undefer

from heartbeat.auth.models import User
from heartbeat.core.i18n import _
from heartbeat.db import rows_changed, utcnow
from heartbeat.extensions import db
from heartbeat.jobs import backends, engines, registry
from heartbeat.jobs.backends import dispatch
from heartbeat.jobs.context import (
    JOB,
    JobContext,
    JobError,
    JobLost,
    JobResult,
    JobTable,
    heartbeat_interval,
)
from heartbeat.jobs.live import LiveBoard, LiveRow
from heartbeat.jobs.models import Job, JobState
from heartbeat.jobs.runner import STALE, give_up, new_queue_ref

__all__ = [
    "JobContext",
    "JobError",
    "JobLost",
    "JobNotRetryable",
    "JobResult",
    "JobTable",
    "dispatch",
    "job_by_id",
    "live_progress",
    "recent_jobs",
    "recent_jobs_page",
    "retry",
    "run_inline",
    "submit",
    "sweep_stale",
    "wait",
]

log = logging.getLogger("heartbeat.jobs")

# A sweep handles at most this many jobs; the next one picks up the rest.
SWEEP_BATCH = 100


class JobNotRetryable(ValueError):
    pass


# --- submitting and running ---------------------------------------------------------------------


def submit(kind: str, *, centre_id: int, actor: User | None, params: dict[str, Any]) -> Job:
    """Add a queued job (flushed, not committed). Commit, then ``dispatch(job_id)``."""
    registry.get(kind)  # an unknown kind fails here, in the request, not later on a worker
    try:
        json.dumps(params)
    except (TypeError, ValueError) as error:
        raise TypeError(f"job params must be JSON: {error}") from None
    now = utcnow()
    job = Job(
        centre_id=centre_id,
        kind=kind,
        state=JobState.QUEUED,
        params=dict(params or {}),
        created_by_id=actor.id if actor is not None else None,
        max_attempts=max(1, int(current_app.config["HEARTBEAT_JOB_MAX_ATTEMPTS"])),
        created_at=now,
        queued_at=now,
        queue_ref=new_queue_ref(),
    )
    db.session.add(job)
    db.session.flush()
    return job


def run_inline(job_id: int) -> Job:
    """Run the job now, in this process and thread (command line, tests), and return it.

    The job must be flushed: an open transaction of the caller is committed first so the job
    row is visible to the runner (unflushed changes are refused).
    """
    app = engines.app_object()
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("flush or commit your changes before run_inline")
    if session.in_transaction():
        session.commit()
    with app.app_context():
        try:
            backends.run_and_redispatch(job_id)
        finally:
            db.session.remove()
    return _load(job_id)


def _load(job_id: int) -> Job:
    return db.session.execute(
        sa.select(Job)
        .where(Job.id == job_id)
        .execution_options(all_centres=True, populate_existing=True)
    ).scalar_one()


def wait(job_id: int, timeout: float = 30.0, interval: float = 0.05) -> Job:
    """Wait until the job is done or failed (for the command line and tests)."""
    engine = engines.state(current_app).live_engine
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            state = conn.execute(sa.select(JOB.c.state).where(JOB.c.id == job_id)).scalar()
        if state is None:
            raise LookupError(f"no job {job_id}")
        if JobState(state).finished:
            return _load(job_id)
        if time.monotonic() >= deadline:
            raise TimeoutError(f"job {job_id} is still {state} after {timeout} s")
        time.sleep(interval)


def retry(job: Job, *, actor: User | None) -> Job:
    """Queue a failed job again, with a fresh allowance of attempts. Commit, then dispatch."""
    if job.state != JobState.FAILED:
        raise JobNotRetryable(_("Only a failed job can be tried again."))
    now = utcnow()
    allowance = max(1, int(current_app.config["HEARTBEAT_JOB_MAX_ATTEMPTS"]))
    updated = db.session.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.state == JobState.FAILED)
        .values(
            state=JobState.QUEUED,
            max_attempts=Job.attempts + allowance,
            error=None,
            finished_at=None,
            queued_at=now,
            queue_ref=new_queue_ref(),
            progress_done=0,
            progress_total=0,
            progress_message="",
            details=None,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(updated) != 1:
        raise JobNotRetryable(_("The job has changed meanwhile; reload the page."))
    log.info("job %s: queued again by user %s", job.id, actor.id if actor else None)
    db.session.refresh(job)
    return job


# --- jobs nobody is running -----------------------------------------------------------------------


def stale_cutoff(now: datetime | None = None) -> datetime:
    seconds = int(current_app.config["HEARTBEAT_JOB_STALE_SECONDS"])
    return (now or utcnow()) - timedelta(seconds=seconds)


def looks_stale(job: Job, now: datetime | None = None) -> bool:
    """A cheap check on a loaded row: is it worth a sweep?"""
    cutoff = stale_cutoff(now)
    if job.state == JobState.RUNNING:
        return job.heartbeat_at is None or job.heartbeat_at < cutoff
    return job.state == JobState.QUEUED and job.queued_at < cutoff


def _still_waiting(app: Flask, job_id: int, queue_ref: str | None) -> bool:
    if not app.config.get("REDIS_URL"):
        return backends.waiting_here(app, job_id)
    from redis.exceptions import RedisError

    try:
        return backends.rq_status(app, job_id, queue_ref) in backends.RQ_PENDING
    except RedisError:
        return True  # cannot tell; dispatching again would fail the same way


def sweep_stale(
    *,
    job_id: int | None = None,
    centre_id: int | None = None,
    now: datetime | None = None,
    read_with: Connection | None = None,
) -> list[tuple[int, JobState]]:
    """Recover jobs nobody is running; returns (job id, new state) for each one touched.

    A running job whose heartbeat is older than ``HEARTBEAT_JOB_STALE_SECONDS`` has lost its
    worker: it is failed with the reason and queued again while attempts remain. A job queued
    that long which no thread of this process and no RQ queue holds is dispatched again.
    Reads across centres (the worker's sweep); ``job_id``/``centre_id`` narrow it. A request
    passes its own connection as ``read_with`` for the look (usually all there is to do).
    """
    app = engines.app_object()
    engine = engines.state(app).live_engine
    now = now or utcnow()
    cutoff = stale_cutoff(now)
    seconds = int(app.config["HEARTBEAT_JOB_STALE_SECONDS"])
    stmt = (
        sa.select(JOB.c.id, JOB.c.state, JOB.c.attempts, JOB.c.queue_ref)
        .where(
            sa.or_(
                sa.and_(JOB.c.state == JobState.RUNNING.value, JOB.c.heartbeat_at < cutoff),
                sa.and_(JOB.c.state == JobState.QUEUED.value, JOB.c.queued_at < cutoff),
            )
        )
        .order_by(JOB.c.id)
        .limit(SWEEP_BATCH)
    )
    if job_id is not None:
        stmt = stmt.where(JOB.c.id == job_id)
    if centre_id is not None:
        stmt = stmt.where(JOB.c.centre_id == centre_id)
    outcomes: list[tuple[int, JobState]] = []
    board = engines.state(app).board
    try:
        if read_with is not None:
            rows = read_with.execute(stmt).all()
        else:
            with engine.connect() as conn:
                rows = conn.execute(stmt).all()
        alive = _alive_on_the_board(board, rows, cutoff)
        for row in rows:
            if row.id in alive:
                continue
            if row.state == JobState.RUNNING.value:
                with engine.begin() as conn:
                    state = give_up(
                        conn,
                        row.id,
                        row.attempts,
                        STALE.format(seconds=seconds),
                        retry=True,
                        extra_where=JOB.c.heartbeat_at < cutoff,
                    )
                if state is not None:
                    log.warning(
                        "job %s: attempt %s lost its worker; now %s",
                        row.id,
                        row.attempts,
                        state.value,
                    )
                    outcomes.append((row.id, state))
            elif not _still_waiting(app, row.id, row.queue_ref):
                with engine.begin() as conn:
                    moved = conn.execute(
                        sa.update(JOB)
                        .where(
                            JOB.c.id == row.id,
                            JOB.c.state == JobState.QUEUED.value,
                            JOB.c.queued_at < cutoff,
                        )
                        .values(queued_at=now, queue_ref=new_queue_ref())
                    ).rowcount
                if moved:
                    log.warning(
                        "job %s: was queued with nobody to run it; dispatched again", row.id
                    )
                    outcomes.append((row.id, JobState.QUEUED))
    except OperationalError as error:
        # SQLite's write lock is held (by a job that is writing, so alive): try another time.
        log.info("stale-job sweep skipped: %s", error.orig)
    for touched, state in outcomes:
        if state == JobState.QUEUED:
            dispatch(touched)
    return outcomes


def _alive_on_the_board(
    board: LiveBoard | None, rows: Sequence[sa.Row[*tuple[Any, ...]]], cutoff: datetime
) -> set[int]:
    """Running jobs whose heartbeat reached only the SQLite live board, recently."""
    if board is None:
        return set()
    running = {row.id: row.attempts for row in rows if row.state == JobState.RUNNING.value}
    live = board.read(list(running))
    return {
        job_id
        for job_id, entry in live.items()
        if entry.attempt == running[job_id] and entry.heartbeat_at >= cutoff
    }


def live_progress(jobs: list[Job]) -> dict[int, LiveRow]:
    """For running jobs whose progress only reached the SQLite live board: that progress."""
    board = engines.state(current_app).board
    if board is None:
        return {}
    # A row heartbeating on time needs no look at the board.
    quiet_since = utcnow() - timedelta(seconds=1.5 * heartbeat_interval(current_app.config))
    running = {
        job.id: job
        for job in jobs
        if job.state == JobState.RUNNING
        and (job.heartbeat_at is None or job.heartbeat_at < quiet_since)
    }
    if not running:
        return {}
    try:
        entries = board.read(list(running))
    except OperationalError:
        return {}
    newer = {}
    for job_id, entry in entries.items():
        job = running[job_id]
        if entry.attempt == job.attempts and (
            job.heartbeat_at is None or entry.heartbeat_at > job.heartbeat_at
        ):
            newer[job_id] = entry
    return newer


# --- reading ------------------------------------------------------------------------------------


def job_by_id(job_id: int) -> sa.Select[Job]:
    """One job (through the request's centre scope), with who started it and its table."""
    return (
        sa.select(Job)
        .where(Job.id == job_id)
        .options(joinedload(Job.created_by), undefer(Job.details))
    )


def recent_jobs() -> sa.Select[Job]:
    """The centre's jobs, newest first (results and params stay unloaded)."""
    return (
        sa.select(Job)
        .options(joinedload(Job.created_by))
        .order_by(Job.created_at.desc(), Job.id.desc())
    )


def recent_jobs_page(per_page: int) -> Pagination:
    """A page (``?page=``) of ``recent_jobs`` through the request's centre scope."""
    page = db.paginate(
        recent_jobs(), per_page=per_page, max_per_page=None, error_out=False, count=False
    )
    # Flask-SQLAlchemy's own count runs over a subquery of every column, large ones included;
    # its documented way out is count=False and setting the total: count ids instead.
    page.total = db.session.scalar(sa.select(sa.func.count(Job.id)))
    return page

"""Running one attempt of a job, the same way in a thread, an RQ worker and ``run_inline``.

1. Claim: ``queued`` → ``running`` and ``attempts + 1`` in one conditional UPDATE; the new
   attempt number fences every later write (see models.py).
2. Run the handler in this app context, with the centre scope set to the job's centre and
   ``db.session`` on the job engine (engines.py), while a ticker thread heartbeats.
3. Finish: store the result with a fenced UPDATE *in the handler's session* and commit once, so
   the handler's changes and the result land together or not at all. If the row was taken from
   us meanwhile, roll everything back.

Failures: a ``JobError`` shows its own words; any other exception is logged and shown as a
general message; a lost database connection is retried while attempts remain. A runner that
dies leaves the row ``running`` with an ageing heartbeat, which ``sweep_stale`` finds.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from heartbeat.db import set_centre_scope, utcnow
from heartbeat.jobs import engines, registry
from heartbeat.jobs.context import (
    JOB,
    JobContext,
    JobError,
    JobLost,
    JobResult,
    JobTable,
    ProgressReporter,
    Ticker,
    heartbeat_interval,
)
from heartbeat.jobs.models import JobState

log = logging.getLogger("heartbeat.jobs")

GENERAL_FAILURE = (
    "Something went wrong while running this job. Nothing it did was saved. The details have "
    "been logged for your administrator (job {job_id})."
)
TIMED_OUT = "It took longer than the time limit of {minutes} minutes and was stopped."
DATABASE_LOST = "The connection to the database was lost while it ran."
STALE = "The worker running it stopped responding (no sign of life for {seconds} seconds)."
NOT_AVAILABLE = "This kind of job ({kind}) is not available on the worker that picked it up."

# A job holding SQLite's write lock longer than this is worth a warning in the log.
LOCK_WARNING_S = 5.0

# How long a runner waits for a row it was told about to become visible (dispatch before the
# submitting transaction committed).
CLAIM_PATIENCE_S = 5.0


@dataclass
class Claim:
    job_id: int
    attempt: int
    kind: str
    centre_id: int
    actor_id: int | None
    params: dict[str, Any]


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:200]


def new_queue_ref() -> str:
    return uuid.uuid4().hex[:16]


def _claim(engine: Engine, job_id: int, worker_id: str) -> Claim | None:
    deadline = time.monotonic() + CLAIM_PATIENCE_S
    pause = 0.05
    while True:
        now = utcnow()
        with engine.begin() as conn:
            claimed = conn.execute(
                sa.update(JOB)
                .where(JOB.c.id == job_id, JOB.c.state == JobState.QUEUED.value)
                .values(
                    state=JobState.RUNNING.value,
                    attempts=JOB.c.attempts + 1,
                    started_at=now,
                    heartbeat_at=now,
                    finished_at=None,
                    worker_id=worker_id,
                    progress_done=0,
                    progress_total=0,
                    progress_message="",
                    details=None,
                )
            ).rowcount
            row = conn.execute(
                sa.select(
                    JOB.c.attempts,
                    JOB.c.kind,
                    JOB.c.centre_id,
                    JOB.c.created_by_id,
                    JOB.c.params,
                    JOB.c.state,
                ).where(JOB.c.id == job_id)
            ).one_or_none()
        if claimed:
            assert row is not None
            return Claim(
                job_id, row.attempts, row.kind, row.centre_id, row.created_by_id, row.params or {}
            )
        if row is not None:
            log.info("job %s: not claimed, it is %s", job_id, row.state)
            return None
        if time.monotonic() >= deadline:
            log.warning("job %s: no such job (was it committed before dispatch?)", job_id)
            return None
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def give_up(
    conn: Connection,
    job_id: int,
    attempt: int,
    message: str,
    *,
    retry: bool,
    extra_where: Any = None,
    details: JobTable | None = None,
) -> JobState | None:
    """End ``attempt`` as failed; with ``retry``, queue the job again while attempts remain.

    Returns the job's new state, or None when the attempt was no longer current.
    """
    now = utcnow()
    state = (
        sa.case(
            (JOB.c.attempts < JOB.c.max_attempts, JobState.QUEUED.value),
            else_=JobState.FAILED.value,
        )
        if retry
        else JobState.FAILED.value
    )
    stmt = sa.update(JOB).where(
        JOB.c.id == job_id,
        JOB.c.state == JobState.RUNNING.value,
        JOB.c.attempts == attempt,
    )
    if extra_where is not None:
        stmt = stmt.where(extra_where)
    values: dict[str, Any] = {"state": state, "error": message[:2000], "worker_id": None}
    if details is not None:
        values["details"] = details.to_json()
    if retry:
        # Whether it is queued again or failed for good is only known to the UPDATE itself.
        queued = JOB.c.attempts < JOB.c.max_attempts
        values["finished_at"] = sa.case((queued, None), else_=now)
        values["queued_at"] = sa.case((queued, now), else_=JOB.c.queued_at)
        values["queue_ref"] = sa.case((queued, new_queue_ref()), else_=JOB.c.queue_ref)
    else:
        values["finished_at"] = now
    if conn.execute(stmt.values(**values)).rowcount == 0:
        return None
    return JobState(conn.execute(sa.select(JOB.c.state).where(JOB.c.id == job_id)).scalar_one())


def _holds_write_lock(session) -> bool:
    if not session.in_transaction():
        return False
    return bool(session.connection().connection.dbapi_connection.in_transaction)


def _check_result(result: Any, ctx: JobContext) -> JobResult | None:
    if result is not None and not isinstance(result, JobResult):
        raise TypeError(f"a job handler returned {type(result).__name__}, not JobResult or None")
    if result is not None and not isinstance(result.data, bytes | bytearray | memoryview):
        raise TypeError("JobResult.data must be bytes")
    json.dumps(result.summary if result is not None else None)
    json.dumps(ctx.summary)
    for details in (result.details if result is not None else None, ctx.details):
        if details is not None and not isinstance(details, JobTable):
            raise TypeError(f"job details must be a JobTable, not {type(details).__name__}")
    return result


def _safe_filename(name: str) -> str:
    name = os.path.basename(str(name).replace("\\", "/")).strip().strip(".")
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name[:200] or "result"


def _is_timeout(error: BaseException) -> bool:
    try:
        from rq.timeouts import JobTimeoutException
    except ImportError:  # pragma: no cover - rq is a dependency
        return False
    return isinstance(error, JobTimeoutException)


def run_job(job_id: int, *, worker_id: str | None = None) -> JobState | None:
    """Run one attempt of ``job_id`` in the current app context, which must be fresh.

    Returns the state the job was left in, or None when it was not ours to run.
    """
    app = engines.app_object()
    jobs_state = engines.state(app)
    claim = _claim(jobs_state.handler_engine, job_id, worker_id or worker_identity())
    if claim is None:
        return None
    log.info("job %s (%s): attempt %s started", job_id, claim.kind, claim.attempt)
    set_centre_scope(claim.centre_id)
    session = engines.install_handler_session(app)
    reporter = ProgressReporter(
        jobs_state.live_engine,
        job_id,
        claim.attempt,
        holds_write_lock=(lambda: _holds_write_lock(session)) if jobs_state.is_sqlite else None,
        board=jobs_state.board,
    )
    ctx = JobContext(
        job_id=job_id,
        centre_id=claim.centre_id,
        actor_id=claim.actor_id,
        attempt=claim.attempt,
        reporter=reporter,
    )
    ticker = Ticker(reporter, heartbeat_interval(app.config))
    ticker.start()
    started = time.monotonic()
    try:
        try:
            handler = registry.get(claim.kind)
        except registry.UnknownJobKind:
            log.error("job %s: no handler for kind %r", job_id, claim.kind)
            return _end(jobs_state, claim, NOT_AVAILABLE.format(kind=claim.kind), retry=False)
        try:
            result = handler.func(ctx, claim.params)
            result = _check_result(result, ctx)
        except JobLost:
            session.rollback()
            log.warning(
                "job %s: attempt %s was handed on; its work is discarded", job_id, claim.attempt
            )
            return None
        except JobError as error:
            session.rollback()
            log.info("job %s: failed: %s", job_id, error)
            return _end(
                jobs_state,
                claim,
                str(error) or "The job could not be completed.",
                retry=False,
                details=error.details,
            )
        except OperationalError:
            session.rollback()
            log.exception("job %s: database error", job_id)
            return _end(jobs_state, claim, DATABASE_LOST, retry=True)
        except Exception as error:
            session.rollback()
            if _is_timeout(error):
                minutes = max(1, int(app.config["HEARTBEAT_JOB_TIMEOUT_SECONDS"]) // 60)
                log.warning("job %s: timed out", job_id)
                return _end(jobs_state, claim, TIMED_OUT.format(minutes=minutes), retry=False)
            log.exception("job %s (%s): handler raised", job_id, claim.kind)
            return _end(jobs_state, claim, GENERAL_FAILURE.format(job_id=job_id), retry=False)
        ticker.stop()
        return _finish(session, claim, reporter, result, ctx, started)
    finally:
        ticker.stop()
        session.close()
        _clear_board(jobs_state, job_id, claim.attempt)


def _clear_board(jobs_state, job_id: int, attempt: int) -> None:
    if jobs_state.board is None:
        return
    try:
        jobs_state.board.clear(job_id, attempt)
    except OperationalError:
        log.debug("job %s: live board entry left behind", job_id)


def _finish(
    session,
    claim: Claim,
    reporter: ProgressReporter,
    result: JobResult | None,
    ctx: JobContext,
    started: float,
) -> JobState | None:
    now = utcnow()
    details = (result.details if result is not None else None) or ctx.details
    values: dict[str, Any] = {
        "state": JobState.DONE.value,
        "finished_at": now,
        "heartbeat_at": now,
        "error": None,
        "summary": (result.summary if result is not None else None) or ctx.summary,
        "details": details.to_json() if details is not None else None,
    }
    latest = reporter.latest()
    if latest is not None:
        values.update(progress_done=latest[0], progress_total=latest[1], progress_message=latest[2])
    if result is not None:
        data = bytes(result.data)
        values.update(
            result=data,
            result_size=len(data),
            result_filename=_safe_filename(result.filename),
            result_mimetype=(result.mimetype or "application/octet-stream")[:120],
        )
    try:
        updated = (
            session.connection()
            .execute(
                sa.update(JOB)
                .where(
                    JOB.c.id == claim.job_id,
                    JOB.c.state == JobState.RUNNING.value,
                    JOB.c.attempts == claim.attempt,
                )
                .values(**values)
            )
            .rowcount
        )
        if updated != 1:
            session.rollback()
            log.warning(
                "job %s: attempt %s finished after it was handed on; discarded",
                claim.job_id,
                claim.attempt,
            )
            return None
        session.commit()
    except OperationalError:
        session.rollback()
        log.exception("job %s: could not store the result", claim.job_id)
        return _end(engines.state(current_app), claim, DATABASE_LOST, retry=True)
    except Exception:
        session.rollback()
        log.exception("job %s (%s): could not store the result", claim.job_id, claim.kind)
        return _end(
            engines.state(current_app),
            claim,
            GENERAL_FAILURE.format(job_id=claim.job_id),
            retry=False,
        )
    log.info("job %s: done in %.1f s", claim.job_id, time.monotonic() - started)
    if reporter.lock_held_since is not None:
        held = time.monotonic() - reporter.lock_held_since
        if held > LOCK_WARNING_S:
            log.warning(
                "job %s (%s) held SQLite's write lock for at least %.0f s, so every other "
                "writer waited; let the handler read and compute first and write at the end",
                claim.job_id,
                claim.kind,
                held,
            )
    return JobState.DONE


def _end(
    jobs_state, claim: Claim, message: str, *, retry: bool, details: JobTable | None = None
) -> JobState | None:
    with jobs_state.handler_engine.begin() as conn:
        state = give_up(conn, claim.job_id, claim.attempt, message, retry=retry, details=details)
    # QUEUED: another attempt is due, and whoever called run_job dispatches it
    # (``backends.run_and_redispatch``).
    return state

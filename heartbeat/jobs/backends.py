"""Where a dispatched job runs: a thread of this process, or an RQ queue on Redis.

Neither keeps anything a job needs: the thread backend's set of ids only stops one process
starting the same queued job twice, and the RQ job carries nothing but the job's id.
"""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from heartbeat.extensions import db
from heartbeat.jobs import engines, registry
from heartbeat.jobs.context import JOB
from heartbeat.jobs.models import JobState
from heartbeat.jobs.runner import run_job

log = logging.getLogger("heartbeat.jobs")

# RQ job ids that every dispatch of a job is recognised by: "<queue>-<job id>-<queue_ref>".
_RQ_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
RQ_PENDING = {"queued", "started", "deferred", "scheduled", "created", "ready_to_enqueue"}
RQ_FAILURE_TTL_S = 7 * 24 * 3600

# --- threads ------------------------------------------------------------------------------------

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_waiting: set[tuple[str, int]] = set()


def _key(app: Flask, job_id: int) -> tuple[str, int]:
    return (app.config["SQLALCHEMY_DATABASE_URI"], job_id)


def waiting_here(app: Flask, job_id: int) -> bool:
    """Whether this process has the job waiting for one of its threads."""
    with _lock:
        return _key(app, job_id) in _waiting


def start_thread(app: Flask, job_id: int) -> None:
    global _executor
    key = _key(app, job_id)
    with _lock:
        if key in _waiting:
            return
        _waiting.add(key)
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=max(1, int(app.config["HEARTBEAT_JOB_THREADS"])),
                thread_name_prefix="heartbeat-job",
            )
        executor = _executor
    executor.submit(_thread_main, app, job_id, key)


def _thread_main(app: Flask, job_id: int, key: tuple[str, int]) -> None:
    with _lock:
        _waiting.discard(key)
    try:
        with app.app_context():
            run_and_redispatch(job_id)
    except BaseException:
        log.exception("job %s: the job thread failed", job_id)


def run_and_redispatch(job_id: int) -> JobState | None:
    """One attempt of the job here and now; a failed attempt with attempts left is dispatched
    again (on a thread, or on the queue)."""
    state = run_job(job_id)
    if state == JobState.QUEUED:
        dispatch(job_id)
    return state


def dispatch(job_id: int) -> None:
    """Start a committed, queued job: on a thread here, or on the RQ queue with ``REDIS_URL``.

    Never raises for a queue that is down: the job stays queued, and the stale sweep dispatches
    it again later.
    """
    app = engines.app_object()
    if not app.config.get("REDIS_URL"):
        start_thread(app, job_id)
        return
    from redis.exceptions import RedisError

    try:
        enqueue(app, job_id, _queue_ref(job_id))
    except RedisError:
        log.exception("job %s: could not be put on the queue; it stays queued", job_id)


def _queue_ref(job_id: int) -> str | None:
    with engines.state(current_app).live_engine.connect() as conn:
        return conn.execute(sa.select(JOB.c.queue_ref).where(JOB.c.id == job_id)).scalar()


def perform(job_id: int) -> str | None:
    """The function an RQ worker runs: one attempt of ``job_id`` in the worker's app context."""
    if not has_app_context():
        # The app's worker (``flask --app heartbeat worker``) pushes its app around every job; a
        # plain ``rq worker`` has none, and this package cannot build one (it sits below the app).
        raise RuntimeError(
            "Heartbeat Miles jobs run in `flask --app heartbeat worker`, not a plain `rq worker`"
        )
    app = engines.app_object()
    with app.app_context():
        registry.import_modules(app.config.get("HEARTBEAT_JOB_MODULES", ""))
        try:
            state = run_and_redispatch(job_id)
        finally:
            db.session.remove()
    return state.value if state is not None else None


# --- RQ -----------------------------------------------------------------------------------------


def rq_queue(app: Flask):
    from rq import Queue

    return Queue(name=app.config["HEARTBEAT_JOB_QUEUE"], connection=engines.redis_connection(app))


def rq_job_id(app: Flask, job_id: int, queue_ref: str | None) -> str:
    queue = _RQ_ID_UNSAFE.sub("_", app.config["HEARTBEAT_JOB_QUEUE"])
    return f"{queue}-{job_id}-{_RQ_ID_UNSAFE.sub('_', queue_ref or 'none')}"


def rq_status(app: Flask, job_id: int, queue_ref: str | None) -> str | None:
    """The RQ status of the job's current dispatch ("missing" when Redis has none)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    try:
        found = RQJob.fetch(rq_job_id(app, job_id, queue_ref), connection=rq_queue(app).connection)
    except NoSuchJobError:
        return "missing"
    status = found.get_status(refresh=False)
    return status.value if status is not None else "missing"


def enqueue(app: Flask, job_id: int, queue_ref: str | None) -> None:
    if rq_status(app, job_id, queue_ref) in RQ_PENDING:
        return
    rq_queue(app).enqueue(
        "heartbeat.jobs.backends.perform",
        job_id,
        job_id=rq_job_id(app, job_id, queue_ref),
        job_timeout=int(app.config["HEARTBEAT_JOB_TIMEOUT_SECONDS"]),
        result_ttl=0,
        failure_ttl=RQ_FAILURE_TTL_S,
        description=f"Heartbeat Miles job {job_id}",
    )

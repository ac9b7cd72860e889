"""Where a dispatched job runs: a thread of this process, or an RQ queue on Redis.

Neither keeps anything a job needs: the thread backend's set of ids only stops one process
starting the same queued job twice, and the RQ job carries nothing but the job's id.
"""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from heartbeat.jobs import engines

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
    from heartbeat.jobs.runner import run_job

    with _lock:
        _waiting.discard(key)
    try:
        with app.app_context():
            run_job(job_id)
    except BaseException:
        log.exception("job %s: the job thread failed", job_id)


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
        "heartbeat.jobs.runner.perform",
        job_id,
        job_id=rq_job_id(app, job_id, queue_ref),
        job_timeout=int(app.config["HEARTBEAT_JOB_TIMEOUT_SECONDS"]),
        result_ttl=0,
        failure_ttl=RQ_FAILURE_TTL_S,
        description=f"Heartbeat Miles job {job_id}",
    )

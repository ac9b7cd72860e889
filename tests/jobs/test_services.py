"""The job interface in the embedded default: a thread of this process, SQLite or PostgreSQL."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import engines, registry, services
from heartbeat.jobs.context import JOB, JobContext, ProgressReporter
from heartbeat.jobs.models import Job, JobState
from heartbeat.jobs.runner import GENERAL_FAILURE
from tests.jobs.handlers import gate


def _read_row(app, job_id):
    """The row as another process would see it: a fresh connection, outside any session."""
    with app.app_context():
        engine = sa.create_engine(db.engine.url)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).one()
        finally:
            engine.dispose()


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def _audit_rows(app, action="test.counted") -> int:
    """Committed audit rows, read like _read_row (a job may hold SQLite's write lock)."""
    with app.app_context():
        engine = sa.create_engine(db.engine.url)
        try:
            with engine.connect() as conn:
                return conn.scalar(
                    sa.select(sa.func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == action)
                )
        finally:
            engine.dispose()


def test_submitted_job_is_queued_with_its_params_and_owner(app, world, jobs):
    job_id = jobs.submit(world.a, n=3)
    job = jobs.get(job_id)
    assert job.state == JobState.QUEUED
    assert job.centre_id == world.a.centre.id
    assert job.created_by_id == world.a.therapist.id
    assert job.params == {"n": 3}
    assert job.attempts == 0 and job.max_attempts == 3


def test_submit_refuses_an_unknown_kind_and_params_that_are_not_json(app, world):
    with app.app_context():
        with pytest.raises(registry.UnknownJobKind):
            services.submit("nosuch.kind", centre_id=world.a.centre.id, actor=None, params={})
        with pytest.raises(TypeError):
            services.submit(
                "testjobs.count", centre_id=world.a.centre.id, actor=None, params={"when": object()}
            )


def test_a_kind_cannot_be_registered_twice_by_different_functions():
    with pytest.raises(ValueError, match="already handled"):

        @registry.handler("testjobs.count")
        def another(ctx, params):  # pragma: no cover - never runs
            return None


def test_thread_run_reports_progress_another_session_sees_and_stores_the_result(app, world, jobs):
    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, n=10, gate=name, pause_at=5, dispatch=True)

    # Paused after 5 items: another connection sees the progress while the job is running.
    row = _wait_for(lambda: (r := _read_row(app, job_id)).progress_done == 5 and r)
    assert row.state == "running"
    assert (row.progress_total, row.progress_message) == (10, "things counted")
    assert row.attempts == 1 and row.heartbeat_at is not None

    gate(name).set()
    job = jobs.wait(job_id)
    assert job.state == JobState.DONE
    assert job.result == b"counted 10 on attempt 1"
    assert (job.result_filename, job.result_mimetype, job.result_size) == (
        "count.txt",
        "text/plain",
        len(job.result),
    )
    assert job.summary == {"things_counted": 10, "attempt": 1}
    assert (job.progress_done, job.progress_total) == (10, 10)
    assert job.finished_at is not None and job.error is None


def test_handler_changes_are_committed_with_the_result_not_before(app, world, jobs):
    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, n=6, gate=name, pause_at=3, write=True, dispatch=True)
    _wait_for(lambda: _read_row(app, job_id).state == "running")
    time.sleep(0.2)
    assert _audit_rows(app) == 0  # three rows written, none committed
    gate(name).set()
    job = jobs.wait(job_id)
    assert job.state == JobState.DONE
    assert _audit_rows(app) == 6


def test_handler_exception_fails_the_job_with_a_general_message_and_saves_nothing(
    app, world, jobs, caplog
):
    job_id = jobs.submit(world.a, n=4, write=True, fail_at_end=True, dispatch=True)
    job = jobs.wait(job_id)
    assert job.state == JobState.FAILED
    assert job.error == GENERAL_FAILURE.format(job_id=job_id)
    assert "secret" not in job.error and "Traceback" not in job.error
    assert job.result is None and job.finished_at is not None
    assert _audit_rows(app) == 0
    # The traceback goes to the log for the administrator.
    assert any(r.exc_info and "secret.txt" in str(r.exc_info[1]) for r in caplog.records)


def test_job_error_shows_its_own_words_and_is_not_retried(app, world, jobs):
    job_id = jobs.submit(world.a, "testjobs.refuse", dispatch=True)
    job = jobs.wait(job_id)
    assert job.state == JobState.FAILED
    assert job.error == "Line 3: there is no participant with id 99."
    assert job.attempts == 1


def test_handler_returning_none_finishes_with_its_summary_and_no_file(app, world, jobs):
    job_id = jobs.submit(world.a, "testjobs.quiet", dispatch=True)
    job = jobs.wait(job_id)
    assert job.state == JobState.DONE
    assert job.result is None and job.result_filename is None
    assert job.summary == {"checked": 3}


def test_run_inline_runs_in_this_process_and_commits_the_callers_submit(app, world):
    with app.app_context():
        job = services.submit(
            "testjobs.count", centre_id=world.a.centre.id, actor=None, params={"n": 2}
        )
        done = services.run_inline(job.id)  # not committed yet: run_inline commits it first
        assert done.state == JobState.DONE
        assert done.result_filename == "count.txt"


def test_run_inline_refuses_unflushed_changes(app, world):
    with app.app_context():
        job = services.submit("testjobs.count", centre_id=world.a.centre.id, actor=None, params={})
        job.params = {"n": 1}
        with pytest.raises(RuntimeError, match="flush or commit"):
            services.run_inline(job.id)


def test_handler_runs_scoped_to_the_jobs_centre(app, world):
    seen = {}

    @registry.handler("testjobs.scope_probe")
    def probe(ctx, params):
        from heartbeat.auth.models import User

        seen["emails"] = sorted(u.email for u in db.session.scalars(sa.select(User)))
        seen["actor"] = ctx.actor().email
        return None

    with app.app_context():
        job = services.submit(
            "testjobs.scope_probe",
            centre_id=world.b.centre.id,
            actor=db.session.get(type(world.b.admin), world.b.admin.id),
            params={},
        )
        services.run_inline(job.id)
    assert seen["actor"] == "admin@bravo.example"
    assert seen["emails"] == sorted(
        ["admin@bravo.example", "therapist@bravo.example", "pat@bravo.example", "sam@bravo.example"]
    )


# --- workers that die ---------------------------------------------------------------------------


def _as_if_a_worker_died(jobs, job_id, *, attempts=1, seconds_ago=600):
    jobs.update(
        job_id,
        state=JobState.RUNNING,
        attempts=attempts,
        started_at=utcnow() - timedelta(seconds=seconds_ago),
        heartbeat_at=utcnow() - timedelta(seconds=seconds_ago),
        worker_id="gone-host:4242:MainThread",
    )


def test_stale_job_is_failed_with_the_reason_and_run_again(app, world, jobs):
    job_id = jobs.submit(world.a, n=3)
    _as_if_a_worker_died(jobs, job_id)
    with app.app_context():
        outcomes = services.sweep_stale()
    assert outcomes == [(job_id, JobState.QUEUED)]
    job = jobs.wait(job_id)
    assert job.state == JobState.DONE
    assert job.attempts == 2
    assert job.summary["attempt"] == 2


def test_stale_job_on_its_last_attempt_stays_failed_with_the_reason(app, world, jobs):
    job_id = jobs.submit(world.a, n=3)
    _as_if_a_worker_died(jobs, job_id, attempts=3)
    with app.app_context():
        assert services.sweep_stale() == [(job_id, JobState.FAILED)]
    job = jobs.get(job_id)
    assert job.state == JobState.FAILED
    assert "stopped responding (no sign of life for 60 seconds)" in job.error
    assert job.finished_at is not None


def test_a_fresh_heartbeat_is_left_alone(app, world, jobs):
    job_id = jobs.submit(world.a, n=3)
    _as_if_a_worker_died(jobs, job_id, seconds_ago=5)
    with app.app_context():
        assert services.sweep_stale() == []
    assert jobs.get(job_id).state == JobState.RUNNING


def test_a_queued_job_nobody_started_is_dispatched_again(app, world, jobs):
    job_id = jobs.submit(world.a, n=2)  # committed but never dispatched (the process died)
    jobs.update(job_id, queued_at=utcnow() - timedelta(seconds=600))
    with app.app_context():
        assert services.sweep_stale() == [(job_id, JobState.QUEUED)]
    assert jobs.wait(job_id).state == JobState.DONE


def test_a_runner_given_up_for_dead_cannot_commit_after_its_job_was_handed_on(
    app, world, jobs, caplog
):
    name = uuid.uuid4().hex
    # Attempt 1 pauses before item 3 (having written nothing); every attempt writes items 3-5.
    job_id = jobs.submit(
        world.a, n=6, gate=name, pause_at=3, write=True, write_from=3, dispatch=True
    )
    _wait_for(lambda: _read_row(app, job_id).progress_done == 3)

    # Attempt 1 is alive but silent past the stale limit: the sweep hands the job on.
    with app.app_context():
        later = utcnow() + timedelta(seconds=app.config["HEARTBEAT_JOB_STALE_SECONDS"] * 2)
        assert services.sweep_stale(now=later) == [(job_id, JobState.QUEUED)]
    job = jobs.wait(job_id)
    assert (job.state, job.attempts, job.summary["attempt"]) == (JobState.DONE, 2, 2)
    assert _audit_rows(app) == 3

    gate(name).set()  # attempt 1 wakes up, writes, and finds at the latest when it finishes
    _wait_for(lambda: any("handed on" in r.getMessage() for r in caplog.records))
    job = jobs.get(job_id)
    assert (job.state, job.attempts, job.result) == (JobState.DONE, 2, b"counted 6 on attempt 2")
    assert _audit_rows(app) == 3  # attempt 1's writes were rolled back


# --- progress writes ----------------------------------------------------------------------------


def test_progress_is_cheap_per_item_and_its_writes_are_throttled(app, world, jobs):
    job_id = jobs.submit(world.a, n=1)
    jobs.update(job_id, state=JobState.RUNNING, attempts=1, heartbeat_at=utcnow())
    with app.app_context():
        engine = engines.state(app).live_engine
    writes = []
    sa.event.listen(
        engine,
        "before_cursor_execute",
        lambda *args: writes.append(args[2]) if args[2].startswith("UPDATE") else None,
    )
    ctx = JobContext(
        job_id=job_id,
        centre_id=world.a.centre.id,
        actor_id=None,
        reporter=ProgressReporter(engine, job_id, 1),
    )
    total = 1_000_000  # the percentage changes every 10,000 items
    started = time.perf_counter()
    for i in range(20_000):
        ctx.progress(i + 1, total, "rows read")
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"20,000 progress calls took {elapsed:.2f} s"
    assert len(writes) <= 3 + elapsed / 0.25, f"{len(writes)} writes in {elapsed:.2f} s"
    assert _read_row(app, job_id).progress_done >= 10_000


def test_progress_of_a_job_that_is_no_longer_ours_raises_job_lost(app, world, jobs):
    job_id = jobs.submit(world.a, n=1)
    jobs.update(job_id, state=JobState.RUNNING, attempts=2, heartbeat_at=utcnow())
    with app.app_context():
        engine = engines.state(app).live_engine
    reporter = ProgressReporter(engine, job_id, attempt=1)
    with pytest.raises(services.JobLost):
        reporter.progress(1, 10, "x")
    assert _read_row(app, job_id).progress_done == 0


def test_retry_queues_a_failed_job_with_a_fresh_allowance(app, world, jobs):
    job_id = jobs.submit(world.a, "testjobs.refuse", dispatch=True)
    assert jobs.wait(job_id).state == JobState.FAILED
    with app.app_context():
        job = db.session.get(Job, job_id)
        services.retry(job, actor=None)
        db.session.commit()
        assert (job.state, job.max_attempts, job.error) == (JobState.QUEUED, 4, None)
        with pytest.raises(services.JobNotRetryable):
            services.retry(job, actor=None)


def test_a_result_that_cannot_be_stored_fails_the_job_instead_of_leaving_it_running(app, world):
    @registry.handler("testjobs.bad_summary")
    def bad_summary(ctx, params):
        return services.JobResult(b"x", "x.txt", "text/plain", {"when": object()})

    with app.app_context():
        job = services.submit(
            "testjobs.bad_summary", centre_id=world.a.centre.id, actor=None, params={}
        )
        done = services.run_inline(job.id)
        assert done.state == JobState.FAILED
        assert done.error == GENERAL_FAILURE.format(job_id=job.id)

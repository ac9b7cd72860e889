"""Jobs commands: the worker needs Redis; sweep, run and purge for operators."""

from __future__ import annotations

from datetime import timedelta

from heartbeat.db import utcnow
from heartbeat.jobs.models import JobState


def test_worker_without_redis_says_why_and_exits(app, runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 2
    assert "REDIS_URL is not set" in result.output


def test_jobs_run_runs_a_queued_job_in_the_foreground(app, world, jobs, runner):
    job_id = jobs.submit(world.a, n=2)
    result = runner.invoke(args=["jobs", "run", str(job_id)])
    assert result.exit_code == 0, result.output
    assert f"job {job_id}: done" in result.output
    assert jobs.get(job_id).state == JobState.DONE


def test_jobs_run_reports_a_failure_and_refuses_jobs_not_queued(app, world, jobs, runner):
    job_id = jobs.submit(world.a, "testjobs.refuse")
    result = runner.invoke(args=["jobs", "run", str(job_id)])
    assert result.exit_code == 1
    assert "Line 3: there is no participant with id 99." in result.output
    again = runner.invoke(args=["jobs", "run", str(job_id)])
    assert again.exit_code == 1 and "is failed, not queued" in again.output
    missing = runner.invoke(args=["jobs", "run", "424242"])
    assert missing.exit_code == 1 and "no job 424242" in missing.output


def test_jobs_sweep_recovers_a_job_whose_worker_died(app, world, jobs, runner):
    job_id = jobs.submit(world.a, n=2)
    jobs.update(
        job_id, state=JobState.RUNNING, attempts=3, heartbeat_at=utcnow() - timedelta(minutes=10)
    )
    result = runner.invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    assert f"job {job_id}: failed" in result.output and "1 job recovered." in result.output
    assert jobs.get(job_id).state == JobState.FAILED


def test_jobs_purge_deletes_only_jobs_that_ended_long_ago(app, world, jobs, runner):
    old = jobs.submit(world.a, n=1)
    recent = jobs.submit(world.b, n=1)
    waiting = jobs.submit(world.a, n=1)
    jobs.update(
        old, state=JobState.DONE, finished_at=utcnow() - timedelta(days=40), result=b"big file"
    )
    jobs.update(recent, state=JobState.FAILED, finished_at=utcnow() - timedelta(days=2))
    result = runner.invoke(args=["jobs", "purge", "--older-than", "30"])
    assert result.exit_code == 0, result.output
    assert "1 finished job older than 30 days deleted." in result.output
    with app.app_context():
        from heartbeat.extensions import db
        from heartbeat.jobs.models import Job

        assert db.session.get(Job, old) is None
        assert db.session.get(Job, recent) is not None
        assert db.session.get(Job, waiting) is not None

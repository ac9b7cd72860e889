"""Jobs on a real RQ queue (Redis on 127.0.0.1): in-process workers, and `flask worker`
subprocesses, one of them killed with SIGKILL in the middle of a job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from rq import SimpleWorker

from heartbeat.db import utcnow
from heartbeat.jobs import backends, services
from heartbeat.jobs.models import JobState
from heartbeat.jobs.runner import TIMED_OUT
from heartbeat.jobs.worker import HeartbeatWorker, make_worker
from tests.helpers import signed_in
from tests.jobs.conftest import REDIS_TEST_URL

# Real RQ workers in subprocesses.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STALE_S = 2


@pytest.fixture
def app_config(rq_queue_name):
    return {
        "REDIS_URL": REDIS_TEST_URL,
        "HEARTBEAT_JOB_QUEUE": rq_queue_name,
        "HEARTBEAT_JOB_STALE_SECONDS": STALE_S,
        "HEARTBEAT_JOB_HEARTBEAT_SECONDS": 1,
    }


class InProcessWorker(SimpleWorker, HeartbeatWorker):
    """The app's worker, running jobs in this process instead of a forked horse."""


def work_burst(app, name: str) -> None:
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with app.app_context():
            worker = make_worker(
                app,
                name=f"{app.config['HEARTBEAT_JOB_QUEUE']}-{name}",
                worker_class=InProcessWorker,
            )
            worker.work(burst=True)
    finally:  # the worker installs its own; give pytest its handlers back
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def test_dispatch_puts_the_job_on_the_queue_and_a_worker_runs_it(app, world, jobs):
    job_id = jobs.submit(world.a, n=5, dispatch=True)
    with app.app_context():
        queue = backends.rq_queue(app)
        assert queue.count == 1  # on the queue, not on a thread of this process
    assert jobs.get(job_id).state == JobState.QUEUED

    work_burst(app, "w1")
    job = jobs.get(job_id)
    assert job.state == JobState.DONE
    assert job.result == b"counted 5 on attempt 1"
    assert job.worker_id.split(":")[1] == str(os.getpid())
    client = signed_in(app, world.a.therapist.email)
    assert client.get(f"/jobs/{job_id}/result").data == b"counted 5 on attempt 1"


def test_dispatching_twice_queues_the_job_once(app, world, jobs):
    job_id = jobs.submit(world.a, n=1, dispatch=True)
    with app.app_context():
        services.dispatch(job_id)
        assert backends.rq_queue(app).count == 1


def test_a_job_over_the_time_limit_fails_with_the_reason(app, world, jobs):
    app.config["HEARTBEAT_JOB_TIMEOUT_SECONDS"] = 1
    job_id = jobs.submit(world.a, "testjobs.slow", n=30, sleep=0.1, dispatch=True)
    work_burst(app, "w1")
    job = jobs.get(job_id)
    assert job.state == JobState.FAILED
    assert job.error == TIMED_OUT.format(minutes=1)


def test_the_worker_loop_recovers_a_job_whose_worker_died(app, world, jobs):
    job_id = jobs.submit(world.a, n=3)
    jobs.update(
        job_id,
        state=JobState.RUNNING,
        attempts=1,
        heartbeat_at=utcnow() - timedelta(seconds=60),
        worker_id="gone:1:MainThread",
    )
    work_burst(app, "w1")  # its maintenance sweep re-queues the job, then it runs it
    job = jobs.get(job_id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_a_queued_job_redis_lost_is_queued_again(app, world, jobs):
    job_id = jobs.submit(world.a, n=2, dispatch=True)
    with app.app_context():
        backends.rq_queue(app).empty()  # as if Redis restarted without its data
    jobs.update(job_id, queued_at=utcnow() - timedelta(seconds=60))
    with app.app_context():
        assert services.sweep_stale() == [(job_id, JobState.QUEUED)]
        assert backends.rq_queue(app).count == 1
    work_burst(app, "w1")
    assert jobs.get(job_id).state == JobState.DONE


# --- `flask --app heartbeat worker` as a real process ---------------------------------------------


@contextmanager
def worker_process(app, tmp_path, name: str):
    queue = app.config["HEARTBEAT_JOB_QUEUE"]
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "REDIS_URL": REDIS_TEST_URL,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "HEARTBEAT_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "HEARTBEAT_JOB_QUEUE": queue,
        "HEARTBEAT_JOB_MODULES": "tests.jobs.handlers",
        "HEARTBEAT_JOB_STALE_SECONDS": str(STALE_S),
        "HEARTBEAT_JOB_HEARTBEAT_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    log_path = tmp_path / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "heartbeat",
                "worker",
                "--name",
                f"{queue}-{name}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    except BaseException:
        print(log_path.read_text(errors="replace")[-5000:])
        raise
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_flask_worker_process_runs_a_job(app, world, jobs, tmp_path):
    with worker_process(app, tmp_path, "solo"):
        job_id = jobs.submit(world.a, "testjobs.slow", n=5, sleep=0.05, dispatch=True)
        job = jobs.wait(job_id, timeout=60)
    assert job.state == JobState.DONE
    assert job.result == b"slow and steady" and job.summary == {"steps": 5}
    assert int(job.worker_id.split(":")[1]) != os.getpid()


def test_a_job_whose_worker_is_killed_is_marked_failed_and_finished_by_a_new_worker(
    app, world, jobs, tmp_path
):
    client = signed_in(app, world.a.therapist.email)
    job_id = jobs.submit(world.a, "testjobs.slow", n=30, sleep=0.1, dispatch=True)

    with worker_process(app, tmp_path, "doomed") as doomed:
        job = wait_until(
            lambda: (
                (j := jobs.get(job_id)).state == JobState.RUNNING and j.progress_done >= 3 and j
            ),
            60,
            "the first worker to get going",
        )
        # The whole machine dies: the worker and the work horse it forked for the job.
        horse_pid = int(job.worker_id.split(":")[1])
        os.kill(horse_pid, signal.SIGKILL)
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

    frozen = jobs.get(job_id)
    assert frozen.state == JobState.RUNNING and frozen.progress_done < 30

    # Polling the status page notices the silence, fails the attempt and queues it again.
    data = wait_until(
        lambda: (d := client.get(f"/jobs/{job_id}.json").get_json())["state"] != "running" and d,
        STALE_S + 15,
        "the status poll to notice the dead worker",
    )
    assert data["state"] == "queued"
    assert "stopped responding (no sign of life for 2 seconds)" in data["attempt_note"]
    assert data["attempt_note"].startswith("Attempt 2 of 3.")

    with worker_process(app, tmp_path, "rescuer"):
        job = jobs.wait(job_id, timeout=60)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert job.result == b"slow and steady" and job.progress_done == 30
    assert int(job.worker_id.split(":")[1]) != horse_pid

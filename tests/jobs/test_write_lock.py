"""A job that writes early holds SQLite's write lock until it ends: its progress and heartbeats
still reach the status page (through the live board), and it is not mistaken for dead.
The same tests run on PostgreSQL, where the job row takes them directly."""

from __future__ import annotations

import time
import uuid

import pytest

from heartbeat.jobs.models import JobState
from tests.helpers import signed_in
from tests.jobs.handlers import gate

STALE_S = 2


@pytest.fixture
def app_config():
    return {"HEARTBEAT_JOB_STALE_SECONDS": STALE_S, "HEARTBEAT_JOB_HEARTBEAT_SECONDS": 1}


def _poll(client, job_id, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(f"/jobs/{job_id}.json").get_json()
        if predicate(data):
            return data
        time.sleep(0.05)
    raise AssertionError(f"status never matched; last: {data}")


def test_progress_of_a_job_holding_the_write_lock_reaches_the_status_page(app, world, jobs):
    client = signed_in(app, world.a.therapist.email)  # signing in writes: before the job does
    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, n=10, gate=name, pause_at=5, write=True, dispatch=True)
    data = _poll(client, job_id, lambda d: d["done"] == 5)
    assert data["state"] == "running"
    assert data["progress_text"] == "5 of 10 things counted"
    assert "5 of 10 things counted" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "5 of 10 things counted" in client.get("/jobs").get_data(as_text=True)
    gate(name).set()
    job = jobs.wait(job_id)
    assert (job.state, job.progress_done) == (JobState.DONE, 10)


def test_a_job_silent_in_its_row_but_alive_is_not_handed_on(app, world, jobs):
    client = signed_in(app, world.a.therapist.email)
    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, n=4, gate=name, pause_at=2, write=True, dispatch=True)
    _poll(client, job_id, lambda d: d["done"] == 2)
    # Twice the stale limit with the job paused (and on SQLite holding the lock); every
    # poll sweeps for dead workers.
    deadline = time.monotonic() + STALE_S * 2
    while time.monotonic() < deadline:
        data = client.get(f"/jobs/{job_id}.json").get_json()
        assert data["state"] == "running" and data["attempt"] == 1, data
        time.sleep(0.2)
    gate(name).set()
    job = jobs.wait(job_id)
    assert (job.state, job.attempts) == (JobState.DONE, 1)

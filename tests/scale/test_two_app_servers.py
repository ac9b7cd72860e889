"""Stateless app servers: two gunicorn processes and RQ workers on one PostgreSQL and one Redis.

A person signs in on server A, asks A for a batch of certificates, follows the job on server B
and downloads the PDF from B. Then a worker is killed (SIGKILL, with its work horse) in the
middle of a batch: the attempt is marked failed, and a new worker finishes the job. Sign-in
attempts spread over A and B share one rate limit.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import signal
import sys
import time
import uuid

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from heartbeat.jobs.models import Job
from tests.harness import FAST_ARGON2
from tests.scale.cluster import (
    ROOT,
    Browser,
    app_server,
    free_port,
    wait_for_http,
    wait_until,
    worker,
)
from tests.scale.seeding import seed_centre

# Several app servers and workers as separate processes.
pytestmark = pytest.mark.slow

PAGES = 120  # certificates in each batch: a few seconds of rendering
STALE_S = 4
PER_ADDRESS = 8  # sign-in attempts per client address per hour, across every server
PER_ACCOUNT = 3  # per account email per hour
PASSWORD = "scale-test-" + uuid.uuid4().hex


def _env(database_url: str, redis) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTBEAT_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            # The one secret every server shares; each has its own instance folder (cluster.py).
            "SECRET_KEY": secrets.token_hex(32),
            "HEARTBEAT_JOB_QUEUE": redis.queue,
            "HEARTBEAT_RATELIMIT_PREFIX": redis.prefix,
            "HEARTBEAT_JOB_STALE_SECONDS": str(STALE_S),
            "HEARTBEAT_JOB_HEARTBEAT_SECONDS": "1",
            "HEARTBEAT_LOGIN_RATE_LIMIT": f"{PER_ADDRESS} per hour",
            "HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT": f"{PER_ACCOUNT} per hour",
            "HEARTBEAT_MFA_REQUIRED_ROLES": "",
            "HEARTBEAT_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            **{name: str(value) for name, value in FAST_ARGON2.items()},
        }
    )
    return env


def _migrate_and_seed(database_url: str, env: dict[str, str], tmp_path):
    import subprocess

    upgrade = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "heartbeat", "db", "upgrade"],
        cwd=ROOT,
        env={**env, "HEARTBEAT_INSTANCE_PATH": str(tmp_path / "deploy-instance")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr

    from heartbeat import create_app
    from heartbeat.extensions import db

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": env["SECRET_KEY"],
            "RATELIMIT_ENABLED": False,
            "HEARTBEAT_LOG_LEVEL": "WARNING",
            **FAST_ARGON2,
        }
    )
    try:
        return seed_centre(app, slug="scale", certificates=PAGES, password=PASSWORD)
    finally:
        with app.app_context():
            db.engine.dispose()


def _job_id(response) -> int:
    assert response.status_code == 302, response.text[:2000]
    found = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _pdf_pages(data: bytes) -> int:
    assert data.startswith(b"%PDF-")
    return len(PdfReader(io.BytesIO(data)).pages)


def test_two_app_servers_and_workers_share_jobs_files_and_rate_limits(
    scale_database, scale_redis, tmp_path
):
    env = _env(scale_database, scale_redis)
    seeded = _migrate_and_seed(scale_database, env, tmp_path)
    engine = sa.create_engine(scale_database)
    job_table = Job.__table__

    def job_row(job_id: int):
        with engine.connect() as conn:
            return conn.execute(
                sa.select(
                    job_table.c.state,
                    job_table.c.attempts,
                    job_table.c.worker_id,
                    job_table.c.progress_done,
                    job_table.c.error,
                ).where(job_table.c.id == job_id)
            ).one()

    port_a, port_b = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    services = [
        app_server("server-a", port_a, env, tmp_path),
        app_server("server-b", port_b, env, tmp_path),
        worker(f"{scale_redis.queue}-first", env, tmp_path),
    ]
    server_a, server_b, first_worker = services
    try:
        for service in services:
            service.start()
        wait_for_http(server_a, a)
        wait_for_http(server_b, b)

        # --- signed in on A, the batch asked of A, followed and downloaded on B ---------------
        person = Browser()
        assert person.sign_in(a, seeded.admin_email, seeded.password).status_code == 302
        assert person.get(f"{b}/certificates").status_code == 200  # B knows the session

        job_id = _job_id(person.post_form(f"{a}/certificates/print", {"mode": "month"}))
        states = []

        def finished_on_b():
            status = person.get(f"{b}/jobs/{job_id}.json")
            assert status.status_code == 200
            data = status.json()
            states.append((data["state"], data["done"]))
            return data if data["finished"] else None

        data = wait_until(finished_on_b, 90, "the first batch to finish", pause=0.2)
        assert data["state"] == "done" and data["percent"] == 100, data
        assert {"label": "Certificates", "value": str(PAGES)} in data["summary"]
        # B reported the certificates as the worker laid them out, not only the end.
        assert any(state == "running" and 0 < done < PAGES for state, done in states), states
        download = person.get(f"{b}{data['download_url']}")
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/pdf"
        assert _pdf_pages(download.content) == PAGES
        page = person.get(f"{b}/jobs/{job_id}").text
        assert "Download" in page and "Finished" in page

        # --- a worker killed in the middle of a batch -----------------------------------------
        job_id = _job_id(person.post_form(f"{a}/certificates/print", {"mode": "month"}))
        row = wait_until(
            lambda: (r := job_row(job_id)).state == "running" and r.progress_done > 0 and r,
            90,
            "the second batch to be under way",
            pause=0.05,
        )
        horse_pid = int(row.worker_id.split(":")[1])
        assert horse_pid != first_worker.pid  # RQ runs each job in a forked work horse
        os.kill(horse_pid, signal.SIGKILL)
        first_worker.kill()
        time.sleep(0.5)
        frozen = job_row(job_id)
        assert (frozen.state, frozen.attempts) == ("running", 1)  # nobody says otherwise yet

        # Polling B notices the silence: the attempt is failed with the reason, and queued again.
        data = wait_until(
            lambda: (d := person.get(f"{b}/jobs/{job_id}.json").json())["state"] != "running" and d,
            STALE_S + 20,
            "the dead worker to be noticed",
            pause=0.3,
        )
        assert data["state"] == "queued", data
        assert data["attempt_note"].startswith("Attempt 2 of 3. The previous attempt stopped: ")
        assert f"no sign of life for {STALE_S} seconds" in data["attempt_note"]
        assert job_row(job_id).error.startswith("The worker running it stopped responding")

        rescuer = worker(f"{scale_redis.queue}-rescuer", env, tmp_path).start()
        services.append(rescuer)
        data = wait_until(
            lambda: (d := person.get(f"{a}/jobs/{job_id}.json").json())["finished"] and d,
            90,
            "a new worker to finish the job",
            pause=0.3,
        )
        assert data["state"] == "done", data
        done = job_row(job_id)
        assert done.attempts == 2 and int(done.worker_id.split(":")[1]) != horse_pid
        download = person.get(f"{b}{data['download_url']}")
        assert _pdf_pages(download.content) == PAGES

        # --- sign-in attempts over A and B share one limit --------------------------------------
        attempts = 1  # the admin's sign-in above counted too
        account = f"nobody-{uuid.uuid4().hex[:8]}@scale.example"
        guesser = Browser()
        answers = []
        for server in (a, b, a, b):
            answers.append(guesser.sign_in(server, account, "wrong password!").status_code)
        assert answers == [401, 401, 401, 429]  # 3 per account, not 3 on each server
        attempts += PER_ACCOUNT

        accepted_before_limit = None
        for n in range(2 * PER_ADDRESS):
            server = (a, b)[n % 2]
            status = guesser.sign_in(server, f"guess-{n}@scale.example", "wrong password!")
            if status.status_code == 429:
                accepted_before_limit = n
                break
            assert status.status_code == 401
        assert accepted_before_limit is not None, "the per-address limit never applied"
        # Counters per process would have let each server take PER_ADDRESS on its own.
        assert attempts + accepted_before_limit <= PER_ADDRESS
        for server in (a, b):
            assert guesser.sign_in(server, "someone@scale.example", "x" * 12).status_code == 429
        assert scale_redis.rate_limit_keys(), "the counters live in Redis, under our prefix"
    except BaseException:
        for service in services:
            print(f"--- {service.name} ---\n{service.log()}")
        raise
    finally:
        for service in services:
            service.stop()
        engine.dispose()

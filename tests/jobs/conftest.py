"""Fixtures for the job tests: test-only job kinds, jobs made through the service layer, and a
private RQ queue on the local Redis."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

import tests.jobs.handlers  # noqa: F401  (registers the testjobs.* kinds)
from heartbeat.extensions import db
from heartbeat.jobs import services
from heartbeat.jobs.models import Job

# A Redis database of its own, and a queue name per test, so runs never see each other's jobs.
REDIS_TEST_URL = os.environ.get("HEARTBEAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


class Jobs:
    def __init__(self, app):
        self.app = app

    def submit(
        self, centre_world, kind: str = "testjobs.count", *, dispatch: bool = False, **params
    ) -> int:
        with self.app.app_context():
            from heartbeat.auth.models import User

            actor = db.session.get(User, centre_world.therapist.id)
            job = services.submit(
                kind, centre_id=centre_world.centre.id, actor=actor, params=params
            )
            job_id = job.id
            db.session.commit()
            if dispatch:
                services.dispatch(job_id)
            return job_id

    def get(self, job_id: int) -> Job:
        with self.app.app_context():
            job = db.session.execute(
                sa.select(Job)
                .where(Job.id == job_id)
                .options(sa.orm.undefer(Job.result), sa.orm.undefer(Job.params))
            ).scalar_one()
            db.session.expunge_all()
            return job

    def wait(self, job_id: int, timeout: float = 20) -> Job:
        with self.app.app_context():
            services.wait(job_id, timeout=timeout)
            db.session.rollback()
        return self.get(job_id)

    def update(self, job_id: int, **values) -> None:
        with self.app.app_context():
            db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
            db.session.commit()


@pytest.fixture
def jobs(app) -> Jobs:
    return Jobs(app)


def redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is needed for the queue tests in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_TEST_URL}: {error}")
    return client


@pytest.fixture
def rq_queue_name():
    """A queue of this test's own on the test Redis; its keys are deleted afterwards."""
    client = redis_or_skip()
    name = f"hbtest_{uuid.uuid4().hex[:10]}"
    yield name
    keys = list(client.scan_iter(match=f"*{name}*", count=500))
    if keys:
        client.delete(*keys)
    for key in ("rq:workers", "rq:queues"):
        for member in client.smembers(key):
            if name.encode() in member:
                client.srem(key, member)
    client.close()

"""A throwaway PostgreSQL database and a private corner of Redis for a multi-process deployment.

These tests always use PostgreSQL, whatever the rest of the suite runs on: several processes
sharing one SQLite file is not a deployment this app supports. They skip when PostgreSQL or
Redis cannot be reached, except in CI (``CI`` set), where that fails the run.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from heartbeat.config import database_uri
from heartbeat.db import scratch_postgres_database

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Redis database 13 is these tests' own; keys carry a per-run name besides, and are deleted.
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is needed for the multi-process tests: {error}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def postgres_admin_url() -> sa.URL:
    configured = os.environ.get("HEARTBEAT_TEST_POSTGRES_URL")
    if not configured:
        suite = os.environ.get("DATABASE_URL") or ""
        configured = suite if suite.startswith(("postgres://", "postgresql")) else DEFAULT_POSTGRES
    return sa.make_url(database_uri(configured, "/nonexistent"))


@pytest.fixture
def scale_database() -> Iterator[str]:
    """The URL of an empty PostgreSQL database, dropped afterwards."""
    admin_url = postgres_admin_url()
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(
                scratch_postgres_database(
                    admin_url.render_as_string(hide_password=False), "hm_scale"
                )
            )
        except sa.exc.OperationalError as error:
            _unavailable(f"PostgreSQL at {admin_url.render_as_string()}", error)
        yield url


@dataclass(frozen=True)
class RedisCorner:
    url: str
    queue: str
    prefix: str
    client: object

    def rate_limit_keys(self) -> list[bytes]:
        return list(self.client.scan_iter(match=f"*{self.prefix}*", count=1000))

    def our_keys(self) -> list[bytes]:
        keys = []
        for pattern in (f"*{self.queue}*", f"*{self.prefix}*"):
            keys.extend(self.client.scan_iter(match=pattern, count=1000))
        return keys


@pytest.fixture
def scale_redis() -> Iterator[RedisCorner]:
    """A queue name and a rate-limit prefix of this test's own; every key of theirs is deleted."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = os.environ.get("HEARTBEAT_TEST_SCALE_REDIS_URL", DEFAULT_REDIS)
    client = Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except RedisError as error:
        _unavailable(f"Redis at {url}", error)
    token = uuid.uuid4().hex[:10]
    corner = RedisCorner(url, f"hbscale_q_{token}", f"hbscale_rl_{token}", client)
    try:
        yield corner
    finally:
        keys = corner.our_keys()
        if keys:
            client.delete(*keys)
        for registry in ("rq:workers", "rq:queues"):
            for member in client.smembers(registry):
                if corner.queue.encode() in member:
                    client.srem(registry, member)
        assert corner.our_keys() == []
        client.close()

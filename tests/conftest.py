"""Shared fixtures: a fresh database per test on SQLite, or a private PostgreSQL database per run.

With ``DATABASE_URL`` pointing at PostgreSQL, the run creates its own database (so parallel runs
never collide), builds the schema once and empties every table between tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from heartbeat import create_app
from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.db import scratch_postgres_database
from heartbeat.extensions import db

pytest_plugins = ["tests.browser", "tests.mailbox"]

PASSWORD = "correct horse battery staple"
# Long enough for a start outside TESTING too (worker processes the tests run).
TEST_SECRET_KEY = "test-secret-key-for-the-test-suite-only"
# OWASP's minimum argon2id cost: fast enough for tests, and the floor the app accepts.
FAST_ARGON2 = {
    "HEARTBEAT_ARGON2_TIME_COST": 2,
    "HEARTBEAT_ARGON2_MEMORY_KIB": 19 * 1024,
    "HEARTBEAT_ARGON2_PARALLELISM": 1,
}
_HASH = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID).hash(
    PASSWORD
)


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(("postgres://", "postgresql"))


@pytest.fixture(scope="session")
def postgres_test_url() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for this run, or None when testing on SQLite."""
    base = os.environ.get("DATABASE_URL")
    if not is_postgres(base):
        yield None
        return
    with scratch_postgres_database(base, "hm_test") as url:
        yield url


_pg_schema_built: set[str] = set()


def make_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "heartbeat.test",
        # Two-factor sign-in is tested on its own (tests/auth/test_mfa.py); elsewhere it is off.
        "HEARTBEAT_MFA_REQUIRED_ROLES": "",
        **FAST_ARGON2,
        **overrides,
    }
    return create_app(config)


@pytest.fixture
def database_url(tmp_path, postgres_test_url) -> str:
    return postgres_test_url or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's settings."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))
    application = make_app(database_url, **app_config)
    with application.app_context():
        if is_postgres(database_url):
            if database_url not in _pg_schema_built:
                db.drop_all()
                db.create_all()
                _pg_schema_built.add(database_url)
            else:
                tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                db.session.commit()
        else:
            db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class CentreWorld:
    centre: Centre
    admin: User
    therapist: User
    participant: User
    other_participant: User


@dataclass
class World:
    """Two centres, each with an admin, a therapist and two participants, plus an operator."""

    a: CentreWorld
    b: CentreWorld
    operator: User


def add_user(centre: Centre | None, email: str, role: Role, *, operator: bool = False) -> User:
    user = User(
        email=email,
        name=email.split("@")[0].replace(".", " ").title(),
        role=role,
        centre_id=centre.id if centre else None,
        is_operator=operator,
        password_hash=_HASH,
    )
    db.session.add(user)
    return user


def _centre_world(slug: str) -> CentreWorld:
    centre = Centre(name=f"Centre {slug.upper()}", slug=slug, timezone="Europe/London")
    db.session.add(centre)
    db.session.flush()
    world = CentreWorld(
        centre=centre,
        admin=add_user(centre, f"admin@{slug}.example", Role.ADMIN),
        therapist=add_user(centre, f"therapist@{slug}.example", Role.THERAPIST),
        participant=add_user(centre, f"pat@{slug}.example", Role.PARTICIPANT),
        other_participant=add_user(centre, f"sam@{slug}.example", Role.PARTICIPANT),
    )
    db.session.flush()
    return world


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        db.session().expire_on_commit = False
        built = World(
            a=_centre_world("alpha"),
            b=_centre_world("bravo"),
            operator=add_user(None, "operator@platform.example", Role.ADMIN, operator=True),
        )
        db.session.commit()
        # Detached copies keep their loaded attributes for use in assertions.
        db.session.expunge_all()
        return built


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, *, remember: bool = False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@contextmanager
def count_queries(app):
    """Collects the SQL statements run inside the block (``len(...)`` gives the count)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def query_counter(app):
    return lambda: count_queries(app)

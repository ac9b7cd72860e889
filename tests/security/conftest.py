"""Fixtures of the security tests: a populated two-centre world built once per module."""

from __future__ import annotations

import pytest

from heartbeat.extensions import db
from tests.harness import empty_postgres, fresh_sqlite_file, make_app
from tests.security.world import SecurityWorld, build_world


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, postgres_test_url, sqlite_template):
    """An app on a database of its own for the whole module (tests here must not change it
    in ways another test of the module relies on)."""
    base = tmp_path_factory.mktemp("security")
    database_url = postgres_test_url or fresh_sqlite_file(sqlite_template, base / "test.db")
    mp = pytest.MonkeyPatch()
    mp.setenv("HEARTBEAT_INSTANCE_PATH", str(base / "instance"))
    application = make_app(database_url)
    if postgres_test_url:
        empty_postgres(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    mp.undo()


@pytest.fixture(scope="module")
def shared_world(shared_app) -> SecurityWorld:
    return build_world(shared_app)

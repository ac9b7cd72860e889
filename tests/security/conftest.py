"""Fixtures of the security tests: a populated two-centre world (tests/security/world.py).

On SQLite the world is built once per run into a file; a test asking for ``security_world``
gets a copy of that file as its database, and the module-scoped ``shared_app`` one copy per
module. On PostgreSQL it is built in the test's (or the module's) database.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest

from heartbeat.extensions import db
from tests.harness import empty_postgres, fresh_sqlite_file, make_app, populated_sqlite_template
from tests.security.world import SecurityWorld, build_world


@dataclass(frozen=True)
class WorldFile:
    path: Path
    world: SecurityWorld


@pytest.fixture(scope="session")
def security_world_file(
    postgres_test_url, sqlite_template, sqlite_folder_for_run, tmp_path_factory
) -> WorldFile | None:
    """The security world built once into an SQLite file (None on PostgreSQL)."""
    if postgres_test_url:
        return None
    path, world = populated_sqlite_template(
        sqlite_template,
        sqlite_folder_for_run / "security-world.db",
        tmp_path_factory.mktemp("security-world"),
        build_world,
    )
    return WorldFile(path, world)


@pytest.fixture
def database_template(request, database_template, security_world_file) -> Path:
    """Tests that ask for ``security_world`` start from a copy of it."""
    if security_world_file is not None and "security_world" in request.fixturenames:
        return security_world_file.path
    return database_template


@pytest.fixture
def security_world(app, security_world_file) -> SecurityWorld:
    """The security world, in this test's own database."""
    if security_world_file is None:
        return build_world(app)
    return copy.deepcopy(security_world_file.world)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, postgres_test_url, security_world_file):
    """An app on a database of its own for the whole module, holding the security world (tests
    here must not change it in ways another test of the module relies on)."""
    base = tmp_path_factory.mktemp("security")
    mp = pytest.MonkeyPatch()
    mp.setenv("HEARTBEAT_INSTANCE_PATH", str(base / "instance"))
    if postgres_test_url:
        application = make_app(postgres_test_url)
        empty_postgres(application)  # shared_world builds the world in it
    else:
        application = make_app(fresh_sqlite_file(security_world_file.path, base / "test.db"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    mp.undo()


@pytest.fixture(scope="module")
def shared_world(shared_app, security_world_file) -> SecurityWorld:
    if security_world_file is None:
        return build_world(shared_app)
    return copy.deepcopy(security_world_file.world)

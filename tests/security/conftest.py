"""Fixtures of the security tests: a populated two-centre world (tests/security/world.py).

On SQLite the world is built once per run into a template file: a test asking for
``security_world`` starts from a copy of it, and so does each module's ``shared_app``. On
PostgreSQL it is built in the test's (or the module's) database.
"""

from __future__ import annotations

import pytest

from heartbeat.extensions import db
from tests.harness import empty_postgres, fresh_sqlite_file, make_app, populated_template
from tests.security.world import SecurityWorld, build_world, store_device_files

populated_template("security_world", 10, build_world)


@pytest.fixture
def security_world(app, starts_from, populated) -> SecurityWorld:
    """The security world, in this test's own database."""
    if starts_from == "security_world":
        store_device_files(app)
        return populated.value("security_world")
    return build_world(app)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, postgres_test_url, populated):
    """An app on a database of its own for the whole module, holding the security world (tests
    here must not change it in ways another test of the module relies on)."""
    base = tmp_path_factory.mktemp("security")
    mp = pytest.MonkeyPatch()
    mp.setenv("HEARTBEAT_INSTANCE_PATH", str(base / "instance"))
    if postgres_test_url:
        application = make_app(postgres_test_url)
        empty_postgres(application)  # shared_world builds the world in it
    else:
        template = populated.file("security_world")
        application = make_app(fresh_sqlite_file(template, base / "test.db"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    mp.undo()


@pytest.fixture(scope="module")
def shared_world(shared_app, postgres_test_url, populated) -> SecurityWorld:
    if postgres_test_url:
        return build_world(shared_app)
    store_device_files(shared_app)
    return populated.value("security_world")

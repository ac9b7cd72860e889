"""Fixtures of the security tests: a populated two-centre world built once per module."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from tests.conftest import _pg_schema_built, is_postgres, make_app
from tests.security.world import SecurityWorld, build_world


def _fresh_database(app, database_url: str) -> None:
    with app.app_context():
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


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, postgres_test_url):
    """An app on a database of its own for the whole module (tests here must not change it
    in ways another test of the module relies on)."""
    base = tmp_path_factory.mktemp("security")
    database_url = postgres_test_url or f"sqlite:///{base / 'test.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("HEARTBEAT_INSTANCE_PATH", str(base / "instance"))
    application = make_app(database_url)
    _fresh_database(application, database_url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    mp.undo()


@pytest.fixture(scope="module")
def shared_world(shared_app) -> SecurityWorld:
    return build_world(shared_app)

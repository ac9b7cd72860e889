"""Shared fixtures: each test gets an app and a database of its own (see tests/harness.py).

On SQLite each test has its own file, a copy of a template holding the schema. With
``DATABASE_URL`` pointing at PostgreSQL, the run creates its own database (so parallel runs never
collide), builds the schema once and empties every table between tests.

People, worlds and signed-in clients come from tests/helpers.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat.db import scratch_postgres_database
from heartbeat.extensions import db
from heartbeat.outbox.sending import stop_senders
from tests.harness import (
    AppCache,
    Populated,
    build_sqlite_template,
    empty_postgres,
    fresh_sqlite_file,
    is_postgres,
    populated_template,
    sqlite_folder,
    wait_for_job_threads,
)
from tests.helpers import Auth, World, build_world, read_world

pytest_plugins = ["tests.browser", "tests.mailbox"]


@pytest.fixture(scope="session")
def postgres_test_url() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for this run, or None when testing on SQLite."""
    base = os.environ.get("DATABASE_URL")
    if not is_postgres(base):
        yield None
        return
    with scratch_postgres_database(base, "hm_test") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_folder_for_run(tmp_path_factory) -> Iterator[Path]:
    """The run's SQLite files (see ``harness.sqlite_folder``); removed at the end."""
    folder = sqlite_folder(tmp_path_factory.mktemp("sqlite"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(sqlite_folder_for_run) -> Path:
    """The empty schema in an SQLite file, built once per run."""
    return build_sqlite_template(sqlite_folder_for_run / "schema.db")


@pytest.fixture(scope="session")
def app_cache() -> Iterator[AppCache]:
    cache = AppCache()
    yield cache
    cache.close()


@pytest.fixture(scope="session")
def populated(postgres_test_url, sqlite_template, sqlite_folder_for_run, tmp_path_factory):
    """Template files holding what some fixtures build (``harness.populated_template``)."""
    schema = None if postgres_test_url else sqlite_template
    return Populated(schema, sqlite_folder_for_run, tmp_path_factory.mktemp("populated"))


@pytest.fixture
def starts_from(request, populated) -> str | None:
    """The fixture whose data this test's database starts with (None: the bare schema)."""
    return populated.choose(request.fixturenames)


@pytest.fixture
def database_template(starts_from, populated, sqlite_template) -> Path:
    """The SQLite file this test's database is copied from."""
    return populated.file(starts_from) if starts_from else sqlite_template


@pytest.fixture
def database_url(postgres_test_url, database_template, sqlite_folder_for_run) -> Iterator[str]:
    """This test's database: a fresh copy of the template on SQLite, the run's one on PostgreSQL."""
    if postgres_test_url:
        yield postgres_test_url
        return
    folder = Path(tempfile.mkdtemp(dir=sqlite_folder_for_run))
    yield fresh_sqlite_file(database_template, folder / "test.db")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's settings."""
    return {}


@pytest.fixture
def app(app_cache, database_url, app_config, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(instance))
    application = app_cache.app_for(app_config, database_url, instance)
    if is_postgres(database_url):
        empty_postgres(application)
    yield application
    wait_for_job_threads()
    stop_senders()
    with application.app_context():
        db.session.remove()
        if not is_postgres(database_url):
            # Closes the file before it is deleted; PostgreSQL keeps its pool for the next test.
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Rank 0: any other populated template includes the world.
populated_template("world", 0, build_world)


@pytest.fixture
def world(app, starts_from) -> World:
    """Two centres and their people (tests/helpers.py): on SQLite in the template the test's
    database was copied from, on PostgreSQL built in it."""
    return read_world(app) if starts_from else build_world(app)


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


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the markers
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (``make test``), the browser journeys stay together on one worker, in
    order: they share one live server, later journeys build on earlier ones, and no two pages
    may share a title across the whole set. Everything else is spread over the other workers."""
    browser = pytest.mark.xdist_group("browser")
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(browser)

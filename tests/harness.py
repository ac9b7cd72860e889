"""How the tests get an app and a database quickly, without sharing state between tests.

Building an app costs more than most tests (Werkzeug compiles every route), and so does
``create_all``; building the same people and records for test after test adds up too. So a run
builds:

- the schema once, into a template SQLite file that each test gets a copy of (a real file of
  its own, on /dev/shm when there is one: tests open second connections, threads and processes
  on it); on PostgreSQL, the schema once in the run's own database, emptied between tests;
- the data some fixtures make (``world``, ``progress``, ``training``, ``security_world``) once
  each, into a copy of that template (``populated_template``): a test asking for one starts
  from a copy of its file, and the fixture reads back what the build returned (on PostgreSQL
  the fixture builds it as before);
- each app once per distinct setting (``app_config`` and the environment), then hands it to
  the next test with the same settings after putting back everything a test can change: its
  configuration, its database engine (pointed at the new test's file), its instance folder,
  the jobs' connections and threads, the rate limiter's counters and the log level.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask

from heartbeat import create_app
from heartbeat.db import configure_engine
from heartbeat.extensions import db, limiter
from heartbeat.logs import configure_logging

T = TypeVar("T")

# OWASP's minimum argon2id cost: fast enough for tests, and the floor the app accepts.
FAST_ARGON2 = {
    "HEARTBEAT_ARGON2_TIME_COST": 2,
    "HEARTBEAT_ARGON2_MEMORY_KIB": 19 * 1024,
    "HEARTBEAT_ARGON2_PARALLELISM": 1,
}
# The environment variables create_app reads (heartbeat/config.py): part of an app's identity.
# Long enough for a start outside TESTING too (worker processes the tests run).
TEST_SECRET_KEY = "test-secret-key-for-the-test-suite-only"
_ENVIRONMENT_READ = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
# Apps kept for reuse; a run uses a handful of distinct settings, most tests the default one.
_CACHED_APPS = 6


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(("postgres://", "postgresql"))


def make_app(database_url: str, **overrides) -> Flask:
    """A new app as the tests configure it (CSRF and rate limits off, fast password hashing)."""
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


# --- databases --------------------------------------------------------------------------------


def sqlite_folder(fallback: Path) -> Path:
    """Where the tests' SQLite files go: memory-backed /dev/shm when there is one.

    Each test writes a few hundred kilobytes and syncs them; on a disk that is most of the cost
    of a small test. They are still real files, opened by threads and other processes alike.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="heartbeat-tests-", dir=shm))
    return fallback


def build_sqlite_template(path: Path) -> Path:
    """An SQLite file holding the empty schema, to copy for each test.

    Made on an engine set up as the app's (so the file is already in WAL mode, as the app
    would leave it) and closed, which folds the write-ahead log into the one file copied.
    """
    from heartbeat import models  # noqa: F401  (every table registered, as create_app does)

    engine = sa.create_engine(f"sqlite:///{path}")
    configure_engine(engine)
    try:
        db.metadata.create_all(engine)
    finally:
        engine.dispose()
    if Path(f"{path}-wal").exists():
        raise RuntimeError(f"the template {path} still has a write-ahead log")
    return path


def fresh_sqlite_file(template: Path, path: Path) -> str:
    """A copy of the template at ``path``; returns its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def populated_sqlite_template(
    schema: Path, path: Path, instance: Path, build: Callable[[Flask], T]
) -> tuple[Path, T]:
    """A copy of the schema template with ``build(app)`` run on it once, for tests to start
    from a copy of the result; returns the file and what ``build`` returned."""
    url = fresh_sqlite_file(schema, path)
    previous = os.environ.get("HEARTBEAT_INSTANCE_PATH")
    os.environ["HEARTBEAT_INSTANCE_PATH"] = str(instance)
    try:
        app = make_app(url)
    finally:
        if previous is None:
            del os.environ["HEARTBEAT_INSTANCE_PATH"]
        else:
            os.environ["HEARTBEAT_INSTANCE_PATH"] = previous
    built = build(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the last connection closes: the one file holds everything
    if Path(f"{path}-wal").exists():
        raise RuntimeError(f"the template {path} still has a write-ahead log")
    return path, built


# Fixtures whose data can start out in a template file: fixture name -> (rank, build). A test
# asking for several starts from the one of highest rank (a build includes those it needs:
# the progress build makes the world first).
POPULATED_TEMPLATES: dict[str, tuple[int, Callable[[Flask], Any]]] = {}


def populated_template(fixture: str, rank: int, build: Callable[[Flask], Any]) -> None:
    """Let tests asking for ``fixture`` start from a copy of a file where ``build(app)`` ran
    once; the fixture then reads what ``build`` returned from ``Populated.value``."""
    POPULATED_TEMPLATES[fixture] = (rank, build)


class Populated:
    """The populated templates of one run, built on first use (never on PostgreSQL)."""

    def __init__(self, schema: Path | None, folder: Path, instances: Path) -> None:
        self.schema, self.folder, self.instances = schema, folder, instances
        self._built: dict[str, tuple[Path, Any]] = {}

    def choose(self, fixturenames: list[str]) -> str | None:
        wanted = [name for name in fixturenames if name in POPULATED_TEMPLATES]
        if self.schema is None or not wanted:
            return None
        return max(wanted, key=lambda name: POPULATED_TEMPLATES[name][0])

    def file(self, fixture: str) -> Path:
        return self._build(fixture)[0]

    def value(self, fixture: str) -> Any:
        """What the build returned (a deep copy: tests may change it)."""
        return copy.deepcopy(self._build(fixture)[1])

    def _build(self, fixture: str) -> tuple[Path, Any]:
        if fixture not in self._built:
            assert self.schema is not None
            instance = self.instances / fixture
            instance.mkdir(parents=True, exist_ok=True)
            self._built[fixture] = populated_sqlite_template(
                self.schema,
                self.folder / f"{fixture}.db",
                instance,
                POPULATED_TEMPLATES[fixture][1],
            )
        return self._built[fixture]


# PostgreSQL databases whose schema this run has built.
_postgres_schema_built: set[str] = set()


def empty_postgres(app: Flask) -> None:
    """The schema on the first use of a PostgreSQL database in this run; afterwards, emptied.

    Emptied with DELETE, children before parents, and every sequence restarted (ids start at 1
    in every test), in one round trip: on tables this small that is several times faster than
    TRUNCATE, which rewrites each table's files (measured: 14 ms against 140 ms).
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        if url not in _postgres_schema_built:
            db.drop_all()
            db.create_all()
            _postgres_schema_built.add(url)
            return
        connection = db.session.connection()
        sequences = connection.exec_driver_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
        ).scalars()
        statements = [f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)]
        statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        connection.exec_driver_sql("; ".join(statements))
        db.session.commit()
        db.session.remove()


# --- apps ---------------------------------------------------------------------------------------


def _copy_config(config: dict[str, Any]) -> dict[str, Any]:
    copied = {}
    for key, value in config.items():
        try:
            copied[key] = copy.deepcopy(value)
        except Exception:  # a value that cannot be copied cannot be changed in place either
            copied[key] = value
    return copied


def _point_at_database(app: Flask, url: str) -> None:
    """Give ``app`` a new engine on ``url``, made as Flask-SQLAlchemy makes it, and drop the
    connections the previous test's jobs kept."""
    app.config["DATABASE_URL"] = url
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    jobs_state = app.extensions.pop("heartbeat_jobs", None)
    if jobs_state is not None:
        for engine in {jobs_state.handler_engine, jobs_state.live_engine}:
            if engine is not None:
                engine.dispose()
        if jobs_state.board is not None:
            jobs_state.board.engine.dispose()
        if jobs_state.redis is not None:
            jobs_state.redis.close()
    with app.app_context():
        # Flask-SQLAlchemy 3.x keeps an app's engines in this dict and looks the engine up
        # on every use, so replacing the entry rebinds db.session for this app.
        engines = db.engines
        if not isinstance(engines, dict):
            raise RuntimeError(
                "Flask-SQLAlchemy changed how it keeps engines; see tests/harness.py"
            )
        current = engines.get(None)
        if current is not None and current.url == sa.make_url(url):
            return  # PostgreSQL: the run's one database, emptied by the caller
        engine = sa.create_engine(url, **_copy_config(app.config["SQLALCHEMY_ENGINE_OPTIONS"]))
        configure_engine(engine)
        engines[None] = engine
        if current is not None:
            current.dispose()


def wait_for_job_threads() -> None:
    """Let the jobs a test started on this process's threads finish before the next test.

    A reused app is pointed at the next test's database, so a job thread still running would
    otherwise carry on in that database. The thread pool is module state of the jobs backend;
    the next dispatch makes a new one.
    """
    from heartbeat.jobs import backends

    with backends._lock:
        executor, backends._executor = backends._executor, None
    if executor is not None:
        executor.shutdown(wait=True)


class AppCache:
    """Apps by their settings, each restored to as-built before a test gets it."""

    def __init__(self) -> None:
        self._apps: OrderedDict[str, tuple[Flask, dict[str, Any]]] = OrderedDict()

    @staticmethod
    def key(app_config: dict[str, Any]) -> str | None:
        environment = {
            name: value
            for name, value in os.environ.items()
            if name in _ENVIRONMENT_READ or name.startswith("HEARTBEAT_")
        }
        environment.pop("HEARTBEAT_INSTANCE_PATH", None)  # each test gets its own folder
        try:
            return repr((sorted(app_config.items()), sorted(environment.items())))
        except TypeError:  # settings that cannot be sorted: no reuse
            return None

    def app_for(self, app_config: dict[str, Any], database_url: str, instance: Path) -> Flask:
        key = self.key(app_config)
        cached = self._apps.get(key) if key is not None else None
        if cached is None:
            app = make_app(database_url, **app_config)
            app.instance_path = str(instance)
            if key is not None:
                self._remember(key, app)
            return app
        self._apps.move_to_end(key)
        app, built_config = cached
        app.config.clear()
        app.config.update(_copy_config(built_config))
        app.instance_path = str(instance)
        _point_at_database(app, database_url)
        # The rate limiter and the log level are process-wide: the last app built set them.
        # (re-running init_app on an app it knows adds no hooks; it makes new in-memory counters)
        limiter.init_app(app)
        configure_logging(app)
        return app

    def _remember(self, key: str, app: Flask) -> None:
        self._apps[key] = (app, _copy_config(dict(app.config)))
        while len(self._apps) > _CACHED_APPS:
            _, (old, _) = self._apps.popitem(last=False)
            with old.app_context():
                db.engine.dispose()

    def close(self) -> None:
        for app, _ in self._apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        self._apps.clear()

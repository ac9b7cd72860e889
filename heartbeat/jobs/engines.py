"""The database connections of running jobs, and this process's Redis client.

PostgreSQL needs nothing special: the handler's session and the progress writes use the app's
engine, and MVCC lets a progress update commit while the handler's transaction is open.

SQLite allows one writer at a time, and a transaction holds the write lock from its first write
to its end. A job holding it for minutes would stop its own progress reports (and every other
writer). So on SQLite:

- the handler's session runs on an engine that reads in autocommit and starts ``BEGIN
  IMMEDIATE`` only before its first write ("lazy begin"): a handler that reads and renders, then
  writes at the end, leaves the database writable for progress and for the web until then;
- progress and heartbeats go through an engine with a short busy timeout; when the write lock
  is held (by the job's own handler, usually) they go to a side database instead (live.py).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event, orm
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from heartbeat.db import _sqlite_on_connect
from heartbeat.extensions import db
from heartbeat.jobs.live import LiveBoard

# Waits of the progress/heartbeat writer for SQLite's write lock: short, then skip.
LIVE_BUSY_MS = 250
HANDLER_BUSY_MS = 10_000

_WRITE_PREFIXES = ("SELECT", "PRAGMA", "EXPLAIN")


@dataclass
class JobsState:
    pid: int
    handler_engine: Engine
    live_engine: Engine
    is_sqlite: bool
    board: LiveBoard | None = None
    redis: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _busy_timeout(ms: int):
    def on_connect(dbapi_connection, connection_record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(ms)}")

    return on_connect


def _begin_before_first_write(conn, cursor, statement, parameters, context, executemany) -> None:
    raw = cursor.connection
    if raw.in_transaction:
        return
    if statement.lstrip()[:7].upper().startswith(_WRITE_PREFIXES):
        return
    raw.execute("BEGIN IMMEDIATE")


def _sqlite_engine(url: sa.URL, busy_ms: int) -> Engine:
    # NullPool: a job opens few connections, and none outlives it (no pool to fork or dispose).
    engine = sa.create_engine(url, poolclass=NullPool)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "connect", _busy_timeout(busy_ms))
    event.listen(engine, "before_cursor_execute", _begin_before_first_write)
    return engine


_states_lock = threading.Lock()


def state(app: Flask) -> JobsState:
    """This process's job connections for ``app`` (call inside its app context).

    Remade after a fork (an RQ work horse): pooled connections must never cross processes.
    """
    pid = os.getpid()
    current = app.extensions.get("heartbeat_jobs")
    if current is not None and current.pid == pid:
        return current
    with _states_lock:
        current = app.extensions.get("heartbeat_jobs")
        if current is not None and current.pid == pid:
            return current
        if current is not None:
            # Forked: drop the parent's pooled connections without closing them under it.
            db.engine.dispose(close=False)
        engine = db.engine
        if engine.dialect.name == "sqlite":
            made = JobsState(
                pid=pid,
                handler_engine=_sqlite_engine(engine.url, HANDLER_BUSY_MS),
                live_engine=_sqlite_engine(engine.url, LIVE_BUSY_MS),
                is_sqlite=True,
                board=LiveBoard.for_database(engine.url),
            )
        else:
            made = JobsState(pid=pid, handler_engine=engine, live_engine=engine, is_sqlite=False)
        app.extensions["heartbeat_jobs"] = made
        return made


def app_object() -> Flask:
    """The app behind Flask's ``current_app`` proxy: for threads and workers that outlive the
    context they were started in."""
    # Flask types the proxy as the app itself, so its own method is unknown to a type checker.
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's
    return app


def install_handler_session(app: Flask) -> orm.Session:
    """Make ``db.session`` in the current (fresh) app context a session on the job's engine."""
    session = orm.Session(bind=state(app).handler_engine)
    # A plain session on the job's engine, instead of Flask-SQLAlchemy's (which would choose
    # the app's engine).
    db.session.registry.set(session)  # type: ignore[arg-type]  # on purpose, see above
    return session


def redis_connection(app: Flask):
    """One Redis client per process for ``REDIS_URL`` (None when it is not set)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    jobs_state = state(app)
    with jobs_state.lock:
        if jobs_state.redis is None:
            from redis import Redis

            jobs_state.redis = Redis.from_url(url)
        return jobs_state.redis

"""Database foundations: the declarative base, UTC timestamps, and the centre-isolation rule.

Every row that belongs to a centre carries ``centre_id`` (see ``CentreScoped``). Inside a request,
every ORM query is filtered to the signed-in user's centre by ``_scope_queries_to_centre``; code
that must read across centres (sign-in, the operator's screens, the public verify page) says so
with ``.execution_options(all_centres=True)``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy import event, orm
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine, Result
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A centre id no row ever has: an anonymous request sees no centre's rows at all.
NO_CENTRE = -1
# The largest id a row can have: ids are INTEGER columns, 32-bit on PostgreSQL. A larger number
# sent as an id would overflow the database instead of simply finding nothing.
MAX_ID = 2**31 - 1


def row_id(raw: object) -> int:
    """An id sent by a browser: ASCII digits naming a possible row, else ValueError.

    Usable as Werkzeug's ``type=`` (``request.form.get("award", type=row_id)`` gives None).
    """
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise ValueError(f"not a row id: {text[:30]!r}")
    return int(text)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return (
            value.astimezone(UTC)
            if dialect.name != "sqlite"
            else value.astimezone(UTC).replace(tzinfo=None)
        )

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class CentreScoped:
    """Rows of this class belong to one centre and are visible only inside its scope.

    Users override ``centre_id`` as nullable: platform operators belong to no centre.
    """

    centre_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE"), index=True
    )


def current_centre_scope() -> int | None:
    """The centre every ORM query is limited to now, or None when unscoped (CLI, jobs)."""
    if not has_app_context():
        return None
    scope: int | None = g.get("centre_scope")
    return scope


def set_centre_scope(centre_id: int | None) -> None:
    g.centre_scope = centre_id


def _scope_queries_to_centre(execute_state: orm.ORMExecuteState) -> None:
    if execute_state.is_column_load or execute_state.is_relationship_load:
        return
    if not (execute_state.is_select or execute_state.is_update or execute_state.is_delete):
        return
    if execute_state.execution_options.get("all_centres", False):
        return
    scope = current_centre_scope()
    if scope is None:
        return
    execute_state.statement = execute_state.statement.options(
        orm.with_loader_criteria(
            CentreScoped,
            lambda cls: cls.centre_id == scope,
            include_aliases=True,
            track_closure_variables=True,
        )
    )


def install_centre_scope() -> None:
    if not event.contains(orm.Session, "do_orm_execute", _scope_queries_to_centre):
        event.listen(orm.Session, "do_orm_execute", _scope_queries_to_centre)


# --- SQLite: foreign keys, WAL, busy timeout, and the write lock from the first write on ---------
#
# SQLite has one writer at a time. Every transaction starts DEFERRED, so reading takes no lock and
# a request may parse an upload or check a password for as long as it takes without stopping
# anyone. At its first write the transaction changes hands: the reads so far are committed (they
# changed nothing) and ``BEGIN IMMEDIATE`` takes the write lock, waiting up to busy_timeout for
# another writer to finish. The lock is so held from the first write to the commit, never while a
# request only reads. What the transaction read before its first write may since have changed, as
# under PostgreSQL's READ COMMITTED: version columns catch stale edits there and here. Upgrading
# a read transaction in place would instead fail at once (SQLITE_BUSY_SNAPSHOT) whenever another
# writer had committed since its first read, whatever busy_timeout says.

# Per DBAPI connection (``Connection.info``): does its open transaction hold the write lock?
WRITE_LOCK_KEY = "heartbeat_sqlite_write_lock"
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_READS = frozenset({"SELECT", "PRAGMA", "EXPLAIN", "VALUES"})
# Transaction control; RELEASE and ROLLBACK TO follow a SAVEPOINT, which already took the lock.
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "RELEASE"})


def _sqlite_on_connect(
    dbapi_connection: DBAPIConnection, connection_record: ConnectionPoolEntry
) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take transaction control away from pysqlite so that we choose when and how to BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.info[WRITE_LOCK_KEY] = False
    conn.exec_driver_sql("BEGIN DEFERRED")


def statement_may_write(statement: str, context: DefaultExecutionContext | None = None) -> bool:
    """Whether SQLite must hold the write lock for ``statement`` (when unsure: yes).

    A SELECT ... FOR UPDATE counts as a write: SQLite drops the clause, and the caller asked
    for the rows to stay as read until it writes. So does a SAVEPOINT: the app opens one only
    around writes, and the read transaction must end before it, not inside it.
    """
    found = _FIRST_WORD.match(statement)
    word = found.group(1).upper() if found else ""
    if word in _TRANSACTION_CONTROL:
        return False
    compiled = getattr(context, "compiled", None)
    if word in _READS:
        return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None
    if word == "WITH" and context is not None and compiled is not None and not context.isddl:
        return bool(context.isinsert or context.isupdate or context.isdelete)
    return True


def _sqlite_lock_at_first_write(
    conn: Connection,
    cursor: sqlite3.Cursor,
    statement: str,
    parameters: object,
    context: DefaultExecutionContext | None,
    executemany: bool,
) -> None:
    if conn.info.get(WRITE_LOCK_KEY, True) or not statement_may_write(statement, context):
        return
    raw = cursor.connection
    if raw.in_transaction:
        raw.execute("COMMIT")  # it only read: nothing is lost, and its snapshot goes
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.Error:
        # No lock within busy_timeout. Leave a transaction open, as SQLAlchemy believes there
        # is one, and fail the statement (the caller sees OperationalError, and rolls back).
        raw.execute("BEGIN DEFERRED")
        raise
    conn.info[WRITE_LOCK_KEY] = True


def sqlite_holds_write_lock(conn: Connection) -> bool:
    """Whether this SQLAlchemy connection's transaction holds SQLite's write lock."""
    raw = conn.connection.dbapi_connection
    return (
        bool(conn.info.get(WRITE_LOCK_KEY))
        and isinstance(raw, sqlite3.Connection)
        and raw.in_transaction
    )


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    if not event.contains(engine, "connect", _sqlite_on_connect):
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_lock_at_first_write)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run by ``Session.execute`` changed.

    The session is typed to return a plain ``Result`` (it cannot promise more for every
    statement); for these statements it is a ``CursorResult``, which has the count.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of an UPDATE or DELETE: {type(result).__name__}")
    return result.rowcount


def string_enum(cls: type[Enum], length: int = 24) -> sa.Enum:
    """An enum stored as its values in a VARCHAR with a CHECK, alike on SQLite and PostgreSQL."""
    return sa.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


@contextmanager
def scratch_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database on ``server_url``'s PostgreSQL server; yield its URL; drop it.

    For tests and benchmarks, so runs side by side never share a database. Raises
    ``sqlalchemy.exc.OperationalError`` when the server cannot be reached.
    """
    from heartbeat.config import database_uri

    admin_url = sa.make_url(database_uri(server_url, "/nonexistent"))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except BaseException:
        admin.dispose()
        raise
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

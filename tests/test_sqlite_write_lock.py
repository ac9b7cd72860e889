"""SQLite's write lock is held from a transaction's first write to its end, never while it reads.

A request that reads for a long time (parsing an upload, checking a password) must not stop
other centres' writers; a writer still waits its turn rather than failing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from heartbeat.centres.models import Centre
from heartbeat.db import sqlite_holds_write_lock, statement_may_write
from heartbeat.extensions import db
from tests.conftest import is_postgres


@pytest.fixture
def other_writer(app, database_url) -> Iterator[sqlite3.Connection]:
    """A second connection to the same file that never waits for the lock."""
    if is_postgres(database_url):
        pytest.skip("SQLite's write lock")
    with app.app_context():
        path = db.engine.url.database
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def can_take_lock(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    conn.execute("ROLLBACK")
    return True


def test_a_writing_request_holds_the_lock_only_from_its_first_write(app, other_writer):
    with app.test_request_context(method="POST"):
        db.session.scalars(sa.select(Centre)).all()
        assert db.session().in_transaction()
        assert can_take_lock(other_writer), "reading took the write lock"
        assert not sqlite_holds_write_lock(db.session.connection())
        db.session.add(Centre(name="Riverside", slug="riverside"))
        db.session.flush()
        assert sqlite_holds_write_lock(db.session.connection())
        assert not can_take_lock(other_writer)
        db.session.commit()
        assert can_take_lock(other_writer)
        assert db.session.scalars(sa.select(Centre.slug)).all() == ["riverside"]
        db.session.rollback()


def test_a_transaction_writes_after_another_writer_committed_since_its_reads(app, other_writer):
    with app.test_request_context(method="POST"):
        assert db.session.scalars(sa.select(Centre)).all() == []
        with db.engine.connect() as other:  # another request, which writes and commits
            other.execute(sa.insert(Centre).values(name="Elsewhere", slug="elsewhere"))
            other.commit()
        db.session.add(Centre(name="Riverside", slug="riverside"))
        db.session.commit()  # not SQLITE_BUSY_SNAPSHOT: the lock was taken afresh
        assert sorted(db.session.scalars(sa.select(Centre.slug))) == ["elsewhere", "riverside"]
        db.session.rollback()


@pytest.mark.parametrize("how", ["savepoint", "select for update", "core update"])
def test_other_ways_of_starting_to_write_take_the_lock(app, other_writer, how):
    with app.test_request_context(method="POST"):
        db.session.add(Centre(name="Riverside", slug="riverside"))
        db.session.commit()
        db.session.scalars(sa.select(Centre)).all()
        assert can_take_lock(other_writer)
        if how == "savepoint":
            nested = db.session.begin_nested()
            db.session.connection()  # SAVEPOINT now, before any write
        elif how == "select for update":
            db.session.execute(sa.select(Centre.id).with_for_update()).all()
        else:
            db.session.execute(sa.update(Centre).values(name="Riverside Park"))
        assert not can_take_lock(other_writer)
        if how == "savepoint":
            nested.commit()
        db.session.commit()
        assert can_take_lock(other_writer)


def test_a_writer_that_cannot_get_the_lock_fails_and_the_session_recovers(app, other_writer):
    with app.test_request_context(method="POST"):
        db.session.connection().exec_driver_sql("PRAGMA busy_timeout = 50")
        db.session.scalars(sa.select(Centre)).all()
        other_writer.execute("BEGIN IMMEDIATE")
        db.session.add(Centre(name="Riverside", slug="riverside"))
        with pytest.raises(OperationalError, match="locked"):
            db.session.flush()
        db.session.rollback()
        other_writer.execute("ROLLBACK")
        db.session.add(Centre(name="Riverside", slug="riverside"))
        db.session.commit()
        assert db.session.scalars(sa.select(Centre.slug)).all() == ["riverside"]
        db.session.connection().exec_driver_sql("PRAGMA busy_timeout = 10000")
        db.session.rollback()


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT 1", False),
        ("  select * from centre", False),
        ("PRAGMA foreign_keys", False),
        ("BEGIN DEFERRED", False),
        ("RELEASE SAVEPOINT sa_savepoint_1", False),
        ("INSERT INTO centre VALUES (1)", True),
        ("UPDATE centre SET name = 'x'", True),
        ("DELETE FROM centre", True),
        ("SAVEPOINT sa_savepoint_1", True),
        ("WITH x AS (SELECT 1) DELETE FROM centre", True),  # text: unsure, so a write
        ("CREATE TABLE x (y)", True),
        ("", True),
    ],
)
def test_which_statements_count_as_writes(statement, writes):
    assert statement_may_write(statement) is writes

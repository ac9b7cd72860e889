"""SQLite only: where a job's progress goes while the job itself holds the write lock.

SQLite has one write lock per database file. A handler's first write takes it until the job
ends (its changes commit with the result), so from then on neither its progress reports nor its
heartbeats can reach the job row. They go to a small side database instead (``<db file>-jobs``,
its own lock), and whoever reads progress or judges staleness (status pages, the sweep) takes
the newer of the two for the job's current attempt. The job row stays the truth for everything
else; this file holds nothing that matters once the job has ended.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from heartbeat.db import UTCDateTime

metadata = sa.MetaData()
LIVE = sa.Table(
    "job_live",
    metadata,
    sa.Column("job_id", sa.Integer, primary_key=True),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("progress_done", sa.Integer),
    sa.Column("progress_total", sa.Integer),
    sa.Column("progress_message", sa.String(200)),
    sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True)
class LiveRow:
    attempt: int
    progress_done: int | None
    progress_total: int | None
    progress_message: str | None
    heartbeat_at: datetime


def _on_connect(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # autocommit: every statement stands alone
    dbapi_connection.execute("PRAGMA busy_timeout = 2000")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")
    dbapi_connection.execute("PRAGMA synchronous = OFF")  # losing it in a crash loses nothing


class LiveBoard:
    def __init__(self, path: str) -> None:
        self.path = path
        self.engine: Engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)
        event.listen(self.engine, "connect", _on_connect)
        metadata.create_all(self.engine)

    @classmethod
    def for_database(cls, url: sa.URL) -> LiveBoard | None:
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return cls(f"{url.database}-jobs")

    def write(
        self,
        job_id: int,
        attempt: int,
        heartbeat_at: datetime,
        progress: tuple[int, int, str] | None,
    ) -> None:
        values = {"job_id": job_id, "attempt": attempt, "heartbeat_at": heartbeat_at}
        with self.engine.connect() as conn:
            if progress is None:
                # Keep the progress already there for this attempt; only the heartbeat moves.
                updated = conn.execute(
                    sa.update(LIVE)
                    .where(LIVE.c.job_id == job_id, LIVE.c.attempt == attempt)
                    .values(heartbeat_at=heartbeat_at)
                ).rowcount
                if updated:
                    return
            else:
                values.update(
                    progress_done=progress[0],
                    progress_total=progress[1],
                    progress_message=progress[2],
                )
            conn.execute(sa.insert(LIVE).prefix_with("OR REPLACE").values(**values))

    def read(self, job_ids: list[int]) -> dict[int, LiveRow]:
        if not job_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(LIVE).where(LIVE.c.job_id.in_(job_ids))).all()
        return {
            row.job_id: LiveRow(
                row.attempt,
                row.progress_done,
                row.progress_total,
                row.progress_message,
                row.heartbeat_at,
            )
            for row in rows
        }

    def clear(self, job_id: int, attempt: int) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.delete(LIVE).where(LIVE.c.job_id == job_id, LIVE.c.attempt == attempt))

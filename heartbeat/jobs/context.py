"""What a job handler is given (``JobContext``) and may return (``JobResult``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from heartbeat.db import utcnow
from heartbeat.jobs.live import LiveBoard
from heartbeat.jobs.models import Job, JobState

if TYPE_CHECKING:
    from heartbeat.auth.models import User

log = logging.getLogger("heartbeat.jobs")

JOB = Job.__table__

# Progress is written at most this often, or when the whole percentage changes.
PROGRESS_INTERVAL_S = 0.25


# A table on a job's page is for reading, not for paging: more rows belong in a result file.
MAX_TABLE_ROWS = 500


@dataclass
class JobTable:
    """Rows shown on the job's page under its outcome (a file's problems, who changed).

    Cells are plain text; the first column heads each row. ``note`` follows the table ("The
    first 200 of 1,234 are listed.").
    """

    caption: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        width = len(self.columns)
        rows = [
            [str(cell) if cell is not None else "" for cell in row][:width]
            + [""] * (width - len(row))
            for row in self.rows[:MAX_TABLE_ROWS]
        ]
        return {
            "caption": str(self.caption),
            "columns": [str(column) for column in self.columns],
            "rows": rows,
            "note": str(self.note or ""),
        }


@dataclass
class JobResult:
    """A file the job produced, offered for download on its status page."""

    data: bytes
    filename: str
    mimetype: str
    summary: dict[str, Any] | None = None
    details: JobTable | None = None


class JobError(Exception):
    """A failure to show the user as it is worded ("Line 12: unknown participant id 40").

    ``details`` adds a table to the failure (every problem by line and column). Any other
    exception is logged with its traceback and shown as a general message.
    """

    def __init__(self, message: str = "", *, details: JobTable | None = None) -> None:
        super().__init__(message)
        self.details = details


class JobLost(Exception):
    """This runner no longer holds the job: it was given up for dead and handed on, or ended.

    Raised from ``ctx.progress`` so a runner that was presumed dead stops early; nothing it did
    is committed.
    """


class ProgressReporter:
    """Writes progress and heartbeats of one attempt on its own connections, fenced by attempt.

    Used from the handler's thread (``progress``) and the ticker thread (``beat``). On SQLite,
    while the job's own transaction holds the write lock, writes go to the live board instead.
    """

    def __init__(
        self,
        engine: Engine,
        job_id: int,
        attempt: int,
        holds_write_lock: Callable[[], bool] | None = None,
        board: LiveBoard | None = None,
    ) -> None:
        self.engine = engine
        self.job_id = job_id
        self.attempt = attempt
        self.holds_write_lock = holds_write_lock
        self.board = board
        self.lost = False
        # When the handler was first seen holding SQLite's write lock (monotonic seconds).
        self.lock_held_since: float | None = None
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: tuple[int, int, str] | None = None
        self._latest: tuple[int, int, str] | None = None
        self._handler_holds_lock = False
        self._last_attempt = 0.0
        self._last_written = time.monotonic()
        self._last_percent: int | None = None

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self.lost:
            raise JobLost(f"job {self.job_id} attempt {self.attempt} is no longer ours")
        done, total = max(0, int(done)), max(0, int(total))
        percent = done * 100 // total if total else None
        now = time.monotonic()
        with self._lock:
            self._pending = self._latest = (done, total, str(message or "")[:200])
            due = now - self._last_attempt >= PROGRESS_INTERVAL_S or percent != self._last_percent
            if not due:
                return
            self._last_attempt = now
            self._last_percent = percent
        if self.holds_write_lock is not None:
            # Asked on the handler's own thread, the only one that may touch its session.
            self._handler_holds_lock = self.holds_write_lock()
            if self._handler_holds_lock and self.lock_held_since is None:
                self.lock_held_since = now
        self._write()
        if self.lost:
            raise JobLost(f"job {self.job_id} attempt {self.attempt} is no longer ours")

    def beat(self, min_gap_s: float = 0.0) -> None:
        """A heartbeat (with any progress not written yet), unless one was written recently."""
        if time.monotonic() - self._last_written < min_gap_s and self._pending is None:
            return
        self._write()

    def latest(self) -> tuple[int, int, str] | None:
        """The last progress reported (the runner stores it with the result)."""
        with self._lock:
            return self._latest

    def _write(self) -> None:
        with self._write_lock:
            with self._lock:
                pending, self._pending = self._pending, None
            now = utcnow()
            written = False
            if not self._handler_holds_lock:
                written = self._write_row(now, pending)
            if not written and not self.lost and self.board is not None:
                written = self._write_board(now, pending)
            if written:
                self._last_written = time.monotonic()
            elif not self.lost:
                with self._lock:
                    if self._pending is None:
                        self._pending = pending

    def _write_row(self, now, pending: tuple[int, int, str] | None) -> bool:
        values: dict[str, Any] = {"heartbeat_at": now}
        if pending is not None:
            values.update(
                progress_done=pending[0], progress_total=pending[1], progress_message=pending[2]
            )
        try:
            with self.engine.begin() as conn:
                updated = conn.execute(
                    sa.update(JOB)
                    .where(
                        JOB.c.id == self.job_id,
                        JOB.c.state == JobState.RUNNING.value,
                        JOB.c.attempts == self.attempt,
                    )
                    .values(**values)
                ).rowcount
        except OperationalError as error:
            # SQLite's write lock is taken: don't wait for it (see live.py).
            log.debug("job %s: progress not written to its row (%s)", self.job_id, error.orig)
            return False
        if updated == 0:
            self.lost = True
        return True

    def _write_board(self, now, pending: tuple[int, int, str] | None) -> bool:
        assert self.board is not None
        try:
            # The row can still be read (WAL): is this attempt still the job's?
            with self.engine.connect() as conn:
                row = conn.execute(
                    sa.select(JOB.c.state, JOB.c.attempts).where(JOB.c.id == self.job_id)
                ).one_or_none()
            if row is None or row.state != JobState.RUNNING.value or row.attempts != self.attempt:
                self.lost = True
                return False
            self.board.write(self.job_id, self.attempt, now, pending)
        except OperationalError as error:
            log.warning("job %s: progress not written (%s)", self.job_id, error.orig)
            return False
        return True


class Ticker(threading.Thread):
    """Heartbeats for one attempt while its handler runs (even one that never reports)."""

    def __init__(self, reporter: ProgressReporter, interval_s: float) -> None:
        super().__init__(name=f"job-{reporter.job_id}-heartbeat", daemon=True)
        self.reporter = reporter
        self.interval_s = interval_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            try:
                self.reporter.beat(min_gap_s=self.interval_s / 2)
            except Exception:
                log.exception("job %s: heartbeat failed", self.reporter.job_id)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)


def heartbeat_interval(config: dict[str, Any]) -> float:
    stale = float(config["HEARTBEAT_JOB_STALE_SECONDS"])
    return max(0.2, min(float(config["HEARTBEAT_JOB_HEARTBEAT_SECONDS"]), stale / 3))


class JobContext:
    """Passed to a handler: who and what the job is for, and a way to report progress."""

    def __init__(
        self,
        *,
        job_id: int,
        centre_id: int,
        actor_id: int | None,
        attempt: int = 1,
        reporter: ProgressReporter | None = None,
    ) -> None:
        self.job_id = job_id
        self.centre_id = centre_id
        self.actor_id = actor_id
        self.attempt = attempt
        # A handler that returns no file may still leave a summary (and a table) for its page.
        self.summary: dict[str, Any] | None = None
        self.details: JobTable | None = None
        self._reporter = reporter

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report ``done`` of ``total`` items; ``message`` completes "212 of 500 …".

        Count what the person asked for (certificates, rows), never an extra step. A step that
        has no count ("Writing the file") is reported with ``total`` 0 and shown as the message.

        Cheap enough to call for every item: writes are throttled (at most every 0.25 s, or
        when the whole percentage changes) and committed on their own connection, so every
        process sees them at once. Raises ``JobLost`` when the job was handed to another worker.
        """
        if self._reporter is not None:
            self._reporter.progress(done, total, message)

    def actor(self) -> User | None:
        """The user who started the job (loaded in the handler's session), if still there."""
        if self.actor_id is None:
            return None
        from heartbeat.auth.models import User
        from heartbeat.extensions import db

        return db.session.get(User, self.actor_id)

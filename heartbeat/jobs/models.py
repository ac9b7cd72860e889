"""Background jobs: one row per piece of work that leaves the request.

The row is the truth about a job: any app process (web or worker) reads its state and progress
from here, so nothing a job needs lives in one process's memory. ``attempts`` doubles as a
fencing token: a runner claims attempt N and every later write of that runner says
``WHERE attempts = N AND state = 'running'``, so a worker that was given up for dead (and
whose job was handed to another) can no longer touch the row.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.i18n import _
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": _("Waiting to start"),
            "running": _("Running"),
            "done": _("Finished"),
            "failed": _("Failed"),
        }[self.value]

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


class Job(CentreScoped, Model):
    __tablename__ = "job"
    # Outputs that may name someone are removed by erasure (``participants.erasure``) by content.
    __personal_data__ = declare(
        kept=("params", "details", "summary", "result", "result_filename"),
        not_personal=(
            "id",
            "kind",
            "state",
            "progress_done",
            "progress_total",
            "progress_message",
            "result_mimetype",
            "result_size",
            "error",
            "attempts",
            "max_attempts",
            "created_by_id",
            "created_at",
            "queued_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "worker_id",
            "queue_ref",
            "centre_id",
        ),
    )
    __table_args__ = (
        sa.Index("ix_job_centre_created", "centre_id", "created_at"),
        # The stale-job sweep: running jobs by heartbeat, queued jobs by when they were queued.
        sa.Index("ix_job_state_heartbeat", "state", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80))
    state: Mapped[JobState] = mapped_column(string_enum(JobState, 16), default=JobState.QUEUED)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)  # 0: not known (yet)
    progress_message: Mapped[str] = mapped_column(sa.String(200), default="")
    # Inputs can be large (a CSV's text), results tens of MB: both stay out of list queries
    # (deferred), and are the table's last columns, because SQLite walks through a large value
    # to reach any column stored after it.
    params: Mapped[dict[str, Any]] = mapped_column(
        sa.JSON, default=dict, deferred=True, sort_order=98
    )
    result: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True, sort_order=99)
    result_filename: Mapped[str | None] = mapped_column(sa.String(200))
    result_mimetype: Mapped[str | None] = mapped_column(sa.String(120))
    result_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    summary: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # A table for the job's page (``JobTable.to_json``): a file's problems, who changed.
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, deferred=True, sort_order=97)
    # What went wrong, in words a user can act on (never a traceback: that goes to the log).
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # host:pid:thread of the runner holding the current attempt.
    worker_id: Mapped[str | None] = mapped_column(sa.String(200))
    # A fresh token per dispatch; with a queue, the queue's job id is derived from it.
    queue_ref: Mapped[str | None] = mapped_column(sa.String(64))

    created_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def percent(self) -> int | None:
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return None
        return max(0, min(100, self.progress_done * 100 // self.progress_total))

    @property
    def has_result(self) -> bool:
        return self.state == JobState.DONE and self.result_filename is not None

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"

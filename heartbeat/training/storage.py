"""The original device files behind imported sessions, kept in the files folder.

An upload's bytes are stored exactly as they came (a ``.fit.gz`` stays one), compressed by
``core.filestore`` and checked by SHA-256, under one space per centre. The file is written in the
import's own transaction: a rolled-back import leaves no file behind, and a deleted session or an
erased participant takes its files with it once that change commits.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from heartbeat.core import filestore
from heartbeat.extensions import db
from heartbeat.jobs.models import Job
from heartbeat.participants.models import Participant
from heartbeat.training.models import ActivityFile

ARCHIVE_JOB = "training.import_archive"  # archive_import's kind (it imports this module)


def space(centre_id: int) -> str:
    return f"centre-{centre_id}"


def keep_original(centre_id: int, data: bytes) -> filestore.StoredFile:
    """Store an upload's bytes for a session being imported in the current transaction."""
    return filestore.put_in(db.session(), filestore.folder(), space(centre_id), data)


def original(file: ActivityFile) -> bytes:
    """The original bytes of ``file``; :class:`filestore.StoredFileMissing` when not kept."""
    if file.stored_key is None:
        raise filestore.StoredFileMissing(str(file.id))
    return filestore.read(filestore.folder(), file.stored_key, sha256=file.stored_sha256)


def export_name(file: ActivityFile) -> str:
    """A unique, readable name in an archive: the session's number, then the file's own name."""
    return f"session-{file.session_id}-{file.original_name}"


def original_for_export(file: ActivityFile) -> tuple[str, bytes] | None:
    """(name, bytes) of a kept original for an export; None when there is none to give."""
    try:
        return export_name(file), original(file)
    except (filestore.StoredFileMissing, filestore.StoredFileDamaged):
        return None


def forget_on_commit(keys: list[str | None]) -> int:
    """Remove these stored files once the current transaction commits; how many there were."""
    root = filestore.folder()
    doomed = [key for key in keys if key]
    for key in doomed:
        filestore.remove_on_commit(db.session(), root, key)
    return len(doomed)


def forget_session_file(session_id: int) -> None:
    key = db.session.scalar(
        sa.select(ActivityFile.stored_key).where(ActivityFile.session_id == session_id)
    )
    forget_on_commit([key])


def forget_for_erasure(participant: Participant, **_: Any) -> dict[str, int]:
    """``participant_erasing``: their kept originals go with the erasure's commit, and so do
    the archives uploaded for them that a job still holds (waiting, or kept for "Try again")."""
    keys = list(
        db.session.scalars(
            sa.select(ActivityFile.stored_key).where(
                ActivityFile.participant_id == participant.id,
                ActivityFile.stored_key.is_not(None),
            )
        )
    )
    removed = forget_on_commit(keys)
    archives = 0
    for job in db.session.scalars(
        sa.select(Job)
        .where(Job.centre_id == participant.centre_id, Job.kind == ARCHIVE_JOB)
        .options(orm.undefer(Job.params))
    ):
        params = job.params or {}
        if params.get("participant_id") == participant.id and params.get("archive_key"):
            forget_on_commit([str(params["archive_key"])])
            job.params = {**params, "archive_key": None}
            archives += 1
    return {"device_files_removed": removed + archives}

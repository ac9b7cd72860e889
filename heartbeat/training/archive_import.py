"""A ZIP of many activity files becomes sessions of one participant, as a background job.

The upload page judges the archive whole at once (``devicefiles.archives.open_archive``: entries,
total size, compression ratio) and refuses a bad one on the form; a good one is kept in the
files folder and handed to the ``training.import_archive`` job, whose page shows the progress
and, at the end, a report of every file: imported (as which session), a duplicate (of which
session), skipped or refused, and why. Each file is imported whole in a savepoint of its own
(``imports.import_activity``): a file that fails leaves nothing behind, and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from flask import current_app

from heartbeat.auth.models import User
from heartbeat.core import csvfiles, filestore
from heartbeat.core.i18n import _l
from heartbeat.core.wording import plural
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import registry
from heartbeat.jobs.context import JobContext, JobError, JobResult, JobTable
from heartbeat.participants.models import Participant
from heartbeat.training import imports, storage
from heartbeat.training.devicefiles import (
    ActivityFileError,
    ParsedActivity,
    ParseLimits,
    parse_activity,
)
from heartbeat.training.devicefiles.archives import (
    ArchiveLimits,
    ArchiveRefused,
    count_files,
    entries,
    open_archive,
)
from heartbeat.training.services import SessionError, sessions_changed

ARCHIVE_JOB = storage.ARCHIVE_JOB
ARCHIVE_SPACE = "archives"

IMPORTED = "Imported"
DUPLICATE = "Duplicate"
SKIPPED = "Skipped"
REFUSED = "Refused"


@dataclass(frozen=True, slots=True)
class FileOutcome:
    name: str
    result: str  # IMPORTED | DUPLICATE | SKIPPED | REFUSED
    detail: str
    session_id: int | None = None


def check_archive(data: bytes) -> int:
    """How many files the archive holds; :class:`ArchiveRefused` when it is refused whole."""
    return count_files(open_archive(data, ArchiveLimits.from_config(current_app.config)))


def submit_archive(
    data: bytes,
    participant: Participant,
    *,
    actor: User | None,
    file_name: str,
    kind: str | None,
    before_enrolment: bool,
) -> int:
    """Keep the archive and queue its import; returns the job's id (commit, then dispatch)."""
    from heartbeat.jobs.services import submit

    files = check_archive(data)
    stored = filestore.put_in(db.session(), filestore.folder(), ARCHIVE_SPACE, data)
    job = submit(
        ARCHIVE_JOB,
        centre_id=participant.centre_id,
        actor=actor,
        params={
            "participant_id": participant.id,
            "archive_key": stored.key,
            "file_name": PurePosixPath(file_name.replace("\\", "/")).name[:255],
            "kind": kind or "",
            "before_enrolment": bool(before_enrolment),
            "files": files,
        },
    )
    return job.id


def import_archive(
    data: bytes,
    participant: Participant,
    *,
    actor: User | None,
    kind: str | None = None,
    before_enrolment: bool = False,
    now: datetime | None = None,
    limits: ArchiveLimits | None = None,
    parse_limits: ParseLimits | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[FileOutcome]:
    """Import every activity file of the archive; one outcome per file, in the archive's order.

    Raises :class:`ArchiveRefused` (before anything is imported) for an archive refused whole.
    """
    now = now or utcnow()
    limits = limits or ArchiveLimits()
    archive = open_archive(data, limits)
    total = count_files(archive)
    step = 0

    def advance(what: str) -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, 2 * total, what)

    # First every file is read, writing nothing: on SQLite the write lock is taken only for the
    # saving that follows, not for the parsing.
    outcomes: list[FileOutcome | None] = []
    parsed: dict[int, ParsedActivity] = {}
    for index, entry in enumerate(entries(archive, limits)):
        if entry.data is None:
            result = REFUSED if (entry.skipped or "").startswith("Refused") else SKIPPED
            outcomes.append(FileOutcome(entry.name, result, entry.skipped or ""))
        else:
            try:
                parsed[index] = parse_activity(entry.data, entry.name, limits=parse_limits)
                outcomes.append(None)
            except ActivityFileError as error:
                outcomes.append(FileOutcome(entry.name, SKIPPED, str(error)))
        advance(f"{index + 1:,} of {plural(total, 'file', 'files')} read")
    # Then each readable file is saved whole, or not at all.
    for index, entry in enumerate(entries(archive, limits)):
        if index in parsed and entry.data is not None:
            outcomes[index] = _import_one(
                entry.name,
                entry.data,
                participant,
                actor=actor,
                kind=kind,
                before_enrolment=before_enrolment,
                now=now,
                parsed=parsed.pop(index),
            )
        advance(f"{index + 1:,} of {plural(total, 'file', 'files')} saved")
    done = [outcome for outcome in outcomes if outcome is not None]
    if any(outcome.result == IMPORTED for outcome in done):
        # The awards, once for the whole archive.
        sessions_changed.send(
            participant.centre_id, participants=[participant], actor=actor, now=now
        )
    return done


def _import_one(
    name: str,
    data: bytes,
    participant: Participant,
    *,
    actor: User | None,
    kind: str | None,
    before_enrolment: bool,
    now: datetime,
    parsed: ParsedActivity,
) -> FileOutcome:
    try:
        with db.session.begin_nested():  # the whole file, or nothing of it
            session = imports.import_activity(
                participant,
                actor=actor,
                data=data,
                filename=PurePosixPath(name).name,
                kind=kind or None,
                now=now,
                before_enrolment=before_enrolment,
                parsed=parsed,
                evaluate=False,
            )
    except imports.DuplicateActivity as duplicate:
        return FileOutcome(
            name, DUPLICATE, f"Already session {duplicate.session_id}.", duplicate.session_id
        )
    except (imports.KindNeeded, imports.HistoryNeeded) as question:
        reasons = " ".join(dict.fromkeys(question.field_errors.values())) or str(question)
        return FileOutcome(name, SKIPPED, f"{reasons} Upload this file on its own to answer.")
    except (ActivityFileError, SessionError) as error:
        return FileOutcome(name, SKIPPED, str(error))
    return FileOutcome(name, IMPORTED, f"Session {session.id}.", session.id)


def report_csv(outcomes: list[FileOutcome]) -> bytes:
    rows = ([o.name, o.result, o.detail, o.session_id or ""] for o in outcomes)
    return csvfiles.write_csv(["file", "result", "detail", "session_id"], rows).encode("utf-8")


def report_table(outcomes: list[FileOutcome]) -> JobTable:
    from heartbeat.jobs.context import MAX_TABLE_ROWS

    return JobTable(
        caption="Every file of the archive",
        columns=["File", "Result", "Detail"],
        rows=[[o.name, o.result, o.detail] for o in outcomes],
        note=(
            f"The first {MAX_TABLE_ROWS:,} of {len(outcomes):,} files are listed; the report "
            "file lists them all."
            if len(outcomes) > MAX_TABLE_ROWS
            else ""
        ),
    )


def counts(outcomes: list[FileOutcome]) -> dict[str, int]:
    found = {"imported": 0, "duplicates": 0, "skipped": 0, "refused": 0}
    names = {IMPORTED: "imported", DUPLICATE: "duplicates", SKIPPED: "skipped", REFUSED: "refused"}
    for outcome in outcomes:
        found[names[outcome.result]] += 1
    return found


@registry.handler(ARCHIVE_JOB, label=_l("Import activity files from an archive"))
def run_archive_import(ctx: JobContext, params: dict) -> JobResult:
    root, key = filestore.folder(), str(params.get("archive_key") or "")
    participant = db.session.get(Participant, int(params.get("participant_id") or 0))
    if participant is None or participant.erased_at is not None:
        filestore.remove_on_commit(db.session(), root, key)
        raise JobError("The participant is no longer on the centre's records.")
    try:
        data = filestore.read(root, key)
    except (filestore.StoredFileMissing, filestore.StoredFileDamaged):
        raise JobError("The archive is no longer kept: upload it again.") from None
    try:
        outcomes = import_archive(
            data,
            participant,
            actor=ctx.actor(),
            kind=str(params.get("kind") or "") or None,
            before_enrolment=bool(params.get("before_enrolment")),
            limits=ArchiveLimits.from_config(current_app.config),
            parse_limits=ParseLimits.from_config(current_app.config),
            progress=ctx.progress,
        )
    except ArchiveRefused as refused:
        filestore.remove(root, key)
        raise JobError(str(refused)) from None
    # The archive has done its work: it goes with the import's own commit.
    filestore.remove_on_commit(db.session(), root, key)
    found = counts(outcomes)
    ctx.summary = {
        "file": str(params.get("file_name") or "(no name)"),
        "participant": participant.display_name,
        "files": len(outcomes),
        **found,
    }
    stem = PurePosixPath(str(params.get("file_name") or "archive")).stem or "archive"
    return JobResult(
        data=report_csv(outcomes),
        filename=f"{stem}-report.csv",
        mimetype="text/csv",
        summary=ctx.summary,
        details=report_table(outcomes),
    )

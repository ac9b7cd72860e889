"""Background jobs of the training log: a session CSV too big to import inside a request.

A file of up to ``HEARTBEAT_IMPORT_JOB_ROWS`` data rows is imported by the request itself; a
bigger one becomes a ``training.import_sessions`` job (found by ``heartbeat.jobs.registry``),
whose page follows it: rows checked, rows imported, participants re-evaluated. Either way the
file is checked whole first and saved all or nothing; a job that finds problems fails with them
listed by line and column, and saves nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core import csvfiles
from heartbeat.core.i18n import _l
from heartbeat.core.wording import or_dash
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import registry
from heartbeat.jobs.context import JobContext, JobError, JobTable
from heartbeat.jobs.models import Job
from heartbeat.training import csv_format, csv_import
from heartbeat.training.csv_format import CsvImportError, RowError

IMPORT_JOB = "training.import_sessions"


def count_rows(text: str) -> int:
    """Data rows in the file (blank lines are not rows); a file CSV cannot read counts lines."""
    rows = -1  # the header
    try:
        for _ in csvfiles.records(text):
            rows += 1
    except csvfiles.CsvFileError:
        return text.count("\n")
    return max(0, rows)


def check_header(text: str) -> None:
    """Refuse at once a file whose header is wrong: no job needed to say so."""
    try:
        header = next(csvfiles.records(text), None)
    except csvfiles.CsvFileError as error:
        raise CsvImportError([RowError(error.line, None, error.message)], 1) from None
    if header is None:
        raise CsvImportError([RowError(None, None, "The file is empty: no header row.")], 1)
    _, _, errors = csv_format.read_header(header.cells, line=header.line)
    if errors:
        raise CsvImportError(errors, len(errors))


def submit_import_if_large(
    data: bytes, *, centre: Centre, actor: User | None, file_name: str, units: str | None = None
) -> int | None:
    """Queue a big file as a job and return its id (commit, then ``dispatch``); None: small.

    Raises :class:`CsvImportError` for a file that is not UTF-8 text or has a bad header.
    """
    from heartbeat.jobs.services import submit

    text = csv_format.decode(data)
    rows = count_rows(text)
    if rows <= int(current_app.config["HEARTBEAT_IMPORT_JOB_ROWS"]):
        return None
    check_header(text)
    job = submit(
        IMPORT_JOB,
        centre_id=centre.id,
        actor=actor,
        params={"csv": text, "file_name": file_name[:255], "rows": rows, "units": units},
    )
    return job.id


def problems_table(error: CsvImportError) -> JobTable:
    shown = len(error.errors)
    return JobTable(
        caption="Problems by line and column",
        columns=["Line", "Column", "Problem"],
        rows=[
            [
                str(problem.line) if problem.line else "File",
                or_dash(problem.column),
                problem.message,
            ]
            for problem in error.errors
        ],
        note=(
            f"The first {shown:,} of {error.total:,} problems are listed."
            if error.total > shown
            else ""
        ),
    )


@registry.handler(IMPORT_JOB, label=_l("Import sessions from a CSV file"))
def import_sessions(ctx: JobContext, params: dict) -> None:
    """The whole file, all or nothing: its sessions commit with the job's outcome."""
    centre = db.session.get(Centre, ctx.centre_id)
    if centre is None:
        raise JobError("The centre no longer exists.")
    file_name = str(params.get("file_name") or "")
    try:
        result = csv_import.import_sessions(
            str(params.get("csv") or "").encode("utf-8"),
            centre=centre,
            actor=ctx.actor(),
            now=utcnow(),
            file_name=file_name,
            progress=ctx.progress,
            units=params.get("units"),
        )
    except CsvImportError as error:
        raise JobError(
            f"{error} Correct the file and upload it again.", details=problems_table(error)
        ) from None
    # The file (health data) has done its work: it goes with the import's own commit. A failed
    # import keeps it for "Try again" until the job is purged.
    db.session.execute(
        sa.update(Job)
        .where(Job.id == ctx.job_id)
        .values(params={"file_name": file_name, "rows": params.get("rows")})
        .execution_options(synchronize_session=False)
    )
    ctx.summary = {
        "file": file_name or "(no name)",
        "sessions_imported": result.sessions,
        "participants": result.participants,
    }


# The archive import's handler lives with its service; importing it registers it here, where the
# job registry looks for training's kinds.
from heartbeat.training import archive_import  # noqa: E402, F401

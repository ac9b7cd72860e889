from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app

from heartbeat.training.devicefiles import (
    MAX_FILE_BYTES,
    TOO_LARGE,
    ActivityFileError,
    ParseLimits,
    parse_activity,
)
from heartbeat.training.models import SessionKind


def register(app: Flask) -> None:
    @app.cli.command("import-activity")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--participant", type=int, metavar="ID", help="Participant to save it for.")
    @click.option(
        "--kind",
        type=click.Choice([kind.value for kind in SessionKind]),
        help="Kind of session, for a file that does not say (or says wrongly).",
    )
    @click.option(
        "--history",
        is_flag=True,
        help="The file is from before the participant's enrolment: save it as history.",
    )
    @click.option("--dry-run", is_flag=True, help="Only read the file and print the session.")
    def import_activity_command(
        file: Path, participant: int | None, kind: str | None, history: bool, dry_run: bool
    ) -> None:
        """Read a GPX, TCX or FIT activity FILE (or one gzipped, .fit.gz and the like) and
        print the session it holds as JSON.

        With --participant (and without --dry-run) the session is saved for that participant,
        as an upload on the website would be: awards are evaluated and the import is audited.
        """
        data = _read(file)
        limits = ParseLimits.from_config(current_app.config)
        if participant is None or dry_run:
            try:
                activity = parse_activity(data, file.name, limits=limits)
            except ActivityFileError as error:
                _fail(f"{file}: {error}")
            click.echo(json.dumps(activity.to_json_dict()))
            return
        _save(file, data, participant, kind, limits, history=history)


def _read(file: Path) -> bytes:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ActivityFileError(TOO_LARGE)
        return file.read_bytes()
    except OSError as error:
        _fail(f"{file}: cannot read the file ({error.strerror or error}).")
    except ActivityFileError as error:
        _fail(f"{file}: {error}")


def _save(
    file: Path,
    data: bytes,
    participant_id: int,
    kind: str | None,
    limits: ParseLimits,
    *,
    history: bool = False,
) -> None:
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant
    from heartbeat.training.dates import IN_A_COMMAND
    from heartbeat.training.imports import DuplicateActivity, import_activity
    from heartbeat.training.services import SessionError

    participant = db.session.get(Participant, participant_id)
    if participant is None:
        _fail(f"No participant with id {participant_id}; nothing was saved.")
    try:
        session = import_activity(
            participant,
            actor=None,
            data=data,
            filename=file.name,
            kind=kind,
            limits=limits,
            before_enrolment=history,
            wording=IN_A_COMMAND,
        )
    except SessionError as error:
        db.session.rollback()
        questions = []
        if "kind" in error.field_errors:
            questions.append("the file does not say what kind of session it was; pass --kind.")
        if "before_enrolment" in error.field_errors:
            questions.append(error.field_errors["before_enrolment"])
        _fail(f"{file}: {' '.join(questions) or error}")
    except (ActivityFileError, DuplicateActivity) as error:
        db.session.rollback()
        _fail(f"{file}: {error}")
    assert session.activity_file is not None  # import_activity attaches it
    summary = json.loads(json.dumps(session.activity_file.summary))
    db.session.commit()
    summary.update(
        {"session_id": session.id, "participant_id": participant_id, "kind": session.kind.value}
    )
    click.echo(json.dumps(summary))


def _fail(message: str) -> NoReturn:
    """One line on standard error, exit status 1."""
    click.echo(f"Error: {message}", err=True)
    click.get_current_context().exit(1)

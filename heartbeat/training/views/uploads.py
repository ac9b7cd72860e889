"""Uploads: one device file for a participant, or a CSV of many sessions for the centre.

A bad file always gets a clear message on the form (4xx) and saves nothing; a file over
``MAX_CONTENT_LENGTH`` is stopped by Werkzeug before it is read (the 413 page). A device file
that only lacks the kind of session is kept (:mod:`.pending`), so the person chooses the kind
without choosing the file again. A CSV of more
than ``HEARTBEAT_IMPORT_JOB_ROWS`` rows is imported by a background job (``training.jobs``).
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from heartbeat.core import filestore
from heartbeat.core.errors import size_limit_text
from heartbeat.core.i18n import _, ngettext
from heartbeat.core.wording import plural
from heartbeat.extensions import db
from heartbeat.permissions import require, staff_required
from heartbeat.training import (
    archive_import,
    csv_format,
    csv_import,
    devicefile_text,
    imports,
    pending,
    storage,
)
from heartbeat.training import jobs as training_jobs
from heartbeat.training.blueprint import (
    actor,
    bp,
    now,
    participant_or_404,
    session_or_404,
    viewer_units,
)
from heartbeat.training.devicefiles import ActivityFileError, ParseLimits, archives
from heartbeat.training.forms import CsvImportForm, UploadForm
from heartbeat.training.services import SessionError
from heartbeat.training.views.sessions import apply_errors


def _say_limit(field) -> None:
    limit = size_limit_text()
    if limit:
        field.description = f"{field.description} " + _("Up to %(limit)s.", limit=limit)


@bp.route("/participants/<int:participant_id>/sessions/upload", methods=["GET", "POST"])
@login_required
def upload(participant_id: int):
    participant = participant_or_404(participant_id, "session.import")
    form = UploadForm()
    _say_limit(form.file)
    duplicate = None
    kept: pending.PendingUpload | None = None
    status = 200
    if form.validate_on_submit():
        status = 422
        chosen = _chosen_file(form, participant)
        if chosen is not None and archives.is_zip(chosen[0]):
            data, filename = chosen[0], chosen[1]
            try:
                job_id = archive_import.submit_archive(
                    data,
                    participant,
                    actor=actor(),
                    file_name=filename,
                    kind=form.kind.data,
                    before_enrolment=bool(form.before_enrolment.data),
                )
            except archives.ArchiveRefused as refused:
                form.file.errors = [*form.file.errors, devicefile_text.shown(refused)]
                chosen = None
            else:
                return _follow_archive_job(job_id)
        if chosen is not None:
            data, filename, kept = chosen
            try:
                session = imports.import_activity(
                    participant,
                    actor=actor(),
                    data=data,
                    filename=filename,
                    kind=form.kind.data,
                    now=now(),
                    limits=ParseLimits.from_config(current_app.config),
                    before_enrolment=bool(form.before_enrolment.data),
                )
            except (imports.KindNeeded, imports.HistoryNeeded) as error:
                # Only questions to answer: the file is kept, and each goes on its own field.
                kept = kept or _keep(data, filename, participant)
                questions = list(error.field_errors.items())
                for index, (name, message) in enumerate(questions):
                    if index == len(questions) - 1:
                        message += " " + _("The file is kept: there is no need to choose it again.")
                    field = getattr(form, name)
                    field.errors = [*field.errors, message]
            except ActivityFileError as error:
                form.file.errors = [*form.file.errors, devicefile_text.shown(error)]
            except imports.DuplicateActivity as error:
                duplicate = error
                form.file.errors = [*form.file.errors, str(error)]
                status = 409
            except SessionError as error:
                apply_errors(
                    form,
                    {("file" if n != "kind" else n): m for n, m in error.field_errors.items()},
                    str(error),
                )
            else:
                db.session.commit()
                if kept is not None:
                    pending.discard(_pending_folder(), kept.token)
                flash(
                    _("The file is saved as a session of %(name)s.", name=participant.display_name),
                    "success",
                )
                return redirect(url_for("training.session", session_id=session.id))
    elif form.is_submitted():
        status = 422
    if kept is not None:
        form.kept.data = kept.token
        form.file.flags.required = False
    return render_template(
        "training/upload.html", form=form, participant=participant, duplicate=duplicate, kept=kept
    ), status


def _pending_folder() -> Path:
    return Path(current_app.instance_path) / "pending-uploads"


def _owner(participant) -> str:
    return f"{current_user.id}:{participant.id}"


def _keep(data: bytes, filename: str, participant) -> pending.PendingUpload:
    at = now()
    token = pending.keep(
        _pending_folder(), data, file_name=filename, owner=_owner(participant), now=at
    )
    return pending.PendingUpload(token, filename, data, at)


def _chosen_file(
    form: UploadForm, participant
) -> tuple[bytes, str, pending.PendingUpload | None] | None:
    """The newly chosen file, else the one kept from the last try; None (with the field's error
    set) when the kept one has gone."""
    folder = _pending_folder()
    upload = form.file.data
    if upload:
        # A different file replaces the kept one.
        if pending.owns(folder, form.kept.data, owner=_owner(participant)):
            pending.discard(folder, form.kept.data)
        form.kept.data = ""
        return upload.read(), upload.filename or "", None
    kept = pending.take(folder, form.kept.data, owner=_owner(participant), now=now())
    if kept is None:
        form.kept.data = ""
        form.file.errors = [
            *form.file.errors,
            _("The file from before is no longer kept (files wait an hour). Choose it again."),
        ]
        return None
    return kept.data, kept.file_name, kept


@bp.route("/sessions/import", methods=["GET", "POST"])
@staff_required
def csv_upload():
    centre = current_user.centre
    require("session.import", centre)
    form = CsvImportForm()
    _say_limit(form.file)
    problems = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        try:
            job_id = training_jobs.submit_import_if_large(
                data,
                centre=centre,
                actor=actor(),
                file_name=upload.filename or "",
                units=viewer_units(),
            )
            if job_id is not None:
                return _follow_import_job(job_id)
            result = csv_import.import_sessions(
                data,
                centre=centre,
                actor=actor(),
                now=now(),
                file_name=upload.filename or "",
                units=viewer_units(),
            )
        except csv_format.CsvImportError as error:
            problems = error
            status = 422
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Imported %(num)s session for %(participants)s.",
                    "Imported %(num)s sessions for %(participants)s.",
                    result.sessions,
                    participants=plural(result.participants, "participant", "participants"),
                ),
                "success",
            )
            return redirect(url_for("training.csv_upload"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "training/csv_import.html",
        form=form,
        problems=problems,
        columns=csv_format.COLUMNS,
        alternatives=csv_format.ALTERNATIVES,
        units=viewer_units(),
        job_rows=int(current_app.config["HEARTBEAT_IMPORT_JOB_ROWS"]),
    ), status


def _follow_archive_job(job_id: int):
    from heartbeat.jobs.services import dispatch

    db.session.commit()
    dispatch(job_id)
    flash(
        _(
            "The archive is imported in the background, file by file. This page follows it and "
            "ends with a report of every file; the import carries on if you leave."
        ),
        "info",
    )
    return redirect(url_for("jobs.status", job_id=job_id))


def _follow_import_job(job_id: int):
    from heartbeat.jobs.services import dispatch

    db.session.commit()
    dispatch(job_id)
    flash(
        _(
            "The file is big, so it is checked and imported in the background. This page follows "
            "it; the import carries on if you leave."
        ),
        "info",
    )
    return redirect(url_for("jobs.status", job_id=job_id))


@bp.get("/sessions/import/template.csv")
@staff_required
def csv_template():
    require("session.import", current_user.centre)
    return Response(
        csv_format.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="heartbeat-sessions.csv"'},
    )


_MIMETYPES = {
    "fit": "application/vnd.ant.fit",
    "gpx": "application/gpx+xml",
    "tcx": "application/vnd.garmin.tcx+xml",
}


@bp.get("/sessions/<int:session_id>/file")
@login_required
def original_file(session_id: int):
    """The device file a session came from, exactly as uploaded (staff, and the participant)."""
    session = session_or_404(session_id, "session.view", detail=True)
    file = session.activity_file
    if file is None:
        abort(404)
    try:
        data = storage.original(file)
    except filestore.StoredFileMissing:
        abort(404)
    except filestore.StoredFileDamaged:
        current_app.logger.error("stored device file %s fails its checksum", file.id)
        abort(500)
    gzipped = data.startswith(b"\x1f\x8b")
    return send_file(
        io.BytesIO(data),
        mimetype="application/gzip" if gzipped else _MIMETYPES.get(file.source_format),
        as_attachment=True,
        download_name=file.original_name,
        etag=file.stored_sha256 or False,
        max_age=0,
    )

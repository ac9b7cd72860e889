"""Uploads: one device file for a participant, or a CSV of many sessions for the centre.

A bad file always gets a clear message on the form (4xx) and saves nothing; a file over
``MAX_CONTENT_LENGTH`` is stopped by Werkzeug before it is read (the 413 page). A CSV of more
than ``HEARTBEAT_IMPORT_JOB_ROWS`` rows is imported by a background job (``training.jobs``).
"""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from heartbeat.extensions import db
from heartbeat.permissions import require, staff_required
from heartbeat.training import csv_format, csv_import, imports
from heartbeat.training import jobs as training_jobs
from heartbeat.training.blueprint import actor, bp, centre_units, now, participant_or_404
from heartbeat.training.devicefiles import ActivityFileError
from heartbeat.training.forms import CsvImportForm, UploadForm
from heartbeat.training.services import SessionError
from heartbeat.training.views.sessions import apply_errors


def _say_limit(field) -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit:
        field.description = f"{field.description} Up to {limit / (1024 * 1024):g} MB."


@bp.route("/participants/<int:participant_id>/sessions/upload", methods=["GET", "POST"])
@login_required
def upload(participant_id: int):
    participant = participant_or_404(participant_id, "session.import")
    form = UploadForm()
    _say_limit(form.file)
    duplicate = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        try:
            session = imports.import_activity(
                participant,
                actor=actor(),
                data=data,
                filename=upload.filename or "",
                kind=form.kind.data,
                now=now(),
            )
        except ActivityFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
            status = 422
        except imports.DuplicateActivity as error:
            duplicate = error
            form.file.errors = [*form.file.errors, str(error)]
            status = 409
        except SessionError as error:
            apply_errors(
                form,
                {("file" if name != "kind" else name): m for name, m in error.field_errors.items()},
                str(error),
            )
            status = 422
        else:
            db.session.commit()
            flash(f"The file is saved as a session of {participant.display_name}.", "success")
            return redirect(url_for("training.session", session_id=session.id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "training/upload.html", form=form, participant=participant, duplicate=duplicate
    ), status


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
                data, centre=centre, actor=actor(), file_name=upload.filename or ""
            )
            if job_id is not None:
                return _follow_import_job(job_id)
            result = csv_import.import_sessions(
                data,
                centre=centre,
                actor=actor(),
                now=now(),
                file_name=upload.filename or "",
            )
        except csv_format.CsvImportError as error:
            problems = error
            status = 422
        else:
            db.session.commit()
            flash(
                f"Imported {result.sessions:,} session(s) for {result.participants:,} "
                "participant(s).",
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
        units=centre_units(),
        job_rows=int(current_app.config["HEARTBEAT_IMPORT_JOB_ROWS"]),
    ), status


def _follow_import_job(job_id: int):
    from heartbeat.jobs.services import dispatch

    db.session.commit()
    dispatch(job_id)
    flash(
        "The file is big, so it is checked and imported in the background. This page follows "
        "it; the import carries on if you leave.",
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

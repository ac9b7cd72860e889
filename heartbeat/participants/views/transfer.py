"""Importing participants from a CSV file, and the template to fill in."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user

from heartbeat.extensions import db
from heartbeat.participants import importing
from heartbeat.participants.forms import ImportForm
from heartbeat.participants.views.common import actor, bp, today
from heartbeat.permissions import require, staff_required


def _render(form: ImportForm, rejected: importing.ImportRejected | None = None, code: int = 200):
    return render_template(
        "participants/import.html",
        form=form,
        columns=importing.COLUMNS,
        max_rows=importing.MAX_ROWS,
        rejected=rejected,
    ), code


@bp.route("/participants/import", methods=["GET", "POST"])
@staff_required
def import_csv():
    centre = current_user.centre
    require("participant.import", centre)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(form, code=422 if form.is_submitted() else 200)
    upload = form.file.data
    try:
        enrolled = importing.import_participants(
            upload.read(),
            filename=upload.filename or "",
            centre_id=centre.id,
            actor=actor(),
            today=today(),
        )
    except importing.ImportRejected as rejected:
        # Not committed, so discarded at the end of the request; rolling back here would expire
        # the signed-in user, whose centre the page header still needs.
        return _render(form, rejected, 422)
    db.session.commit()
    flash(f"Imported {len(enrolled)} participant(s).", "success")
    return redirect(url_for(".caseload", scope="all", sort="-enrolled"))


@bp.get("/participants/import/template.csv")
@staff_required
def import_template():
    require("participant.import", current_user.centre)
    return Response(
        importing.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="participants-template.csv"'},
    )

"""Importing participants from a CSV file, and the template to fill in."""

from __future__ import annotations

from flask import Response, flash, redirect, url_for
from flask_login import current_user

from heartbeat.core.edits import render_form
from heartbeat.core.i18n import ngettext
from heartbeat.extensions import db
from heartbeat.participants import importing
from heartbeat.participants.blueprint import bp
from heartbeat.participants.forms import ImportForm
from heartbeat.participants.views.common import actor, today
from heartbeat.permissions import require, staff_required


def _render(
    form: ImportForm, rejected: importing.ImportRejected | None = None, code: int | None = None
):
    return render_form(
        "participants/import.html",
        form,
        code,
        columns=importing.COLUMNS,
        max_rows=importing.MAX_ROWS,
        rejected=rejected,
    )


@bp.route("/participants/import", methods=["GET", "POST"])
@staff_required
def import_csv():
    centre = current_user.centre
    require("participant.import", centre)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(form)
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
    flash(
        ngettext("Imported %(num)s participant.", "Imported %(num)s participants.", len(enrolled)),
        "success",
    )
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

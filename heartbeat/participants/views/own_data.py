"""A participant downloads their own data (``participants.own_export``): at once when small,
else through a background job whose page they follow (``jobs.status``, ``job.follow``)."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask_login import current_user, login_required

from heartbeat.auth.models import Role
from heartbeat.core.i18n import ngettext
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import own_export
from heartbeat.participants.blueprint import bp
from heartbeat.participants.views.common import actor
from heartbeat.participants.views.portal import own_record
from heartbeat.permissions import require


@bp.post("/me/export")
@login_required
def own_export_download():
    if current_user.role != Role.PARTICIPANT:
        abort(403)
    participant = own_record()
    if participant is None:
        abort(404)
    require("participant.own_export", participant)
    files = own_export.file_count(participant)
    if files > int(current_app.config["HEARTBEAT_OWN_EXPORT_JOB_FILES"]):
        from heartbeat.jobs.services import dispatch, submit
        from heartbeat.participants.jobs import OWN_EXPORT_JOB

        job = submit(
            OWN_EXPORT_JOB,
            centre_id=participant.centre_id,
            actor=actor(),
            params={"participant_id": participant.id},
        )
        job_id = job.id
        db.session.commit()
        dispatch(job_id)
        flash(
            ngettext(
                "Your data is %(num)s file, so it is put together in the background. This page "
                "follows it; the download appears here when it is ready.",
                "Your data is %(num)s files, so it is put together in the background. This page "
                "follows it; the download appears here when it is ready.",
                files,
            ),
            "info",
        )
        return redirect(url_for("jobs.status", job_id=job_id))
    now = utcnow()
    data, _ = own_export.build(participant, actor=actor(), now=now)
    db.session.commit()
    name = own_export.filename(participant, now)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

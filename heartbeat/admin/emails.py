"""The centre's outbox for its admins: recent emails and how each went; a failed one again."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for

from heartbeat.admin.views import _own_centre, bp
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.mail import mail_configured
from heartbeat.outbox import services as outbox
from heartbeat.outbox.models import OutboxEmail
from heartbeat.permissions import admin_required, require


@bp.get("/centre/emails")
@admin_required
def emails():
    centre = _own_centre()
    require("email.view", centre)
    page = outbox.recent_emails_page(
        current_app.config["HEARTBEAT_PAGE_SIZE"], request.args.get("page", type=int)
    )
    now = utcnow()
    return render_template(
        "admin/emails.html",
        centre=centre,
        page=page,
        counts=outbox.counts_by_state(timedelta(days=7), now),
        mail_configured=mail_configured(),
    )


@bp.post("/centre/emails/<int:email_id>/retry")
@admin_required
def retry_email(email_id: int):
    centre = _own_centre()
    email = db.get_or_404(OutboxEmail, email_id)  # another centre's: filtered out, so 404
    require("email.retry", centre)
    if outbox.retry_failed(email, utcnow()):
        db.session.commit()
        flash(f"The email to {email.to_address} will be tried again.", "success")
    else:
        flash("Only a failed email can be tried again.", "error")
    return redirect(url_for("admin.emails"))

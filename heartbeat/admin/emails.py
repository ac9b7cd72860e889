"""The centre's outbox for its admins: recent emails and how each went; a failed one again."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from heartbeat.admin.views import _own_centre, _staff_member, bp
from heartbeat.auth import resets
from heartbeat.core.i18n import _
from heartbeat.db import row_id, utcnow
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
        flash(
            _("The email to %(address)s will be tried again.", address=email.to_address), "success"
        )
    else:
        flash(_("Only a failed email can be tried again."), "error")
    return redirect(url_for("admin.emails"))


@bp.post("/centre/users/<int:user_id>/reset-link")
@admin_required
def reset_link(user_id: int):
    """A password reset link for a person of the centre, shown to the admin once: for sites
    without a mail server, where "Forgot your password?" cannot email one."""
    user = _staff_member(user_id)  # any account of the centre; another centre's: 404
    require("user.reset_link", user)
    participant_id = request.form.get("participant_id", type=row_id)
    back_url = (
        url_for("participants.records", participant_id=participant_id)
        if participant_id is not None
        else url_for("admin.staff")
    )
    if mail_configured():
        flash(
            _(
                "This site emails reset links: ask %(name)s to use “Forgot your password?” on "
                "the sign-in page.",
                name=user.name,
            ),
            "info",
        )
        return redirect(back_url)
    if not user.active:
        flash(_("%(name)s's account is deactivated: reactivate it first.", name=user.name), "error")
        return redirect(back_url)
    issued = resets.issue(user, utcnow(), actor=current_user._get_current_object())
    db.session.commit()
    return render_template(
        "admin/reset_link.html",
        person=user,
        link=issued.link,
        minutes=current_app.config["HEARTBEAT_RESET_MINUTES"],
        back_url=back_url,
    )

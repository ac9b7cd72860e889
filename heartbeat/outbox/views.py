"""One-click unsubscribe (RFC 8058) and each person's email choices."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from heartbeat.core.i18n import _
from heartbeat.extensions import csrf, db, limiter
from heartbeat.outbox import services
from heartbeat.outbox.forms import EmailPreferencesForm

bp = Blueprint("outbox", __name__, template_folder="templates")


@bp.route("/email/unsubscribe/<ticket>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no session
@limiter.limit("30 per minute")
def unsubscribe(ticket: str):
    """GET asks (a link scanner must not unsubscribe anyone); POST unsubscribes. The signed
    token is the authority: it names one person and one kind of optional email."""
    found = services.read_unsubscribe_token(ticket)
    if found is None:
        abort(404)
    user_id, kind = found
    if request.method == "POST":
        services.unsubscribe(user_id, kind)
        db.session.commit()
        return render_template("outbox/unsubscribed.html", kind=kind)
    return render_template("outbox/unsubscribe.html", kind=kind, ticket=ticket)


@bp.post("/account/emails")
@login_required
def preferences():
    form = EmailPreferencesForm()
    if form.validate_on_submit():
        try:
            services.set_preferences(
                current_user.id,
                digest=bool(form.digest.data) and current_user.is_staff,
                milestones=bool(form.milestones.data),
                certificates=bool(form.certificates.data),
                digest_weekday=int(form.digest_weekday.data or 0),
                digest_hour=int(form.digest_hour.data or 0),
            )
        except services.PreferenceError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your email choices are saved."), "success")
    else:
        flash(_("Those choices could not be saved; please try again."), "error")
    return redirect(url_for("auth.email_choices", _anchor="emails-title"))


def preferences_form(user_id: int) -> EmailPreferencesForm:
    pref = services.preferences_of(user_id)
    return EmailPreferencesForm(
        formdata=None,
        digest=pref.digest,
        milestones=pref.milestones,
        certificates=pref.certificates,
        digest_weekday=str(pref.digest_weekday),
        digest_hour=str(pref.digest_hour),
    )


def mail_on() -> bool:
    return bool(current_app.config["HEARTBEAT_SMTP_HOST"])

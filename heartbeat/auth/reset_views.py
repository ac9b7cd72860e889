"""'Forgot your password?' and the reset link's page."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from heartbeat.auth import resets, services
from heartbeat.auth.forms import ForgotPasswordForm, SetPasswordForm
from heartbeat.auth.views import bp
from heartbeat.core.i18n import _, ngettext
from heartbeat.db import utcnow
from heartbeat.extensions import db, limiter


def sent_message(minutes: int) -> str:
    return ngettext(
        "If that address belongs to an account, we have emailed it a link to choose a new "
        "password. It works once, for %(num)s minute. No email? Check the spelling and your spam "
        "folder, or ask your centre's admin.",
        "If that address belongs to an account, we have emailed it a link to choose a new "
        "password. It works once, for %(num)s minutes. No email? Check the spelling and your spam "
        "folder, or ask your centre's admin.",
        minutes,
    )


def _address_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"reset-address:{email}"


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["HEARTBEAT_RESET_RATE_LIMIT"], methods=["POST"], key_func=None
)
@limiter.limit(
    lambda: current_app.config["HEARTBEAT_RESET_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=_address_key,
)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        resets.request_reset(form.email.data or "", utcnow())
        db.session.commit()
        # The same answer, taking the same time, whether or not the address has an account.
        floor = int(current_app.config["HEARTBEAT_RESET_ANSWER_MS"]) / 1000
        time.sleep(max(0.0, floor - (time.monotonic() - started)))
        minutes = current_app.config["HEARTBEAT_RESET_MINUTES"]
        return render_template("auth/forgot_sent.html", message=sent_message(int(minutes)))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset/<secret>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def reset_password(secret: str):
    reset = resets.find(secret)
    if reset is None:
        return render_template("auth/reset_unusable.html", message=None), 404
    user = resets.owner(reset)
    now = utcnow()
    state = resets.state(reset, user, now)
    if state != "usable":
        return render_template("auth/reset_unusable.html", message=resets.UNUSABLE[state]), 410
    form = SetPasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            resets.use(reset, form.password.data or "", now)
        except services.AccountError as error:
            form.password.errors = [*form.password.errors, str(error)]
            return render_template("auth/reset_password.html", form=form, user=user), 422
        db.session.commit()
        if current_user.is_authenticated and current_user.id == user.id:
            logout_user()  # this session ended with every other one
        flash(
            _(
                "Your password has been changed, and every device signed in to your account has "
                "been signed out. Sign in with your new password."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form, user=user), status

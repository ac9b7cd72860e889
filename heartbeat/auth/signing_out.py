"""Sign out (this browser) and "Sign out everywhere" (every device, after a confirmation)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from heartbeat.auth import sessions
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db


def _signed_out(message: str):
    # Clear first: logout_user() leaves a note in the session to delete the remember-me cookie.
    session.clear()
    logout_user()
    flash(message, "info")
    return redirect(url_for("auth.login"))


def logout():
    sessions.end_this_one(current_user._get_current_object(), utcnow())
    db.session.commit()
    return _signed_out(_("You have signed out on this device."))


def sign_out_everywhere():
    if request.method == "GET":
        return render_template("auth/sign_out_everywhere.html")
    sessions.end_everywhere(current_user._get_current_object(), utcnow())
    db.session.commit()
    return _signed_out(_("You have signed out on every device, this one included."))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/logout", "logout", login_required(logout), methods=["POST"])
    bp.add_url_rule(
        "/account/sign-out-everywhere",
        "sign_out_everywhere",
        login_required(sign_out_everywhere),
        methods=["GET", "POST"],
    )

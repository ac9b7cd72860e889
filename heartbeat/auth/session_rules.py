"""Rules every signed-in request passes: idle timeout, absolute lifetime, two-factor enrolment.

Sessions are signed cookies, so these rules keep their clocks in the session itself
(``signed_in_at``, ``last_seen``, both epoch seconds) and need nothing from a server's memory.
"""

from __future__ import annotations

import time

from flask import (
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from sqlalchemy.orm.attributes import set_committed_value

from heartbeat.auth import mfa
from heartbeat.centres.models import Centre
from heartbeat.core import transactions
from heartbeat.core.hooks import NO_USER_ENDPOINTS, authenticates_itself
from heartbeat.core.i18n import _
from heartbeat.extensions import db

# Pages a person who must set up two-factor sign-in can still reach.
_ENROLMENT_ENDPOINTS = frozenset(
    {"auth.mfa_setup", "auth.logout", "auth.keep_alive", "static", "home.healthz"}
)
LAST_SEEN_RESOLUTION_SECONDS = 30
# Requests the browser makes by itself (polling) do not count as activity.
BACKGROUND_HEADER = "X-Heartbeat-Background"


def idle_limit_seconds(user) -> int:
    minutes = (
        current_app.config["HEARTBEAT_IDLE_MINUTES_STAFF"]
        if user.is_staff or user.is_operator
        else current_app.config["HEARTBEAT_IDLE_MINUTES_PARTICIPANT"]
    )
    return round(float(minutes) * 60)  # fractions of a minute too (the browser test uses 0.3)


def idle_seconds_left(user) -> int:
    """How long until this session times out, from the last activity the server recorded."""
    last_seen = session.get("last_seen", int(time.time()))
    return max(0, idle_limit_seconds(user) - (int(time.time()) - last_seen))


def start_session_clock() -> None:
    now = int(time.time())
    session["signed_in_at"] = now
    session["last_seen"] = now


def _sign_out(message: str):
    session.clear()
    logout_user()
    flash(message, "info")
    return redirect(
        url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    )


def register(app: Flask) -> None:
    """Runs after the foundation's request start (request id, centre scope) on every request."""
    app.before_request(enforce)
    transactions.after_rollback(_restore_signed_in_centre)


def _restore_signed_in_centre() -> None:
    """After a rollback the signed-in user's centre is loaded again (``User.centre`` is
    ``lazy="raise"``, and every page header reads it)."""
    if not has_request_context():
        return
    user = getattr(g, "_login_user", None)
    if user is None or getattr(user, "centre_id", None) is None:
        return
    set_committed_value(user, "centre", db.session.get(Centre, user.centre_id))


def enforce():
    """A before-request hook: returns a redirect when the request may not go on."""
    if request.endpoint in NO_USER_ENDPOINTS or request.endpoint is None:
        return None
    if authenticates_itself():
        return None  # no session here: its clocks and two-factor enrolment do not apply
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    signed_in_at = session.get("signed_in_at")
    last_seen = session.get("last_seen")
    if signed_in_at is None or last_seen is None:
        # Restored from a remember-me cookie: a new session starts its clocks now.
        start_session_clock()
    else:
        max_age = current_app.config["HEARTBEAT_SESSION_MAX_HOURS"] * 3600
        if now - signed_in_at > max_age:
            return _sign_out(
                _(
                    "For your security you were signed out after a long session. "
                    "Please sign in again."
                )
            )
        if now - last_seen > idle_limit_seconds(current_user):
            return _sign_out(
                _(
                    "You were signed out because the page was left idle. "
                    "Please sign in again; nothing after your last save was kept."
                )
            )
        # Written at most every half minute (or at once on "Stay signed in"): a session that
        # changes on every request means a new signed cookie on every response.
        if request.headers.get(BACKGROUND_HEADER) != "1" and (
            now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or request.endpoint == "auth.keep_alive"
        ):
            session["last_seen"] = now
    if (
        request.endpoint not in _ENROLMENT_ENDPOINTS
        and not current_user.mfa_enabled
        and mfa.mfa_required(current_user)
    ):
        flash(_("Your account needs two-factor sign-in. Set it up to continue."), "info")
        return redirect(url_for("auth.mfa_setup"))
    return None

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required

from heartbeat.auth import session_rules
from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres.models import Centre
from heartbeat.core.hooks import current_user_is_signed_in
from heartbeat.db import utcnow
from heartbeat.extensions import db, limiter
from heartbeat.home.navigation import CENTRE_LINKS, navigation_for
from heartbeat.permissions import admin_required, require

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_operator and current_user.centre_id is None:
        return redirect(url_for("admin.operator_centres"))
    return redirect(url_for("home.home"))


@bp.get("/home")
@login_required
def home():
    if current_user.centre_id is None:
        return redirect(url_for("admin.operator_centres"))
    if current_user.role == Role.PARTICIPANT:
        # A participant's home is their progress page, where a new milestone is celebrated.
        from heartbeat.participants.views.portal import portal

        return portal()
    counts = dict(
        db.session.execute(
            sa.select(User.role, sa.func.count()).where(User.active).group_by(User.role)
        ).all()
    )
    pending_invites = db.session.scalar(
        sa.select(sa.func.count()).select_from(Invite).where(Invite.pending_at(utcnow()))
    )
    return render_template(
        "home/staff_home.html", counts=counts, pending_invites=pending_invites, roles=Role
    )


@bp.get("/centre")
@admin_required
def centre_hub():
    """The admin's way into the centre's management pages (one link in the main navigation)."""
    centre = db.session.get(Centre, current_user.centre_id) if current_user.centre_id else None
    if centre is None:  # a platform operator belongs to no centre
        abort(404)
    require("centre.edit_settings", centre)
    return render_template("home/centre_hub.html", centre=centre, links=CENTRE_LINKS)


@bp.get("/favicon.ico")
@limiter.exempt
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: the same icon as the SVG one."""
    response = send_from_directory(
        current_app.static_folder or "static", "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except Exception:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def register_template_context(app: Flask) -> None:
    """Every page's navigation and idle-timeout figures, gathered from the features below."""

    @app.context_processor
    def inject_navigation():
        signed_in = current_user_is_signed_in()
        return {
            "navigation": navigation_for(current_user),
            "idle_limit_seconds": session_rules.idle_limit_seconds(current_user)
            if signed_in
            else None,
            "idle_seconds_left": session_rules.idle_seconds_left(current_user)
            if signed_in
            else None,
        }

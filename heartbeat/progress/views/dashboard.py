"""The centre dashboard, for admins."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, render_template
from flask_login import current_user

from heartbeat.core.units import day_text
from heartbeat.db import utcnow
from heartbeat.permissions import admin_required, require
from heartbeat.progress.blueprint import bp
from heartbeat.progress.dashboard import build_dashboard
from heartbeat.progress.services import award_title


@bp.get("/dashboard")
@admin_required
def dashboard():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("dashboard.view", centre)
    return render_template(
        "progress/dashboard.html",
        centre=centre,
        board=build_dashboard(centre, utcnow()),
        tz=ZoneInfo(centre.timezone),
        award_title=award_title,
        day_text=day_text,
    )

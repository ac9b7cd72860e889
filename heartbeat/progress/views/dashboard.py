"""The centre dashboard, for admins."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from heartbeat.auth.viewer import current_units
from heartbeat.core.i18n import _, date_text
from heartbeat.core.units import day_text
from heartbeat.db import utcnow
from heartbeat.permissions import admin_required, require
from heartbeat.progress.blueprint import bp
from heartbeat.progress.dashboard import EARLIEST_MONTH, build_dashboard, parse_month
from heartbeat.progress.services import award_title_text
from heartbeat.safety.stats import FLAG_WINDOW_DAYS, acknowledgement_times, wait_text


@bp.get("/dashboard")
@admin_required
def dashboard():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("dashboard.view", centre)
    now = utcnow()
    month = None
    asked = request.args.get("month")
    if asked:
        today = now.astimezone(ZoneInfo(centre.timezone)).date()
        month = parse_month(asked, today)
        if month is None:
            flash(
                _(
                    "There is no dashboard for “%(asked)s”: choose a month from %(earliest)s up"
                    " to this month (as YYYY-MM). This month is shown.",
                    asked=asked[:20],
                    earliest=date_text(EARLIEST_MONTH, "%B %Y"),
                ),
                "error",
            )
            return redirect(url_for(".dashboard"))
    return render_template(
        "progress/dashboard.html",
        centre=centre,
        board=build_dashboard(centre, now, month, current_units()),
        flags=acknowledgement_times(centre.id, now - timedelta(days=FLAG_WINDOW_DAYS), now),
        flag_days=FLAG_WINDOW_DAYS,
        wait_text=wait_text,
        tz=ZoneInfo(centre.timezone),
        award_title=award_title_text,
        day_text=day_text,
    )

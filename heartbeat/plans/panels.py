"""What plans adds to the participant's own page: this week's plan leads "Today" (what is next,
what is done, one tap to log). A fixed number of queries, whatever the plan's length."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from heartbeat.auth.viewer import units_for
from heartbeat.core import panels
from heartbeat.db import utcnow
from heartbeat.permissions import can
from heartbeat.plans.services import weeks


def portal_panel(participant: Any, viewer: Any) -> dict[str, Any] | None:
    centre = viewer.centre
    tz = ZoneInfo(centre.timezone)
    today: date = utcnow().astimezone(tz).date()
    plan = weeks.shown_plan(participant.id, today)
    if plan is None:
        return None
    view = weeks.plan_weeks(plan, tz, today, shown=today)  # only this week shown day by day
    week = view.current
    upcoming = []
    if week is not None:
        upcoming = [p for p in week.planned if p.id not in week.matches and p.on >= today]
    return {
        "participant": participant,
        "view": view,
        "week": week,
        "next": upcoming[0] if upcoming else None,
        "units": units_for(viewer),
        "tz": tz,
        "today": today,
        "can_log": can(viewer, "session.self_report", participant),
    }


def register() -> None:
    panels.register_panel(panels.PORTAL, "plans/_portal_week.html", portal_panel, order=5)

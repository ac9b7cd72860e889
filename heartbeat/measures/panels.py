"""What measures add to the participant pages: what is due (staff overview and the participant's
own page). Two queries each, whatever the history."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from heartbeat.core import panels
from heartbeat.db import utcnow
from heartbeat.measures import queries
from heartbeat.permissions import can


def _due(participant, viewer, *, own: bool) -> list[queries.Standing]:
    tz = ZoneInfo(viewer.centre.timezone)
    standings = queries.standings(participant, today=utcnow().astimezone(tz).date(), tz=tz)
    due = queries.due_now(standings)
    return [s for s in due if s.measure.by_participant] if own else due


def profile_panel(participant, viewer) -> dict[str, Any] | None:
    if not can(viewer, "measure.list", participant):
        return None
    due = _due(participant, viewer, own=False)
    return {"participant": participant, "due": due} if due else None


def portal_panel(participant, viewer) -> dict[str, Any] | None:
    due = _due(participant, viewer, own=True)
    return {"participant": participant, "due": due} if due else None


def register() -> None:
    panels.register_panel(panels.PROFILE, "measures/panel_profile.html", profile_panel, order=15)
    panels.register_panel(panels.PORTAL, "measures/panel_portal.html", portal_panel, order=15)

"""The sections training adds to the participant profile and portal.

Each panel builder runs a fixed number of queries whatever the number of sessions.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from heartbeat.auth.viewer import units_for
from heartbeat.core import panels
from heartbeat.extensions import db
from heartbeat.permissions import can
from heartbeat.training import queries

RECENT = 5
WAITING_SHOWN = 20


def _centre_settings(viewer) -> tuple[str, ZoneInfo, bool]:
    centre = viewer.centre
    return units_for(viewer), ZoneInfo(centre.timezone), bool(centre.allow_self_report)


def portal_panel(participant, viewer) -> dict[str, Any] | None:
    """The participant's own page: their recent sessions, and "Log a session" when allowed."""
    units, tz, allowed = _centre_settings(viewer)
    recent = db.session.scalars(queries.sessions_for(participant.id).limit(RECENT)).all()
    return {
        "participant": participant,
        "sessions": recent,
        "units": units,
        "tz": tz,
        "can_self_report": allowed and can(viewer, "session.self_report", participant),
    }


def register() -> None:
    panels.register_panel(panels.PORTAL, "training/panel_portal.html", portal_panel, order=30)

"""What safety adds to the participant pages: open red flags at the top of the staff overview,
and on the participant's own page what they reported and what to do. One query each."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.core import panels
from heartbeat.extensions import db
from heartbeat.permissions import can
from heartbeat.safety import queries
from heartbeat.safety.models import RedFlag
from heartbeat.safety.rules import symptom_labels

SHOWN = 5


@cache
def _open_flags_statement() -> sa.Select[RedFlag]:
    """Built once (the overview runs it on every visit); ``participant_id`` bound per call."""
    participant_id = sa.bindparam("participant_id", type_=sa.Integer)
    return (
        queries.flags_for(participant_id)  # type: ignore[arg-type]
        .where(RedFlag.acknowledged_at.is_(None))
        .limit(SHOWN)
    )


def _open_flags(participant_id: int) -> list[RedFlag]:
    return list(db.session.scalars(_open_flags_statement(), {"participant_id": participant_id}))


def profile_alert(participant, viewer) -> dict[str, Any] | None:
    """Open red flags, above everything else on the overview (nothing when there are none)."""
    if not can(viewer, "red_flag.list", participant):
        return None
    flags = _open_flags(participant.id)
    if not flags:
        return None
    return {
        "participant": participant,
        "flags": flags,
        "labels": symptom_labels,
        "tz": ZoneInfo(viewer.centre.timezone),
    }


def portal_alert(participant, viewer) -> dict[str, Any] | None:
    """The participant's own open flags: the team has been told, and what to do meanwhile."""
    flags = _open_flags(participant.id)
    if not flags:
        return None
    return {"flags": flags, "tz": ZoneInfo(viewer.centre.timezone)}


def register() -> None:
    panels.register_panel(
        panels.PROFILE_ALERTS, "safety/panel_profile.html", profile_alert, order=0
    )
    panels.register_panel(panels.PORTAL_ALERTS, "safety/panel_portal.html", portal_alert, order=0)

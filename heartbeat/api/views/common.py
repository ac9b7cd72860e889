"""Loading what a route names, as the web pages do: through the request's centre scope (another
centre's row is not found: 404), then the permission table (403), and for a participant's token
404 for anything that is not their own (they learn nothing of other records)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.participants.models import Participant
from heartbeat.permissions import can, hide, require


def centre_or_404():
    """The token user's centre; an operator belongs to none, so has no records here."""
    centre = current_user.centre
    if centre is None:
        abort(404)
    return centre


def centre_tz() -> ZoneInfo:
    return ZoneInfo(centre_or_404().timezone)


def visible(obj: Any, action: str, *, view_action: str) -> Any:
    """``obj`` (already loaded, or None) if the token's user may do ``action`` to it."""
    if obj is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, view_action, obj):
        hide(action, obj)
    require(action, obj)
    return obj


def one(stmt: sa.Select) -> Any:
    return db.session.scalars(stmt).unique().one_or_none()


def participant_or_404(participant_id: int, action: str) -> Participant:
    participant = one(participant_queries.participant_by_id(participant_id))
    return visible(participant, action, view_action="participant.view")


def own_participant() -> Participant | None:
    """A participant login's own record (None for staff, or a login not linked to one)."""
    if not current_user.is_participant:
        return None
    return one(participant_queries.participant_for_user(current_user.id))

"""Linking a participant's record to the login that opens their own page."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import (
    Participant,
)
from heartbeat.participants.services.cleaning import ParticipantError


def find_for_invite(participant_id: int, centre_id: int) -> Participant | None:
    """The participant an invitation names (read outside any signed-in centre on purpose)."""
    stmt = sa.select(Participant).where(
        Participant.id == participant_id, Participant.centre_id == centre_id
    )
    return db.session.scalars(stmt.execution_options(all_centres=True)).one_or_none()


def link_portal_user(participant: Participant, user: User, now: datetime | None = None) -> None:
    """Give the participant's new login access to their record."""
    if participant.user_id is not None:
        raise ParticipantError(_("This participant already has a login."))
    if user.centre_id != participant.centre_id:
        raise ParticipantError(_("The login belongs to another centre."))
    participant.user_id = user.id
    participant.updated_at = now or utcnow()
    db.session.flush()
    audit.record(
        user,
        participant.centre_id,
        "participant.link_user",
        "participant",
        participant.id,
        audit.diff({"user_id": None}, {"user_id": user.id}),
        at=now,
    )

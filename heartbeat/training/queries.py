"""Select builders for the training pages, each eager-loading what its page shows.

They rely on the request's centre scope (``heartbeat.db``) for isolation, as every query does.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.participants.models import Participant
from heartbeat.training.models import TrainingSession

NEWEST_FIRST = (TrainingSession.started_at.desc(), TrainingSession.id.desc())


def session_by_id(session_id: int, *, detail: bool = False) -> sa.Select:
    """One session with its participant (for the permission check); ``detail`` adds the rest."""
    stmt = (
        sa.select(TrainingSession)
        .options(joinedload(TrainingSession.participant))
        .where(TrainingSession.id == session_id)
    )
    if detail:
        stmt = stmt.options(
            joinedload(TrainingSession.activity_file),
            joinedload(TrainingSession.recorded_by),
            joinedload(TrainingSession.verified_by),
        )
    return stmt


def sessions_for(participant_id: int) -> sa.Select:
    """A participant's sessions, newest first (the list page and the panels)."""
    return (
        sa.select(TrainingSession)
        .where(TrainingSession.participant_id == participant_id)
        .order_by(*NEWEST_FIRST)
    )


def waiting_for_verification(participant_id: int | None = None) -> sa.Select:
    """Self-reported sessions no therapist has verified yet, oldest first (a work queue)."""
    stmt = (
        sa.select(TrainingSession)
        .options(joinedload(TrainingSession.participant))
        .where(TrainingSession.self_reported.is_(True), TrainingSession.verified_at.is_(None))
        .order_by(TrainingSession.started_at, TrainingSession.id)
    )
    if participant_id is not None:
        stmt = stmt.where(TrainingSession.participant_id == participant_id)
    return stmt


def sessions_by_ids(session_ids: Iterable[int]) -> sa.Select:
    return (
        sa.select(TrainingSession)
        .options(joinedload(TrainingSession.participant))
        .where(TrainingSession.id.in_(list(session_ids)))
        .order_by(TrainingSession.id)
    )


def participant_by_id(participant_id: int) -> sa.Select:
    return sa.select(Participant).where(Participant.id == participant_id)


def participant_for_user(user_id: int) -> sa.Select:
    return sa.select(Participant).where(Participant.user_id == user_id)

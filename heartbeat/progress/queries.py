"""Select builders for progress pages, each eager-loading what its page shows.

They rely on the request's centre scope (``heartbeat.db``) for isolation, as every query does.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.services import FACT_COLUMNS
from heartbeat.training.models import TrainingSession


def session_rows(participant_id: int) -> sa.Select:
    """One participant's sessions as plain column tuples (what ``session_facts`` reads, plus
    heart rate): no ORM object per session, however many there are.

    ``summary.facts_from_rows`` unpacks them by position: keep the two in step.
    """
    return (
        sa.select(*FACT_COLUMNS, TrainingSession.avg_hr)
        .where(TrainingSession.participant_id == participant_id)
        .order_by(TrainingSession.started_at, TrainingSession.id)
    )


def session_count_and_last_id(participant_id: int) -> sa.Select:
    return sa.select(sa.func.count(), sa.func.max(TrainingSession.id)).where(
        TrainingSession.participant_id == participant_id
    )


def awards_for(participant_id: int) -> sa.Select:
    return (
        sa.select(Award)
        .options(joinedload(Award.stage), joinedload(Award.verified_by))
        .where(Award.participant_id == participant_id)
        .order_by(Award.achieved_at, Award.id)
    )


def award_of(participant_id: int, award_id: int) -> sa.Select:
    return (
        sa.select(Award)
        .options(joinedload(Award.stage))
        .where(Award.id == award_id, Award.participant_id == participant_id)
    )


def awards_by_ids(participant_id: int, award_ids: list[int]) -> sa.Select:
    return (
        sa.select(Award)
        .options(joinedload(Award.stage))
        .where(Award.participant_id == participant_id, Award.id.in_(award_ids))
        .order_by(Award.achieved_at, Award.id)
    )


def pending_awards() -> sa.Select:
    """Every award in the centre waiting for a person: unverified, or verified and flagged."""
    return (
        sa.select(Award)
        .options(
            joinedload(Award.stage),
            joinedload(Award.participant),
            joinedload(Award.evidence_session),
        )
        .join(Participant, Award.participant_id == Participant.id)
        .where(sa.or_(Award.verified_at.is_(None), Award.needs_review.is_(True)))
        .order_by(Award.needs_review.desc(), Award.achieved_at, Award.id)
    )


def stage_by_id(stage_id: int) -> sa.Select:
    return sa.select(LadderStage).where(LadderStage.id == stage_id)

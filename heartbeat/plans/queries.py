"""Select builders for the plans pages, each eager-loading what its page shows. They rely on
the request's centre scope (``heartbeat.db``) for isolation, as every query does."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from heartbeat.participants.models import Participant, ParticipantStatus
from heartbeat.plans.models import (
    Plan,
    PlannedSession,
    PlannedSquadSession,
    PlanTemplate,
    Squad,
    TemplateSession,
    UnavailableDay,
)
from heartbeat.training.models import TrainingSession


def participant_by_id(participant_id: int) -> sa.Select:
    return sa.select(Participant).where(Participant.id == participant_id)


def templates() -> sa.Select:
    return sa.select(PlanTemplate).order_by(PlanTemplate.retired, PlanTemplate.name)


def plans_per_template() -> sa.Select:
    """(template id, how many plans were assigned from it), for templates with any."""
    return (
        sa.select(Plan.template_id, sa.func.count())
        .where(Plan.template_id.is_not(None))
        .group_by(Plan.template_id)
    )


def template_by_id(template_id: int, *, sessions: bool = False) -> sa.Select:
    stmt = sa.select(PlanTemplate).where(PlanTemplate.id == template_id)
    if sessions:
        stmt = stmt.options(selectinload(PlanTemplate.sessions))
    return stmt


def template_sessions(template_id: int) -> sa.Select:
    return (
        sa.select(TemplateSession)
        .where(TemplateSession.template_id == template_id)
        .order_by(TemplateSession.week, TemplateSession.day, TemplateSession.id)
    )


def template_session_by_id(row_id: int) -> sa.Select:
    return (
        sa.select(TemplateSession)
        .options(joinedload(TemplateSession.template))
        .where(TemplateSession.id == row_id)
    )


def plans_for(participant_id: int) -> sa.Select:
    """A person's plans, the latest first."""
    return (
        sa.select(Plan)
        .where(Plan.participant_id == participant_id)
        .order_by(Plan.starts_on.desc(), Plan.id.desc())
    )


def plan_by_id(plan_id: int) -> sa.Select:
    return sa.select(Plan).options(joinedload(Plan.participant)).where(Plan.id == plan_id)


def planned_session_by_id(row_id: int) -> sa.Select:
    return (
        sa.select(PlannedSession)
        .options(joinedload(PlannedSession.plan).joinedload(Plan.participant))
        .where(PlannedSession.id == row_id)
    )


def planned_between(participant_id: int, first: date, last: date) -> sa.Select:
    return (
        sa.select(PlannedSession)
        .where(
            PlannedSession.participant_id == participant_id,
            PlannedSession.on.between(first, last),
        )
        .order_by(PlannedSession.on, PlannedSession.id)
    )


def sessions_between(participant_id: int, start: datetime, end: datetime) -> sa.Select:
    return (
        sa.select(TrainingSession)
        .where(
            TrainingSession.participant_id == participant_id,
            TrainingSession.started_at >= start,
            TrainingSession.started_at < end,
        )
        .order_by(TrainingSession.started_at, TrainingSession.id)
    )


def unavailable_between(participant_id: int, first: date, last: date) -> sa.Select:
    return sa.select(UnavailableDay).where(
        UnavailableDay.participant_id == participant_id, UnavailableDay.on.between(first, last)
    )


def squads() -> sa.Select:
    return sa.select(Squad).options(selectinload(Squad.members)).order_by(Squad.name)


def squad_by_id(squad_id: int) -> sa.Select:
    return sa.select(Squad).options(selectinload(Squad.members)).where(Squad.id == squad_id)


def active_participants() -> sa.Select:
    return (
        sa.select(Participant)
        .where(
            Participant.status == ParticipantStatus.ACTIVE,
            Participant.erased_at.is_(None),
        )
        .order_by(Participant.family_name, Participant.given_name, Participant.id)
    )


def planned_squad_by_id(row_id: int) -> sa.Select:
    return (
        sa.select(PlannedSquadSession)
        .options(joinedload(PlannedSquadSession.squad).selectinload(Squad.members))
        .where(PlannedSquadSession.id == row_id)
    )


def planned_squad_sessions(since: datetime) -> sa.Select:
    """Squad sessions planned from ``since`` on and not recorded yet, the soonest first."""
    return (
        sa.select(PlannedSquadSession)
        .options(joinedload(PlannedSquadSession.squad))
        .where(
            PlannedSquadSession.starts_at >= since,
            PlannedSquadSession.squad_session_id.is_(None),
        )
        .order_by(PlannedSquadSession.starts_at, PlannedSquadSession.id)
    )

"""Select builders for participant pages, each eager-loading what its page shows.

They rely on the request's centre scope (``heartbeat.db``) for isolation, as every query does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.auth.models import STAFF_ROLES, User
from heartbeat.core.i18n import _l
from heartbeat.participants import stages
from heartbeat.participants.models import (
    Consent,
    EquipmentFitting,
    Note,
    Participant,
    ParticipantStatus,
    RacingClass,
    StatusChange,
)


def participant_by_id(participant_id: int) -> sa.Select:
    return (
        sa.select(Participant)
        .options(joinedload(Participant.therapist), joinedload(Participant.user))
        .where(Participant.id == participant_id)
    )


@cache
def participant_by_bound_id() -> sa.Select[Participant]:
    """``participant_by_id`` built once, with ``participant_id`` bound per call: every page of
    a participant's record runs it first."""
    return participant_by_id(sa.bindparam("participant_id", type_=sa.Integer))  # type: ignore[arg-type]


def participant_for_user(user_id: int) -> sa.Select:
    return (
        sa.select(Participant)
        .options(joinedload(Participant.therapist))
        .where(Participant.user_id == user_id)
    )


def consents_for(participant_id: int) -> sa.Select:
    return (
        sa.select(Consent)
        .options(joinedload(Consent.recorded_by))
        .where(Consent.participant_id == participant_id)
        .order_by(Consent.kind)
    )


def consent_answers(participant_id: int) -> sa.Select:
    """Only what was answered (kind, given): what the overview's needs-attention list reads."""
    return sa.select(Consent.kind, Consent.given).where(Consent.participant_id == participant_id)


def fittings_for(participant_id: int) -> sa.Select:
    """Newest first: the first row is the chair they use now."""
    return (
        sa.select(EquipmentFitting)
        .options(joinedload(EquipmentFitting.recorded_by))
        .where(EquipmentFitting.participant_id == participant_id)
        .order_by(EquipmentFitting.fitted_on.desc(), EquipmentFitting.id.desc())
    )


def status_changes_for(participant_id: int) -> sa.Select:
    return (
        sa.select(StatusChange)
        .options(joinedload(StatusChange.changed_by))
        .where(StatusChange.participant_id == participant_id)
        .order_by(StatusChange.changed_on.desc(), StatusChange.id.desc())
    )


def notes_for(participant_id: int, *, shared_only: bool) -> sa.Select:
    stmt = (
        sa.select(Note)
        .options(joinedload(Note.author))
        .where(Note.participant_id == participant_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
    )
    if shared_only:
        stmt = stmt.where(Note.shared.is_(True))
    return stmt


def staff() -> sa.Select:
    """The centre's therapists and admins, for the therapist pickers."""
    return sa.select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.name, User.id)


# --- the caseload -------------------------------------------------------------------------------

STATUS_FILTERS = {
    "current": _l("Active, paused and graduated"),
    "active": _l("Active"),
    "paused": _l("Paused"),
    "graduated": _l("Graduated"),
    "withdrawn": _l("Withdrawn"),
    "all": _l("Everyone, withdrawn included"),
}
SORTS = {
    "name": _l("Family name, A to Z"),
    "-name": _l("Family name, Z to A"),
    "-enrolled": _l("Newest enrolment first"),
    "enrolled": _l("Oldest enrolment first"),
    "class": _l("Racing class"),
    "status": _l("Status"),
    "stage": _l("Ladder stage"),
}


# "stage=done": everyone who has reached every active stage (no current stage).
LADDER_DONE = "done"


@dataclass(frozen=True)
class CaseloadFilter:
    viewer_id: int
    mine: bool = True
    q: str = ""
    status: str = "current"
    therapist_id: int | None = None
    racing_class: RacingClass | None = None
    stage_id: int | None = None
    ladder_done: bool = False
    sort: str = "name"


def _name_matches(term: str) -> sa.ColumnElement[bool]:
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sa.or_(
        *(
            column.ilike(pattern, escape="\\")
            for column in (
                Participant.given_name,
                Participant.family_name,
                Participant.preferred_name,
            )
        )
    )


def caseload_conditions(f: CaseloadFilter) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of a caseload filter, shared by the list, its export and its panel."""
    conditions: list[sa.ColumnElement[bool]] = []
    if f.mine:
        conditions.append(Participant.therapist_id == f.viewer_id)
    elif f.therapist_id is not None:
        conditions.append(Participant.therapist_id == f.therapist_id)
    if f.status == "current":
        conditions.append(Participant.status != ParticipantStatus.WITHDRAWN)
    elif f.status in {s.value for s in ParticipantStatus}:
        conditions.append(Participant.status == ParticipantStatus(f.status))
    if f.racing_class is not None:
        conditions.append(Participant.racing_class == f.racing_class)
    if f.ladder_done:
        conditions.append(Participant.current_stage_id.is_(None))
    elif f.stage_id is not None:
        conditions.append(Participant.current_stage_id == f.stage_id)
    for term in f.q.split()[:5]:
        conditions.append(_name_matches(term[:80]))
    return conditions


def caseload(f: CaseloadFilter) -> sa.Select:
    stmt = (
        sa.select(Participant)
        .options(joinedload(Participant.therapist))
        .where(*caseload_conditions(f))
    )
    by_name = (Participant.family_name, Participant.given_name, Participant.id)
    if f.sort == "stage":
        # Furthest up the ladder last; nobody's current stage (ladder complete) at the very end.
        position = stages.source().position(Participant.current_stage_id)
        return stmt.order_by(position.is_(None), position, *by_name)
    order = {
        "name": by_name,
        "-name": tuple(column.desc() for column in by_name),
        "-enrolled": (Participant.enrolled_on.desc(), Participant.id.desc()),
        "enrolled": (Participant.enrolled_on, Participant.id),
        "class": (Participant.racing_class, *by_name),
        "status": (Participant.status, *by_name),
    }.get(f.sort, by_name)
    return stmt.order_by(*order)

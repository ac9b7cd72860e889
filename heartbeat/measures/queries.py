"""Select builders and small reads for the measures pages (centre-scoped by the request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from heartbeat.extensions import db
from heartbeat.measures.models import Measure, MeasureItem, MeasureResponse
from heartbeat.measures.scoring import Due, DueState, due_state
from heartbeat.participants.models import Participant

HISTORY_SHOWN = 24


def measures(*, include_retired: bool = False) -> sa.Select:
    stmt = sa.select(Measure).order_by(Measure.retired_at.is_not(None), Measure.id)
    return stmt if include_retired else stmt.where(Measure.retired_at.is_(None))


def measure_by_id(measure_id: int, *, with_items: bool = False) -> sa.Select:
    stmt = sa.select(Measure).where(Measure.id == measure_id)
    return stmt.options(selectinload(Measure.items)) if with_items else stmt


def response_by_id(response_id: int) -> sa.Select:
    return (
        sa.select(MeasureResponse)
        .options(
            joinedload(MeasureResponse.participant),
            joinedload(MeasureResponse.measure).selectinload(Measure.items),
            joinedload(MeasureResponse.completed_by),
        )
        .where(MeasureResponse.id == response_id)
    )


def items_of(measure_id: int) -> list[MeasureItem]:
    return list(
        db.session.scalars(
            sa.select(MeasureItem)
            .where(MeasureItem.measure_id == measure_id)
            .order_by(MeasureItem.position)
        )
    )


@dataclass(frozen=True)
class Standing:
    """Where one participant stands with one measure."""

    measure: Measure
    due: DueState
    last_at: datetime | None
    last_total: float | None
    open_response_id: int | None  # an unfinished response to continue


@cache
def _standings_statement() -> sa.Select:
    """Built once: the overview reads it on every visit, and building the window and the two
    subqueries costs more than running them. ``participant_id`` is bound per call."""
    participant_id = sa.bindparam("participant_id", type_=sa.Integer)
    ranked = (
        sa.select(
            MeasureResponse.measure_id,
            MeasureResponse.completed_at,
            MeasureResponse.total,
            sa.func.row_number()
            .over(
                partition_by=MeasureResponse.measure_id,
                order_by=(MeasureResponse.completed_at.desc(), MeasureResponse.id.desc()),
            )
            .label("rn"),
        )
        .where(
            MeasureResponse.participant_id == participant_id,
            MeasureResponse.completed_at.is_not(None),
        )
        .subquery()
    )
    latest = sa.select(ranked).where(ranked.c.rn == 1).subquery()
    unfinished = (
        sa.select(MeasureResponse.measure_id, sa.func.max(MeasureResponse.id).label("open_id"))
        .where(
            MeasureResponse.participant_id == participant_id,
            MeasureResponse.completed_at.is_(None),
        )
        .group_by(MeasureResponse.measure_id)
        .subquery()
    )
    return (
        measures()
        .add_columns(latest.c.completed_at, latest.c.total, unfinished.c.open_id)
        .outerjoin(latest, latest.c.measure_id == Measure.id)
        .outerjoin(unfinished, unfinished.c.measure_id == Measure.id)
    )


def standings(participant: Participant, *, today: date, tz: tzinfo) -> list[Standing]:
    """Every active measure for one participant: one query whatever their history.

    Each active measure comes with its latest completed response (window-ranked per measure)
    and its newest unfinished one, both outer-joined, so a measure never answered still comes
    back once.
    """
    rows = db.session.execute(_standings_statement(), {"participant_id": participant.id}).all()
    result = []
    for measure, last_at, last_total, open_id in rows:
        state = due_state(
            last_at.astimezone(tz).date() if last_at else None,
            participant.enrolled_on,
            today,
            measure.due_after_days,
            measure.overdue_after_days,
        )
        result.append(Standing(measure, state, last_at, last_total, open_id))
    return result


def due_now(standings_: list[Standing]) -> list[Standing]:
    return [s for s in standings_ if s.due.state != Due.NOT_YET]


def history(participant_id: int, measure_id: int) -> list[MeasureResponse]:
    """Completed responses, oldest first (the latest ``HISTORY_SHOWN``)."""
    rows = db.session.scalars(
        sa.select(MeasureResponse)
        .options(joinedload(MeasureResponse.completed_by))
        .where(
            MeasureResponse.participant_id == participant_id,
            MeasureResponse.measure_id == measure_id,
            MeasureResponse.completed_at.is_not(None),
        )
        .order_by(MeasureResponse.completed_at.desc(), MeasureResponse.id.desc())
        .limit(HISTORY_SHOWN)
    ).all()
    return list(reversed(rows))


def measures_with_results(participant_id: int) -> list[Measure]:
    answered = (
        sa.select(MeasureResponse.measure_id)
        .where(
            MeasureResponse.participant_id == participant_id,
            MeasureResponse.completed_at.is_not(None),
        )
        .distinct()
    )
    return list(
        db.session.scalars(
            sa.select(Measure)
            .where(Measure.id.in_(answered), Measure.retired_at.is_(None))
            .order_by(Measure.id)
        )
    )

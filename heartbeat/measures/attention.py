"""Needs attention from outcome measures: measures due or overdue, and a rise of at least the
smallest real change (WUSPI). Each list is a fixed number of queries whatever the caseload."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.participants import attention
from heartbeat.participants.models import Participant, ParticipantStatus


def _scheduled(centre_id: int) -> list[Measure]:
    return list(
        db.session.scalars(
            sa.select(Measure)
            .where(
                Measure.centre_id == centre_id,
                Measure.retired_at.is_(None),
                Measure.due_after_days.is_not(None),
            )
            .order_by(Measure.id)
        )
    )


def _done_since(measure: Measure, since) -> sa.Exists:
    return (
        sa.select(MeasureResponse.id)
        .where(
            MeasureResponse.participant_id == Participant.id,
            MeasureResponse.measure_id == measure.id,
            MeasureResponse.completed_at >= since,
        )
        .exists()
    )


def _due(q: attention.AttentionQuery) -> attention.Found:
    """Active participants with a scheduled measure due (or overdue): one query per list, with
    a column per scheduled measure (a centre has a handful)."""
    scheduled = _scheduled(q.centre_id)
    if not scheduled:
        return attention.Found([], 0)
    columns = []
    for measure in scheduled:
        due_days = measure.due_after_days or 0
        overdue_days = measure.overdue_after_days or due_days
        overdue = sa.and_(
            sa.not_(_done_since(measure, q.now - timedelta(days=overdue_days))),
            Participant.enrolled_on <= q.today - timedelta(days=overdue_days),
        )
        due = sa.not_(_done_since(measure, q.now - timedelta(days=due_days)))
        columns.append(sa.case((overdue, 2), (due, 1), else_=0).label(f"m{measure.id}"))
    rows = db.session.execute(
        sa.select(*attention.NAME_COLUMNS, *columns, q.total)
        .where(
            *q.people,
            Participant.status == ParticipantStatus.ACTIVE,
            sa.or_(*(column > 0 for column in columns)),
        )
        .order_by(Participant.family_name, Participant.id)
        .limit(q.limit)
    ).all()

    def facts(row) -> dict:
        mapping = row._mapping
        states = [(m.title, mapping[f"m{m.id}"]) for m in scheduled]
        return {
            "overdue": [title for title, state in states if state == 2],
            "due": [title for title, state in states if state == 1],
        }

    return attention.found(rows, facts)


def _rises(q: attention.AttentionQuery) -> attention.Found:
    """The latest total rose from the one before by at least the smallest real change."""
    ranked = (
        sa.select(
            MeasureResponse.participant_id,
            MeasureResponse.measure_id,
            MeasureResponse.total,
            MeasureResponse.completed_at,
            sa.func.row_number()
            .over(
                partition_by=(MeasureResponse.participant_id, MeasureResponse.measure_id),
                order_by=(MeasureResponse.completed_at.desc(), MeasureResponse.id.desc()),
            )
            .label("rn"),
        )
        .where(MeasureResponse.centre_id == q.centre_id, MeasureResponse.completed_at.is_not(None))
        .subquery()
    )
    latest = ranked.alias("latest")
    before = ranked.alias("before")
    rise = (latest.c.total - before.c.total).label("rise")
    rows = db.session.execute(
        sa.select(
            *attention.NAME_COLUMNS,
            Measure.title,
            latest.c.total.label("latest_total"),
            before.c.total.label("previous_total"),
            latest.c.completed_at,
            rise,
            q.total,
        )
        .join(latest, sa.and_(latest.c.participant_id == Participant.id, latest.c.rn == 1))
        .join(
            before,
            sa.and_(
                before.c.participant_id == Participant.id,
                before.c.measure_id == latest.c.measure_id,
                before.c.rn == 2,
            ),
        )
        .join(Measure, Measure.id == latest.c.measure_id)
        .where(
            *q.people,
            Measure.retired_at.is_(None),
            Measure.higher_is_worse.is_(True),
            Measure.smallest_real_change.is_not(None),
            # Compared at one decimal, as the totals are shown (5.05 counts as 5.1).
            latest.c.total - before.c.total >= Measure.smallest_real_change - 0.05,
        )
        .order_by(rise.desc(), Participant.id)
        .limit(q.limit)
    ).all()
    return attention.found(
        rows,
        lambda row: {
            "measure": row.title,
            "latest": row.latest_total,
            "previous": row.previous_total,
            "at": row.completed_at,
        },
    )


def register() -> None:
    attention.register_rule(
        attention.AttentionRule(
            "measure_rise",
            25,
            _l("Outcome measure worse by a real change"),
            _l(
                "The latest total rose from the one before by at least the smallest real change"
                " (WUSPI: 5.1 points)."
            ),
            "measures/attention_rise.html",
            _rises,
        )
    )
    attention.register_rule(
        attention.AttentionRule(
            "measures_due",
            55,
            _l("Questionnaires and checklists due"),
            _l("A scheduled outcome measure is due or overdue."),
            "measures/attention_due.html",
            _due,
        )
    )

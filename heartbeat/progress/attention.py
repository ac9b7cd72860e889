"""What progress adds to the caseload's "needs attention" panel (``participants.attention``):
awards waiting for a therapist, and training-load jumps while pain rises."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from heartbeat.core.i18n import _, _l
from heartbeat.extensions import db
from heartbeat.participants import attention
from heartbeat.participants.attention import AttentionQuery, AttentionRule, Found, Item
from heartbeat.participants.models import Participant
from heartbeat.progress import rules
from heartbeat.progress.models import Award
from heartbeat.progress.services import FACT_COLUMNS, fact_from_row
from heartbeat.training.models import SessionKind, TrainingSession

_DISTANCE_KINDS = [SessionKind(kind) for kind in sorted(rules.DISTANCE_KINDS)]


def _awards(q: AttentionQuery) -> Found:
    waiting = (
        sa.select(
            Award.participant_id,
            sa.func.sum(sa.case((Award.verified_at.is_(None), 1), else_=0)).label("unverified"),
            sa.func.sum(sa.case((Award.needs_review.is_(True), 1), else_=0)).label("review"),
        )
        .where(
            Award.centre_id == q.centre_id,
            sa.or_(Award.verified_at.is_(None), Award.needs_review.is_(True)),
        )
        .group_by(Award.participant_id)
        .subquery()
    )
    count = waiting.c.unverified + waiting.c.review
    rows = db.session.execute(
        sa.select(
            *attention.NAME_COLUMNS,
            waiting.c.unverified,
            waiting.c.review,
            q.total,
            sa.func.sum(count).over().label("awards"),
        )
        .join(waiting, waiting.c.participant_id == Participant.id)
        .where(*q.people)
        .order_by(count.desc(), Participant.family_name, Participant.id)
        .limit(q.limit)
    ).all()
    listed = attention.found(
        rows, lambda row: {"unverified": int(row.unverified), "review": int(row.review)}
    )
    waiting_awards = int(rows[0].awards) if rows else 0
    link = (
        url_for("progress.pending_awards"),
        _("Verify awards (%(count)s waiting)", count=waiting_awards),
    )
    return Found(listed.items, listed.total, link)


def _load(q: AttentionQuery) -> Found:
    """The load warning of ``progress.rules``, asked only of participants who could trip it.

    SQL narrows the field with the same windows (the last 7 local days against the 28 before):
    enough distance lately to be a jump, and pain scores in both windows to compare. The rule
    itself then decides on those few participants' sessions, all read in this one query.
    """
    recent_from = q.local_midnight(q.today - timedelta(days=6))
    baseline_from = recent_from - timedelta(weeks=rules.LOAD_BASELINE_WEEKS)
    until = q.local_midnight(q.today + timedelta(days=1))
    recent = TrainingSession.started_at >= recent_from
    distance = sa.case(
        (TrainingSession.kind.in_(_DISTANCE_KINDS), TrainingSession.distance_m), else_=0.0
    )
    recent_m = sa.func.sum(sa.case((recent, distance), else_=0.0))
    baseline_m = sa.func.sum(sa.case((recent, 0.0), else_=distance))
    with_pain = TrainingSession.pain.is_not(None)
    window = sa.and_(
        TrainingSession.centre_id == q.centre_id,
        TrainingSession.started_at >= baseline_from,
        TrainingSession.started_at < until,
    )
    slack = 1.0  # metres: SQL sums floats in another order than Python; the rule decides exactly
    # Two plain queries rather than one with a subquery: on tables without statistics yet (a
    # fresh import) PostgreSQL nested the subquery inside the join and took minutes.
    candidates = db.session.scalars(
        sa.select(TrainingSession.participant_id)
        .where(window)
        .group_by(TrainingSession.participant_id)
        .having(
            recent_m >= rules.LOAD_MIN_INCREASE_M - slack,
            recent_m * rules.LOAD_BASELINE_WEEKS >= rules.LOAD_RATIO * baseline_m - slack,
            sa.func.count(sa.case((sa.and_(recent, with_pain), 1))) > 0,
            sa.func.count(sa.case((sa.and_(sa.not_(recent), with_pain), 1))) > 0,
        )
    ).all()
    rows = db.session.execute(
        sa.select(TrainingSession.participant_id, *FACT_COLUMNS, *attention.NAME_COLUMNS[1:])
        .join(Participant, Participant.id == TrainingSession.participant_id)
        .where(window, *q.people, TrainingSession.participant_id.in_(candidates))
        .order_by(TrainingSession.participant_id, TrainingSession.started_at)
    ).all()
    by_participant: dict[int, list] = defaultdict(list)
    for row in rows:
        by_participant[row.participant_id].append(row)
    warned: list[Item] = []
    for participant_id, sessions in by_participant.items():
        warning = rules.load_warning([fact_from_row(row) for row in sessions], q.today, q.tz)
        if warning is not None:
            first = sessions[0]
            warned.append(Item(participant_id, attention.display_name(first), {"warning": warning}))
    warned.sort(key=lambda item: (-(item.facts["warning"].ratio or 0), item.name))
    return Found(warned[: q.limit], len(warned))


def register() -> None:
    attention.register_rule(
        AttentionRule(
            "load",
            30,
            _l("Training load jumped"),
            _l(
                "Last 7 days well above the weekly average of the 4 weeks before, "
                "while pain is rising."
            ),
            "progress/attention/load.html",
            _load,
        )
    )
    attention.register_rule(
        AttentionRule(
            "awards",
            40,
            _l("Awards waiting"),
            _l("Milestones waiting for a therapist to verify or review them."),
            "progress/attention/awards.html",
            _awards,
        )
    )

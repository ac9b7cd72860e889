"""The red flags waiting for acknowledgement: the first list of the caseload's needs attention."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.participants import attention
from heartbeat.participants.models import Participant
from heartbeat.safety.models import RedFlag


def _red_flags(q: attention.AttentionQuery) -> attention.Found:
    """People with an open red flag, the longest waiting first: one aggregate query."""
    flags = (
        sa.select(
            RedFlag.participant_id,
            sa.func.count().label("open_count"),
            sa.func.min(RedFlag.raised_at).label("since"),
            sa.func.min(RedFlag.id).label("first_id"),
        )
        .where(RedFlag.centre_id == q.centre_id, RedFlag.acknowledged_at.is_(None))
        .group_by(RedFlag.participant_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            *attention.NAME_COLUMNS, flags.c.open_count, flags.c.since, flags.c.first_id, q.total
        )
        .join(flags, flags.c.participant_id == Participant.id)
        .where(*q.people)
        .order_by(flags.c.since, Participant.id)
        .limit(q.limit)
    ).all()
    return attention.found(
        rows,
        lambda row: {"count": row.open_count, "since": row.since, "flag_id": row.first_id},
    )


def register() -> None:
    attention.register_rule(
        attention.AttentionRule(
            "red_flags",
            0,  # before everything else
            _l("Red flags: symptoms reported"),
            _l("Possible autonomic dysreflexia reported with a session, not yet acknowledged."),
            "safety/attention_red_flags.html",
            _red_flags,
            urgent=True,  # the digest's subject names it, and lists it first
        )
    )

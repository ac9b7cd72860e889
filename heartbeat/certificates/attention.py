"""What certificates add to the caseload's "needs attention" panel: certificates expiring in
the next 30 days (a stage with a validity period, such as a clearance renewed yearly)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from heartbeat.certificates.models import Certificate
from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.participants import attention
from heartbeat.participants.attention import AttentionQuery, AttentionRule, Found
from heartbeat.participants.models import Participant

EXPIRING_WITHIN_DAYS = 30


def _expiring(q: AttentionQuery) -> Found:
    soon = (
        sa.select(
            Certificate.participant_id,
            sa.func.min(Certificate.valid_until).label("first"),
            sa.func.count().label("certificates"),
        )
        .where(
            Certificate.centre_id == q.centre_id,
            Certificate.revoked_at.is_(None),
            Certificate.valid_until.is_not(None),
            Certificate.valid_until > q.now,
            Certificate.valid_until <= q.now + timedelta(days=EXPIRING_WITHIN_DAYS),
        )
        .group_by(Certificate.participant_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(*attention.NAME_COLUMNS, soon.c.first, soon.c.certificates, q.total)
        .join(soon, soon.c.participant_id == Participant.id)
        .where(*q.people)
        .order_by(soon.c.first, Participant.family_name, Participant.id)
        .limit(q.limit)
    ).all()
    return attention.found(
        rows,
        lambda row: {
            "expires_on": row.first.astimezone(q.tz).date(),
            "certificates": int(row.certificates),
        },
    )


def register() -> None:
    attention.register_rule(
        AttentionRule(
            "expiring",
            45,
            _l("Certificates expiring"),
            _l(
                "Certificates that expire in the next %(days)s days: renew them after a new "
                "sign-off.",
                days=EXPIRING_WITHIN_DAYS,
            ),
            "certificates/attention/expiring.html",
            _expiring,
        )
    )

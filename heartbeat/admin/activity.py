"""What the operator's list of centres says about each centre's use, in three bounded queries.

"Active" means did something in the period, not merely signed in: a member of staff or a
participant's login who recorded or changed anything (each such change is in the audit trail,
with them as its actor), and participants who trained (a session of theirs started in the
period, whoever logged it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.training.models import TrainingSession

ACTIVITY_DAYS = 30


@dataclass(frozen=True)
class CentreActivity:
    accounts: int = 0  # accounts that can sign in
    people_acting: int = 0  # accounts of the centre that recorded or changed something
    participants_training: int = 0  # participants with a session in the period


def _counts(stmt: sa.Select[Any, Any]) -> dict[int, int]:
    rows = db.session.execute(stmt.execution_options(all_centres=True)).all()
    return {int(row[0]): int(row[1]) for row in rows}


def centre_activity(centre_ids: Sequence[int], now: datetime) -> dict[int, CentreActivity]:
    since = now - timedelta(days=ACTIVITY_DAYS)
    ids = list(centre_ids)
    accounts = _counts(
        sa.select(User.centre_id, sa.func.count())
        .where(User.active, User.centre_id.in_(ids))
        .group_by(User.centre_id)
    )
    acting = _counts(
        sa.select(AuditEvent.centre_id, sa.func.count(sa.distinct(AuditEvent.actor_id)))
        .join(User, User.id == AuditEvent.actor_id)
        # The centre's own people: an operator acting in a centre's trail is not its activity.
        .where(AuditEvent.centre_id.in_(ids), User.centre_id == AuditEvent.centre_id)
        .where(AuditEvent.at >= since)
        .group_by(AuditEvent.centre_id)
    )
    training = _counts(
        sa.select(
            TrainingSession.centre_id, sa.func.count(sa.distinct(TrainingSession.participant_id))
        )
        .where(TrainingSession.centre_id.in_(ids), TrainingSession.started_at >= since)
        .group_by(TrainingSession.centre_id)
    )
    return {
        centre_id: CentreActivity(
            accounts.get(centre_id, 0), acting.get(centre_id, 0), training.get(centre_id, 0)
        )
        for centre_id in ids
    }

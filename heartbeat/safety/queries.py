"""Select builders for red flags, each eager-loading what its page shows (centre-scoped)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.safety.models import RedFlag

NEWEST_FIRST = (RedFlag.raised_at.desc(), RedFlag.id.desc())


def flag_by_id(flag_id: int) -> sa.Select:
    return (
        sa.select(RedFlag)
        .options(
            joinedload(RedFlag.participant),
            joinedload(RedFlag.raised_by),
            joinedload(RedFlag.acknowledged_by),
        )
        .where(RedFlag.id == flag_id)
    )


def flags_for(participant_id: int) -> sa.Select:
    """A participant's flags, open ones first, then newest first."""
    return (
        sa.select(RedFlag)
        .options(joinedload(RedFlag.raised_by), joinedload(RedFlag.acknowledged_by))
        .where(RedFlag.participant_id == participant_id)
        .order_by(RedFlag.acknowledged_at.is_not(None), *NEWEST_FIRST)
    )


def flag_for_session(session_id: int) -> sa.Select:
    return sa.select(RedFlag).where(RedFlag.session_id == session_id).order_by(RedFlag.id).limit(1)

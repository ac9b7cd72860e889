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


def flag_for_session(session_id: int, *, newest: bool = False) -> sa.Select:
    """The first flag raised with a session (with ``newest``, the latest: an edit can add one)."""
    order = RedFlag.id.desc() if newest else RedFlag.id
    return sa.select(RedFlag).where(RedFlag.session_id == session_id).order_by(order).limit(1)


def flags_of_session(session_id: int, *, limit: int) -> sa.Select:
    """The flags raised with one session, newest first (the edit form lists them)."""
    return (
        sa.select(RedFlag)
        .where(RedFlag.session_id == session_id)
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.auth import sessions
from heartbeat.auth.models import User
from heartbeat.extensions import db


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id is "<user id>:<session version>:<device nonce>".

    A cookie minted before the user's last "sign out everywhere", password change or
    deactivation carries an older version, and one of a browser that signed out names an ended
    device session (``sessions.py``): either opens nothing. One query either way.
    """
    parts = sessions.split_id(user_id)
    if parts is None:
        return None
    uid, version, device = parts
    stmt = (
        sa.select(User)
        .options(joinedload(User.centre))
        .where(User.id == uid)
        .execution_options(all_centres=True)
    )
    if device is not None:
        stmt = stmt.where(sessions.open_device_clause(device))
    user = db.session.scalars(stmt).one_or_none()
    if user is None or user.session_version != version or not user.active:
        return None
    setattr(user, "device_nonce", device)  # noqa: B010  (not a column: read by get_id)
    return user

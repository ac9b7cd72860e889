from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.auth.models import User
from heartbeat.extensions import db


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id is "<user id>:<session version>".

    A cookie minted before the user's last sign-out, password change or deactivation carries an
    older version and so opens nothing.
    """
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    stmt = (
        sa.select(User)
        .options(joinedload(User.centre))
        .where(User.id == uid)
        .execution_options(all_centres=True)
    )
    user = db.session.scalars(stmt).one_or_none()
    if user is None or user.session_version != version or not user.active:
        return None
    return user

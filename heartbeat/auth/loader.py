from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.auth import sessions
from heartbeat.auth.models import User
from heartbeat.extensions import db


@cache
def _user_statement(with_device: bool) -> sa.Select[User]:
    """Built once per shape: every signed-in request runs it, and building it each time cost
    more than running it. ``user_id`` and ``nonce_hash`` are bound per call."""
    stmt = (
        sa.select(User)
        .options(joinedload(User.centre))
        .where(User.id == sa.bindparam("user_id", type_=sa.Integer))
        .execution_options(all_centres=True)
    )
    if with_device:
        stmt = stmt.where(sessions.open_device_clause(sa.bindparam("nonce_hash", type_=sa.String)))
    return stmt


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
    params: dict[str, object] = {"user_id": uid}
    if device is not None:
        params["nonce_hash"] = sessions.digest(device)
    user = db.session.scalars(_user_statement(device is not None), params).one_or_none()
    if user is None or user.session_version != version or not user.active:
        return None
    setattr(user, "device_nonce", device)  # noqa: B010  (not a column: read by get_id)
    return user

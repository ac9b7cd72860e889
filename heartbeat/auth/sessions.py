"""Signed-in browsers ("device sessions"): plain functions that flush, never commit.

Each sign-in makes a random nonce that rides in the browser's session and remember-me cookies
(as the third part of Flask-Login's user id, ``User.get_id``); only its SHA-256 digest is kept
(``DeviceSession``). The loader accepts a cookie only while its device session is open and the
user's ``session_version`` matches. So:

- **Sign out** ends this browser's device session: a copy of its cookies opens nothing, and the
  person's other devices stay signed in (a shared clinic computer signs out only itself).
- **Sign out everywhere** bumps the session version (every cookie of every device stops
  working) and closes every open device session; it is audited (``sessions_ended``).
- A password change, two-factor on or off, and deactivation bump the version as before.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, session

from heartbeat.auth import services
from heartbeat.auth.models import DeviceSession, User
from heartbeat.extensions import db


def digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def split_id(user_id: str) -> tuple[int, int, str | None] | None:
    """The parts of a cookie's user id: the user, the session version and the device nonce
    (None for a cookie made before device sessions)."""
    parts = user_id.split(":")
    if len(parts) not in (2, 3):
        return None
    try:
        uid, version = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    device = parts[2] if len(parts) == 3 else None
    if device is not None and not 16 <= len(device) <= 64:
        return None
    return uid, version, device


def start(user: User, now: datetime) -> None:
    """A new device session for the browser about to be signed in (before ``login_user``)."""
    nonce = secrets.token_urlsafe(24)
    _prune(user, now)
    db.session.add(DeviceSession(user_id=user.id, nonce_hash=digest(nonce), created_at=now))
    db.session.flush()
    setattr(user, "device_nonce", nonce)  # noqa: B010  (not a column: read by get_id)


def _prune(user: User, now: datetime) -> None:
    # Ended sessions, and open ones older than any cookie can live, are of no further use.
    oldest = now - max(
        current_app.config["REMEMBER_COOKIE_DURATION"],
        timedelta(hours=current_app.config["HEARTBEAT_SESSION_MAX_HOURS"]),
    )
    db.session.execute(
        sa.delete(DeviceSession).where(
            DeviceSession.user_id == user.id,
            sa.or_(DeviceSession.ended_at.is_not(None), DeviceSession.created_at < oldest),
        )
    )


def _this_device() -> str | None:
    parts = split_id(str(session.get("_user_id") or ""))
    return parts[2] if parts is not None else None


def end_this_one(user: User, now: datetime) -> None:
    """Sign out: this browser's device session ends; the person's other devices carry on."""
    nonce = _this_device()
    if nonce is None:  # a cookie from before device sessions: only the old way ends it
        services.end_all_sessions(user)
        return
    db.session.execute(
        sa.update(DeviceSession)
        .where(DeviceSession.nonce_hash == digest(nonce), DeviceSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_everywhere(user: User, now: datetime) -> None:
    """Sign out everywhere: every cookie of every device stops working; audited."""
    db.session.execute(
        sa.update(DeviceSession)
        .where(DeviceSession.user_id == user.id, DeviceSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    services.sign_out_everywhere(user, now)


def open_device_clause(nonce_hash: sa.BindParameter[str]) -> sa.ColumnElement[bool]:
    """For the loader's query of ``User``: the device session whose nonce hashes to
    ``nonce_hash`` (a bound parameter, see ``digest``) is still open."""
    return sa.exists().where(
        DeviceSession.user_id == User.id,
        DeviceSession.nonce_hash == nonce_hash,
        DeviceSession.ended_at.is_(None),
    )

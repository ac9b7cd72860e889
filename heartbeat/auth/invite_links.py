"""An invitation's link: a signed token holding the invitation's id and a random nonce, of which
only a SHA-256 digest is stored (the nonce has 192 bits: a digest cannot be reversed by guessing).

The id lets a link that was replaced ("Renew link") say so, instead of looking forged. Links made
before the id was added hold the nonce alone, and still work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from heartbeat.auth.models import Invite
from heartbeat.extensions import db


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="heartbeat.invite")


def digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@dataclass(frozen=True)
class NewLink:
    token: str  # the link's secret part: shown or emailed, never stored
    token_hash: str  # what the invitation keeps


def new_link(invite_id: int) -> NewLink:
    nonce = secrets.token_urlsafe(24)
    return NewLink(token=_serializer().dumps([invite_id, nonce]), token_hash=digest(nonce))


@dataclass(frozen=True)
class Found:
    invite: Invite | None  # the invitation this link opens
    replaced: bool = False  # the link named an invitation that has a newer link since


def find(token: str) -> Found:
    """The invitation a link opens, whatever its state; nothing for a forged token."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return Found(None)
    if isinstance(payload, str):  # a link made before links held the invitation's id
        stmt = sa.select(Invite).where(Invite.token_hash == digest(payload))
        return Found(db.session.scalars(stmt.execution_options(all_centres=True)).one_or_none())
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        return Found(None)
    invite_id, nonce = payload
    stmt = sa.select(Invite).where(Invite.id == invite_id)
    invite = db.session.scalars(stmt.execution_options(all_centres=True)).one_or_none()
    if invite is None:
        return Found(None)
    if not hmac.compare_digest(invite.token_hash, digest(nonce)):
        return Found(None, replaced=True)
    return Found(invite)

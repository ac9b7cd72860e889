"""Personal access tokens for the API: issued, found, used and revoked. Plain functions that flush,
never commit (``note_use`` excepted: it writes on its own connection, see there).

A token is ``hbm_`` and 32 random bytes (base64url). Only its SHA-256 digest is stored: the
secret has 256 bits of entropy, so a digest cannot be reversed by guessing and needs no slow,
salted hash (unlike a password). Its first characters are kept in clear as its ``prefix``, so a
person can tell their tokens apart. A token acts as its user, and stops working when it expires,
is revoked, or its user is deactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.auth.models import ApiToken, Role, TokenScope, User
from heartbeat.auth.services import AccountError
from heartbeat.core.i18n import _
from heartbeat.extensions import db

TOKEN_PREFIX = "hbm_"  # noqa: S105  (a marker, not a secret)
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
MAX_DAYS = 366
DEFAULT_DAYS = 90
NAME_LENGTH = 80
# A token's last use is written at most this often: a script polling every second does not
# write to the database on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_LONGEST_TOKEN = 100


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_for(user: User) -> tuple[TokenScope, ...]:
    """Participants read their own data only; staff may also write."""
    if user.role == Role.PARTICIPANT:
        return (TokenScope.READ,)
    return (TokenScope.READ, TokenScope.WRITE)


def issue_token(
    user: User, *, name: str, scope: TokenScope, days: int, now: datetime
) -> IssuedToken:
    name = " ".join((name or "").split())
    if not name:
        raise AccountError(_("Give the token a name, such as the script or device that uses it."))
    if len(name) > NAME_LENGTH:
        raise AccountError(_("Use at most %(num)s characters for the name.", num=NAME_LENGTH))
    if scope not in scopes_for(user):
        raise AccountError(_("A participant's token can only read their own data."))
    if not 1 <= days <= MAX_DAYS:
        raise AccountError(_("A token lasts from 1 to %(num)s days.", num=MAX_DAYS))
    if not user.active:
        raise AccountError(_("This account is deactivated."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=digest(secret),
        scope=scope,
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    return IssuedToken(token=token, secret=secret)


def find_usable_token(secret: str, now: datetime) -> ApiToken | None:
    """The active token ``secret`` is, with its user and centre loaded; None otherwise.

    Unknown, expired and revoked tokens and deactivated users all answer None.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > _LONGEST_TOKEN:
        return None
    wanted = digest(secret)
    token = db.session.scalars(
        sa.select(ApiToken)
        .options(joinedload(ApiToken.user).joinedload(User.centre))
        .where(ApiToken.token_hash == wanted)
        .execution_options(all_centres=True)
    ).one_or_none()
    # The index found it by digest; compare again in constant time all the same.
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    if token.state(now) != "active" or not token.user.active:
        return None
    return token


def note_use(token: ApiToken, now: datetime) -> None:
    """Record when the token was last used, at most once a minute.

    Written and committed on a connection of its own: a request that only reads keeps its own
    transaction free of writes, and the time is kept even if the request then fails.
    """
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
        )


def tokens_of(user: User) -> list[ApiToken]:
    """A person's tokens, newest first (an operator's too, who belongs to no centre)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
            .execution_options(all_centres=True)
        )
    )


def token_of(user: User, token_id: int) -> ApiToken | None:
    return db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        .execution_options(all_centres=True)
    ).one_or_none()


def revoke_token(token: ApiToken, now: datetime) -> bool:
    """Stop ``token`` working; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    db.session.flush()
    return True

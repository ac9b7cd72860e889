"""Who is calling: a personal access token in ``Authorization: Bearer``, and nothing else.

The session cookie is never read under ``/api/`` (``core.hooks.own_authentication``): a request
is anonymous until ``authenticate`` finds its token, which then stands for its user everywhere
a web request's signed-in user would (``current_user``, the centre scope, the permission table)
and marks the audit trail "via API". No cookie opens anything here, so there is nothing for a
cross-site request to borrow (and so no CSRF check either).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from heartbeat.api.problems import fail
from heartbeat.audit import services as audit
from heartbeat.auth import tokens
from heartbeat.auth.models import ApiToken
from heartbeat.db import NO_CENTRE, set_centre_scope, utcnow
from heartbeat.extensions import db

security_log = logging.getLogger("heartbeat.security")
CHALLENGE = 'Bearer realm="Heartbeat Miles API"'


def presented_token() -> str | None:
    """The bearer token of this request, if it sent one."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def authenticate() -> None:
    """The API blueprint's first hook: the token's user acts for this request, or 401."""
    audit.mark_via("api")
    secret = presented_token()
    if secret is None:
        _unauthorized("no token", None)
    now = utcnow()
    token = tokens.find_usable_token(secret, now)
    if token is None:
        _unauthorized("unknown, expired or revoked token", "invalid_token")
    tokens.note_use(token, now)
    user = token.user
    g._login_user = user  # Flask-Login's current_user, as if signed in
    g.api_token = token
    set_centre_scope(user.centre_id if user.centre_id is not None else NO_CENTRE)


def require_json_body() -> None:
    """A body that is not JSON is refused as such (415), not read as an empty one."""
    sends_body = request.method in ("POST", "PUT", "PATCH") and request.content_length
    if sends_body and not request.is_json:
        fail(415)


def _unauthorized(reason: str, error: str | None) -> NoReturn:
    security_log.info("API token refused", extra={"reason": reason})
    challenge = CHALLENGE + (f', error="{error}"' if error else "")
    fail(401, headers={"WWW-Authenticate": challenge})


def current_token() -> ApiToken:
    return g.api_token


def actor():
    return current_user._get_current_object()


def writes(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view that changes records: only a token with the write scope may call it."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_token().can_write:
            security_log.warning(
                "authorisation refused",
                extra={"action": "api.write", "reason": "read-only token", "user_id": actor().id},
            )
            fail(403, "This token can only read: make one that may also write.")
        return view(*args, **kwargs)

    return wrapped


def rate_limit_key() -> str:
    """Each token its own budget (keyed by a digest: no token is written to the limiter's
    store); requests without one share their address's."""
    secret = presented_token()
    if secret is None:
        return f"address:{get_remote_address()}"
    return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def commit() -> None:
    db.session.commit()

"""Forgotten passwords: single-use, short-lived reset links. Plain functions that flush.

A link is ``/reset/<secret>``: 32 random bytes, of which only the SHA-256 digest is stored (as
for API tokens: a digest of that much entropy cannot be reversed by guessing). It works once,
for ``HEARTBEAT_RESET_MINUTES``, and only for an active account; making a new one retires the
person's earlier ones. Using it sets the new password under the password policy, ends every
session of the account (``end_all_sessions``), lifts the guessing lockout (the owner proved they
hold the mailbox), and is audited (``password_reset_used``; the trail records it).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from heartbeat.auth import guard, services
from heartbeat.auth.models import PasswordReset, User
from heartbeat.auth.viewer import language_of_account
from heartbeat.core.events import event
from heartbeat.core.i18n import _, _l, speaking
from heartbeat.core.public_url import public_url_for
from heartbeat.db import rows_changed
from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind
from heartbeat.outbox.services import queue_email

security_log = logging.getLogger("heartbeat.security")

reset_link_made = event(
    "auth.reset-link-made",
    "An admin made a password reset link (sender: the reset, flushed; user, actor, now).",
)
reset_used = event(
    "auth.reset-used", "A password was reset with a link (sender: the reset; user, now)."
)

_LONGEST_SECRET = 100
UNUSABLE = {
    "used": _l("This reset link has already been used. Ask for a new one if you still need it."),
    "expired": _l("This reset link has expired. Ask for a new one below."),
    "inactive": _l("This account is deactivated. Ask your centre's admin for help."),
}


@dataclass(frozen=True)
class IssuedReset:
    reset: PasswordReset
    secret: str  # in the link only: never stored

    @property
    def link(self) -> str:
        return public_url_for("auth.reset_password", secret=self.secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user: User, now: datetime, *, actor: User | None = None) -> IssuedReset:
    """A new reset link for ``user``; their earlier unused ones stop working."""
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    secret = secrets.token_urlsafe(32)
    reset = PasswordReset(
        user_id=user.id,
        token_hash=_digest(secret),
        created_by_id=actor.id if actor is not None else None,
        expires_at=now + timedelta(minutes=int(current_app.config["HEARTBEAT_RESET_MINUTES"])),
        created_at=now,
    )
    db.session.add(reset)
    db.session.flush()
    if actor is not None:
        reset_link_made.send(reset, user=user, actor=actor, now=now)
    return IssuedReset(reset, secret)


def request_reset(email: str, now: datetime) -> None:
    """ "Forgot your password?": email a link if ``email`` is an active account's, else nothing.

    The caller answers the same either way, and the outbox sends in the background, so the
    answer says nothing about the address (the view also evens out the time it takes).
    """
    user = services.find_user_by_email(email)
    if user is None or not user.active:
        security_log.info("password reset asked for an unknown or inactive account")
        return
    issued = issue(user, now)
    language = language_of_account(user)
    with speaking(language):
        queue_email(
            kind=EmailKind.PASSWORD_RESET,
            to=user.email,
            subject=_("Reset your Heartbeat Miles password"),
            template="password_reset",
            context={
                "name": user.name,
                "link": issued.link,
                "minutes": current_app.config["HEARTBEAT_RESET_MINUTES"],
            },
            centre_id=user.centre_id,
            user_id=user.id,
            now=now,
            language=language,
        )
    security_log.info("password reset link emailed", extra={"user_id": user.id})


def find(secret: str) -> PasswordReset | None:
    """The reset a link names, whatever its state; None for an unknown secret."""
    if not secret or len(secret) > _LONGEST_SECRET:
        return None
    wanted = _digest(secret)
    reset = db.session.scalars(
        sa.select(PasswordReset)
        .where(PasswordReset.token_hash == wanted)
        .execution_options(all_centres=True)
    ).one_or_none()
    if reset is None or not hmac.compare_digest(reset.token_hash, wanted):
        return None
    return reset


def owner(reset: PasswordReset) -> User:
    return db.session.scalars(
        sa.select(User).where(User.id == reset.user_id).execution_options(all_centres=True)
    ).one()


def state(reset: PasswordReset, user: User, now: datetime) -> str:
    """ "usable", "used", "expired" or "inactive" (a deactivated account)."""
    found = reset.state(now)
    if found == "usable" and not user.active:
        return "inactive"
    return found


def use(reset: PasswordReset, new_password: str, now: datetime) -> User:
    """Set the new password with the link, once. Raises ``AccountError`` (the policy, or a link
    that can no longer be used)."""
    user = owner(reset)
    found = state(reset, user, now)
    if found != "usable":
        raise services.AccountError(str(UNUSABLE[found]))
    services.set_password(user, new_password)  # the policy; ends every session
    # Used exactly once, even when two tabs send the form at the same moment.
    claimed = db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claimed) != 1:
        raise services.AccountError(str(UNUSABLE["used"]))
    guard.unlock(user)
    reset_used.send(reset, user=user, now=now)
    security_log.info("password reset with a link", extra={"user_id": user.id})
    return user

"""Protection against password guessing that hands an attacker no way to lock anyone out.

The old rule (five wrong passwords lock the account for fifteen minutes) let anyone who knew an
address keep its owner out for good. Now:

- Each *source* (a client address, its /64 for IPv6; or a device the account signed in from
  before, known by a signed cookie) gets its own count per account: after
  ``HEARTBEAT_LOCKOUT_THRESHOLD`` wrong passwords in ``HEARTBEAT_LOCKOUT_MINUTES``, that source
  alone is refused for that account for as long. Anyone else still signs in.
- Guesses spread over many addresses are slowed per account: past
  ``HEARTBEAT_SLOWDOWN_THRESHOLD`` wrong passwords from sources the account does not know, such
  sources may try once per delay that doubles up to ``HEARTBEAT_SLOWDOWN_MAX_SECONDS``. A device
  the owner signed in from before is never slowed, so the owner is not held up by it.
- The first time either happens (at most once per ``HEARTBEAT_GUESSING_ALERT_HOURS``), the owner
  is emailed that someone is trying to sign in as them.

Plain functions that write and never commit; the views commit at once and send the email after.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.wrappers import Response

from heartbeat.auth.models import SignInGuard, User
from heartbeat.auth.viewer import language_of_account
from heartbeat.core.i18n import _, speaking
from heartbeat.db import rows_changed
from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind
from heartbeat.outbox.services import queue_email

security_log = logging.getLogger("heartbeat.security")

DEVICE_COOKIE = "heartbeat_device"
# Behind HTTPS: Secure, Path=/ and no Domain, so no sibling host can plant one.
DEVICE_COOKIE_HTTPS = "__Host-device"
DEVICE_DAYS = 180


@dataclass(frozen=True)
class Client:
    """Who is trying: their address, and the account a device cookie they hold vouches for."""

    address: str
    device_user_id: int | None = None
    device_nonce: str | None = None


# --- sources --------------------------------------------------------------------------------------


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="heartbeat.device")


def client_from_request() -> Client:
    address = request.remote_addr or "unknown"
    raw = request.cookies.get(_cookie_name())
    if raw:
        try:
            payload = _device_serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("u"), int):
            return Client(address, payload["u"], str(payload.get("n", ""))[:40])
    return Client(address)


def remember_device(response: Response, user: User) -> Response:
    """After a full sign-in: this browser is a device the account knows from now on."""
    value = _device_serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(12)})
    response.set_cookie(
        _cookie_name(),
        value,
        max_age=DEVICE_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["HEARTBEAT_HTTPS"]),
    )
    return response


def _cookie_name() -> str:
    return DEVICE_COOKIE_HTTPS if current_app.config["HEARTBEAT_HTTPS"] else DEVICE_COOKIE


def _address_key(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        # One IPv6 customer usually holds a whole /64: counted as one source.
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def source_of(user: User, client: Client) -> tuple[str, bool]:
    """(source key, whether the account knows this source)."""
    if client.device_user_id == user.id and client.device_nonce:
        return f"device:{client.device_nonce}", True
    key = hashlib.sha256(b"heartbeat-miles/sign-in-source/" + _secret()).digest()
    digest = hmac.new(key, _address_key(client.address).encode(), "sha256").hexdigest()
    return f"addr:{digest[:40]}", False


def _secret() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return secret.encode() if isinstance(secret, str) else secret


# --- the rules ------------------------------------------------------------------------------------
#
# Every write below is one statement computed by the database from the row as it is (``+ 1``,
# ``CASE``): attempts at the same moment each count, instead of all writing what they read
# before hashing. They run after the password check, so the write lock is held for
# milliseconds.


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["HEARTBEAT_LOCKOUT_MINUTES"])


def _at(column, moment: datetime):
    return sa.literal(moment, column.type)


def _this_user(user: User):
    """An UPDATE of ``user``'s row alone; sign-in runs before any centre is in scope."""
    return (
        sa.update(User)
        .where(User.id == user.id)
        .execution_options(all_centres=True, synchronize_session=False)
    )


def _later_of(column, moment: datetime):
    """``column`` moved to ``moment`` unless it is already later."""
    return sa.case(
        (sa.or_(column.is_(None), column < _at(column, moment)), _at(column, moment)),
        else_=column,
    )


def _source_locked(user: User, source: str, now: datetime):
    return sa.exists().where(
        SignInGuard.user_id == user.id,
        SignInGuard.source == source,
        SignInGuard.locked_until > _at(SignInGuard.__table__.c.locked_until, now),
    )


def refused(user: User, client: Client, now: datetime) -> bool:
    """Is this attempt refused before its password is even checked?"""
    source, known = source_of(user, client)
    if not known and user.slowed_until is not None and user.slowed_until > now:
        security_log.warning("sign-in refused: unknown sources slowed", extra={"user_id": user.id})
        return True
    if db.session.scalar(sa.select(_source_locked(user, source, now))):
        security_log.warning("sign-in refused: source locked out", extra={"user_id": user.id})
        return True
    return False


def record_failure(user: User, client: Client, now: datetime, what: str) -> bool:
    """Count a wrong password or code; True when the owner should now be told (by email)."""
    source, known = source_of(user, client)
    alarming = _count_at_source(user, source, now)
    if alarming:
        security_log.warning("sign-in source locked out", extra={"user_id": user.id})
    else:
        security_log.info(f"sign-in failed: {what}", extra={"user_id": user.id})
    if not known:
        alarming = _count_unknown_source_failure(user, now) or alarming
    return alarming and _alert_due(user, now)


def _count_at_source(user: User, source: str, now: datetime) -> bool:
    """One more failure from this source; True when it locks the source out."""
    table = SignInGuard.__table__.c
    threshold = current_app.config["HEARTBEAT_LOCKOUT_THRESHOLD"]
    until = now + _window()
    expired = SignInGuard.window_started_at <= _at(table.window_started_at, now - _window())
    count = sa.case((expired, 0), else_=SignInGuard.failures) + 1
    reaches = count >= threshold
    update = (
        sa.update(SignInGuard)
        .where(SignInGuard.user_id == user.id, SignInGuard.source == source)
        .values(
            failures=sa.case((reaches, 0), else_=count),
            window_started_at=sa.case(
                (sa.or_(expired, reaches), _at(table.window_started_at, now)),
                else_=SignInGuard.window_started_at,
            ),
            locked_until=sa.case(
                (reaches, _at(table.locked_until, until)), else_=SignInGuard.locked_until
            ),
        )
        .returning(SignInGuard.failures)
        .execution_options(synchronize_session=False)
    )
    failures = db.session.execute(update).scalar_one_or_none()
    if failures is None:
        try:
            with db.session.begin_nested():
                locks = threshold <= 1
                db.session.execute(
                    sa.insert(SignInGuard).values(
                        user_id=user.id,
                        source=source,
                        failures=0 if locks else 1,
                        window_started_at=now,
                        locked_until=until if locks else None,
                    )
                )
            failures = 0 if locks else 1
        except IntegrityError:  # another attempt from this source made the row first
            failures = db.session.execute(update).scalar_one()
    if failures != 0:
        return False
    db.session.execute(_this_user(user).values(locked_until=_later_of(User.locked_until, until)))
    db.session.expire(user, ["locked_until"])
    return True


def _count_unknown_source_failure(user: User, now: datetime) -> bool:
    """One more failure from a source the account does not know; True when it slows them."""
    config = current_app.config
    table = User.__table__.c
    expired = sa.or_(
        User.last_failed_login_at.is_(None),
        User.last_failed_login_at <= _at(table.last_failed_login_at, now - _window()),
    )
    failures = db.session.execute(
        _this_user(user)
        .values(
            failed_logins=sa.case((expired, 0), else_=User.failed_logins) + 1,
            last_failed_login_at=_at(table.last_failed_login_at, now),
        )
        .returning(User.failed_logins)
    ).scalar_one()
    set_committed_value(user, "failed_logins", failures)
    set_committed_value(user, "last_failed_login_at", now)
    beyond = failures - config["HEARTBEAT_SLOWDOWN_THRESHOLD"]
    if beyond < 0:
        return False
    until = now + timedelta(seconds=min(2**beyond, config["HEARTBEAT_SLOWDOWN_MAX_SECONDS"]))
    db.session.execute(
        _this_user(user).values(
            slowed_until=_later_of(User.slowed_until, until),
            locked_until=_later_of(User.locked_until, until),
        )
    )
    db.session.expire(user, ["slowed_until", "locked_until"])
    security_log.warning("sign-in slowed for unknown sources", extra={"user_id": user.id})
    return True


def _alert_due(user: User, now: datetime) -> bool:
    """Claim the owner's alert (one statement, so two attempts never both send it)."""
    hours = current_app.config["HEARTBEAT_GUESSING_ALERT_HOURS"]
    column = User.__table__.c.guessing_alerted_at
    claimed = db.session.execute(
        _this_user(user)
        .where(
            sa.or_(
                User.guessing_alerted_at.is_(None),
                User.guessing_alerted_at <= _at(column, now - timedelta(hours=hours)),
            )
        )
        .values(guessing_alerted_at=_at(column, now))
    )
    db.session.expire(user, ["guessing_alerted_at"])
    return rows_changed(claimed) == 1


def record_success(user: User, client: Client, now: datetime, new_hash: str | None) -> bool:
    """Note a sign-in and clear the counts, unless this source got refused meanwhile (by other
    attempts while this one was checking the password): then False, and nothing is written."""
    source, known = source_of(user, client)
    values: dict = {"failed_logins": 0, "slowed_until": None, "last_login_at": now}
    if new_hash is not None:
        values["password_hash"] = new_hash
    conditions = [~_source_locked(user, source, now)]
    if not known:
        column = User.__table__.c.slowed_until
        conditions.append(
            sa.or_(User.slowed_until.is_(None), User.slowed_until <= _at(column, now))
        )
    if rows_changed(db.session.execute(_this_user(user).where(*conditions).values(**values))) != 1:
        return False
    for name, value in values.items():
        set_committed_value(user, name, value)
    db.session.execute(
        sa.delete(SignInGuard).where(SignInGuard.user_id == user.id, SignInGuard.source == source)
    )
    # The staff list's "locked" mark goes when no source is locked out any more.
    any_lock = sa.exists().where(
        SignInGuard.user_id == user.id,
        SignInGuard.locked_until > _at(SignInGuard.__table__.c.locked_until, now),
    )
    db.session.execute(_this_user(user).where(~any_lock).values(locked_until=None))
    db.session.expire(user, ["locked_until"])
    return True


def unlock(user: User) -> None:
    """An admin's "Unlock": every source may try again, and nobody is slowed."""
    db.session.execute(sa.delete(SignInGuard).where(SignInGuard.user_id == user.id))
    user.failed_logins = 0
    user.slowed_until = None
    user.locked_until = None
    db.session.flush()


# --- telling the owner ----------------------------------------------------------------------------


def send_guessing_alert(user: User) -> bool:
    """Email the account's owner that someone is trying passwords on it (through the outbox,
    committed here: the caller has already committed the attempt that raised the alert)."""
    language = language_of_account(user)
    with speaking(language):
        email = queue_email(
            kind=EmailKind.SECURITY_ALERT,
            to=user.email,
            subject=_("Someone is trying to sign in to your Heartbeat Miles account"),
            template="security_alert",
            context={
                "name": user.name,
                "email": user.email,
                "minutes": current_app.config["HEARTBEAT_LOCKOUT_MINUTES"],
            },
            centre_id=user.centre_id,
            user_id=user.id,
            language=language,
        )
    db.session.commit()
    return email is not None

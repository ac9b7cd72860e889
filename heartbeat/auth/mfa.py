"""Two-factor sign-in with TOTP (RFC 6238) and single-use recovery codes.

The TOTP secret is stored encrypted (Fernet, key derived from ``SECRET_KEY``), so a copy of the
database alone cannot mint codes; so is the secret being set up, which never enters the session
cookie. A code is accepted once: the time step it belongs to is
remembered, and an older or equal step is refused (no replay within its 30 s window). Recovery
codes are stored as argon2 hashes, like passwords, and each works once.

Plain functions that flush, never commit.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from heartbeat.auth import passwords
from heartbeat.auth.models import MfaRecoveryCode, Role, User
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _
from heartbeat.db import rows_changed
from heartbeat.extensions import db

RECOVERY_CODES = 10
# Codes from the step before and after the current one are accepted: phones drift a little.
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class MfaError(ValueError):
    """A code or setting that was refused, with a message for the person."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(
        b"heartbeat-miles/mfa-secret/" + current_app.config["SECRET_KEY"].encode()
    ).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise MfaError(
            _(
                "Two-factor sign-in cannot be checked: the server's secret key has changed. "
                "Ask an admin to reset your two-factor sign-in."
            )
        ) from None


def roles_requiring_mfa() -> set[str]:
    raw = current_app.config["HEARTBEAT_MFA_REQUIRED_ROLES"] or ""
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


def mfa_required(user: User) -> bool:
    """Must this user use two-factor sign-in (by role setting, operator flag or centre rule)?"""
    required = roles_requiring_mfa()
    if user.is_operator and "operator" in required:
        return True
    if user.role.value in required:
        return True
    if user.role not in (Role.ADMIN, Role.THERAPIST) or user.centre_id is None:
        return False
    # Usually loaded with the user (the session loader joins it); at sign-in, one lookup.
    centre = user.__dict__.get("centre") or db.session.get(Centre, user.centre_id)
    return bool(
        centre is not None
        and getattr(centre, "mfa_required_for_staff", False)
        and user.role in (Role.ADMIN, Role.THERAPIST)
    )


def new_secret() -> str:
    return pyotp.random_base32()


def pending_secret(user: User) -> str:
    """The secret this user is setting up, made (and stored encrypted) on first need.

    It stays on the server until enrolment ends: the session cookie is signed, not encrypted,
    so anything in it can be read by whoever holds the cookie.
    """
    if user.mfa_pending_secret:
        try:
            return decrypt_secret(user.mfa_pending_secret)
        except MfaError:
            pass  # the server's key changed meanwhile: start again with a new secret
    secret = new_secret()
    user.mfa_pending_secret = encrypt_secret(secret)
    db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config["HEARTBEAT_MFA_ISSUER"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG data URI (no network, no inline script)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111111")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == totp.digits):
        return None
    step = int(now.timestamp()) // totp.interval
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        candidate = step + offset
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def enable(user: User, code: str, now: datetime) -> list[str]:
    """Turn two-factor sign-in on once the person proves their app has the pending secret.

    Returns the new recovery codes, to show once.
    """
    secret = pending_secret(user)
    step = _matching_step(secret, code, now)
    if step is None:
        raise MfaError(_("That code did not match. Check the time on your phone and try again."))
    user.mfa_secret = user.mfa_pending_secret
    user.mfa_pending_secret = None
    user.mfa_enabled_at = now
    user.mfa_last_step = step
    codes = regenerate_recovery_codes(user)
    db.session.flush()
    return codes


def disable(user: User) -> None:
    user.mfa_secret = None
    user.mfa_pending_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(sa.delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    db.session.flush()


def regenerate_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = []
    for _index in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _position in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        db.session.add(MfaRecoveryCode(user_id=user.id, code_hash=passwords.hash_password(code)))
    db.session.flush()
    return codes


def verify(user: User, code: str, now: datetime) -> str | None:
    """Check a TOTP or recovery code: "totp" or "recovery" when it works, None when not."""
    if not user.mfa_secret:
        return None
    cleaned = code.strip().lower()
    if "-" in cleaned or len(cleaned.replace(" ", "")) == 10:
        return "recovery" if _use_recovery_code(user, cleaned, now) else None
    step = _matching_step(decrypt_secret(user.mfa_secret), cleaned, now)
    if step is None or (user.mfa_last_step is not None and step <= user.mfa_last_step):
        return None
    # Claimed in one statement, so the same code sent twice at once still works only once.
    unused = sa.or_(User.mfa_last_step.is_(None), User.mfa_last_step < step)
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, unused)
        .values(mfa_last_step=step)
        .execution_options(all_centres=True, synchronize_session=False)
    )
    if rows_changed(claimed) != 1:
        return None
    set_committed_value(user, "mfa_last_step", step)
    return "totp"


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    code = code.replace(" ", "")
    if "-" not in code and len(code) == 10:
        code = f"{code[:5]}-{code[5:]}"
    unused = db.session.scalars(
        sa.select(MfaRecoveryCode).where(
            MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None)
        )
    ).all()
    for row in unused:
        if passwords.verify_password(row.code_hash, code):
            claimed = db.session.execute(
                sa.update(MfaRecoveryCode)
                .where(MfaRecoveryCode.id == row.id, MfaRecoveryCode.used_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            if rows_changed(claimed) != 1:
                return False  # used by another sign-in at the same moment
            set_committed_value(row, "used_at", now)
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return db.session.scalars(
        sa.select(sa.func.count())
        .select_from(MfaRecoveryCode)
        .where(MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None))
    ).one()

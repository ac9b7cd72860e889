from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.centres.models import Centre, Units
from heartbeat.core.i18n import _
from heartbeat.core.personal import Computed, declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model


class Role(enum.StrEnum):
    """Centre roles, ordered: each can do at least what the one before it can see."""

    PARTICIPANT = "participant"
    THERAPIST = "therapist"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        """The role's name in the reader's language ("Therapist")."""
        labels = {
            Role.PARTICIPANT: _("Participant"),
            Role.THERAPIST: _("Therapist"),
            Role.ADMIN: _("Admin"),
        }
        return labels[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank < other.rank


STAFF_ROLES = (Role.THERAPIST, Role.ADMIN)

_role_type = string_enum(Role, 16)


def normalise_email(email: str) -> str:
    return email.strip().lower()


class User(CentreScoped, Model):
    """A person who signs in. ``centre_id`` is empty only for platform operators."""

    __tablename__ = "user_account"
    __personal_data__ = declare(
        kept=("email", "name", "last_login_at"),
        secret=(
            "password_hash",
            "session_version",
            "mfa_secret",
            "mfa_pending_secret",
            "mfa_last_step",
        ),
        not_personal=(
            "id",
            "centre_id",
            "role",
            "is_operator",
            "active",
            "failed_logins",
            "last_failed_login_at",
            "slowed_until",
            "locked_until",
            "guessing_alerted_at",
            "mfa_enabled_at",
            "units",
            "language",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Scoped like every centre row, but nullable: operators belong to no centre.
    # Sign-in and the session loader read across centres on purpose (all_centres=True).
    centre_id: Mapped[int | None] = mapped_column(  # type: ignore[assignment]  # nullable: see above
        sa.ForeignKey("centre.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(_role_type)
    is_operator: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Bumped on sign-out, password change and deactivation: every cookie that carries the
    # old value (session or remember-me) stops working at once, on every server.
    session_version: Mapped[int] = mapped_column(default=1)
    # Guessing protection (auth/guard.py): wrong passwords from sources this account has not
    # signed in from, in the current window, and until when such sources are slowed down.
    failed_logins: Mapped[int] = mapped_column(default=0)
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    slowed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Until when some sign-ins are refused (a source locked out, or unknown sources slowed):
    # what the admin's staff list shows and "Unlock" clears; never a lock on everyone.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    guessing_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-factor sign-in: the TOTP secret (encrypted), when it was turned on, and the last
    # time step a code was accepted for (so a code works only once).
    mfa_secret: Mapped[str | None] = mapped_column(sa.String(255))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mfa_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The secret being set up, encrypted like ``mfa_secret``, until the first code proves the
    # app has it: kept here, not in the (signed but readable) session cookie.
    mfa_pending_secret: Mapped[str | None] = mapped_column(sa.String(255))
    # Kilometres or miles on every page this person sees (and in the boxes they type distances
    # into); empty means the centre's default. A display setting, like their email choices.
    units: Mapped[Units | None] = mapped_column(string_enum(Units, 8))
    # The language of their pages, emails and certificates; empty means the centre's.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    centre: Mapped[Centre | None] = relationship(lazy="raise")

    # --- flask-login protocol ------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # "<id>:<session version>:<device nonce>" (sessions.py); the nonce is on the instance
        # only, set at sign-in or by the loader, never stored in clear.
        device = getattr(self, "device_nonce", None)
        base = f"{self.id}:{self.session_version}"
        return f"{base}:{device}" if device else base

    # --- role helpers ---------------------------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_participant(self) -> bool:
        return self.role == Role.PARTICIPANT

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_secret is not None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Invite(CentreScoped, Model):
    """A single-use, expiring invitation to set a password and join a centre."""

    __tablename__ = "invite"
    __personal_data__ = declare(
        subject="participant_id",
        section="invitations",
        describe="Invitations to their portal page",
        order=90,
        erased={
            "email": Computed(
                lambda m: (
                    sa.literal("erased-invite-")
                    + sa.cast(m.id, sa.String)
                    + sa.literal("@erased.invalid")
                )
            ),
            "name": "Erased participant",
        },
        secret=("token_hash",),
        not_personal=(
            "id",
            "role",
            "expires_at",
            "used_at",
            "revoked_at",
            "created_by_id",
            "participant_id",
            "created_at",
            "centre_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(_role_type)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # For a participant's portal login: accepting links the new account to this record.
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[created_by_id])

    @classmethod
    def pending_at(cls, now: datetime) -> sa.ColumnElement[bool]:
        """The SQL form of ``state(now) == "pending"``: every list and count of invitations
        waiting uses this one rule."""
        return sa.and_(cls.used_at.is_(None), cls.revoked_at.is_(None), cls.expires_at > now)

    def state(self, now: datetime) -> str:
        if self.used_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class MfaRecoveryCode(Model):
    """A single-use code that stands in for the authenticator app, stored as a hash."""

    __tablename__ = "mfa_recovery_code"
    __personal_data__ = declare(
        secret=("code_hash",), not_personal=("id", "user_id", "used_at", "created_at")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TokenScope(enum.StrEnum):
    """What a personal access token may do: read only, or also change records."""

    READ = "read"
    WRITE = "write"


class ApiToken(Model):
    """A personal access token for the API: it acts as its user, within its scope.

    Only a SHA-256 digest of the token is kept (the token is 32 random bytes, so a digest cannot
    be reversed by guessing); the first characters (``prefix``) identify it on the account page.
    """

    __tablename__ = "api_token"
    # Like the account it belongs to: the name its holder gave it and when it was last used are
    # about them (an erased participant's login is deactivated, and its tokens with it).
    __personal_data__ = declare(
        kept=("name", "last_used_at"),
        secret=("token_hash",),
        not_personal=("id", "user_id", "prefix", "scope", "expires_at", "revoked_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(string_enum(TokenScope, 8))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE


class SignInGuard(Model):
    """Wrong passwords for one account from one source (an address, or a device the account
    signed in from before): after a few, that source alone is locked out for a while."""

    __tablename__ = "sign_in_guard"
    # The source is a keyed hash (or a random device nonce): it names no address.
    __personal_data__ = declare(
        secret=("source",),
        not_personal=("id", "user_id", "failures", "window_started_at", "locked_until"),
    )
    __table_args__ = (sa.UniqueConstraint("user_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # "addr:" + a keyed hash of the address (its /64 for IPv6), or "device:" + the device
    # cookie's nonce: no address is stored.
    source: Mapped[str] = mapped_column(sa.String(64))
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeviceSession(Model):
    """One signed-in browser: its session and remember-me cookies carry a random nonce whose
    digest is kept here, so signing out ends this browser's session on the server (a copied
    cookie opens nothing afterwards) and leaves the person's other devices signed in."""

    __tablename__ = "device_session"
    __personal_data__ = declare(
        secret=("nonce_hash",), not_personal=("id", "user_id", "created_at", "ended_at")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    nonce_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PasswordReset(Model):
    """A single-use, short-lived link to choose a new password (``auth/resets.py``).

    Emailed to the owner from "Forgot your password?", or made by an admin of their centre and
    shown once. Only a SHA-256 digest of its 32 random bytes is stored.
    """

    __tablename__ = "password_reset"
    __personal_data__ = declare(
        secret=("token_hash",),
        not_personal=("id", "user_id", "created_by_id", "expires_at", "used_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The admin who made it (None: the owner asked by email).
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def state(self, now: datetime) -> str:
        if self.used_at is not None:
            return "used"
        if self.expires_at <= now:
            return "expired"
        return "usable"

"""Stored emails and each person's choice of which emails they get.

An email is a row before it is anything else: a request only adds the row (in its own
transaction, so an email about a change that rolls back is never sent), and the background
sender (``outbox.sending``) delivers it, retrying with backoff while the mail server is down.
Once sent, its body is dropped: the row keeps who, what about, when and how it went.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from heartbeat.core.i18n import _
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model


class EmailState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": _("Waiting to send"),
            "sending": _("Sending"),
            "sent": _("Sent"),
            "failed": _("Failed"),
        }[self.value]


class EmailKind(enum.StrEnum):
    """What an email is for. Essential ones (about the account itself) cannot be turned off."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a kind of email, not a secret)
    SECURITY_ALERT = "security_alert"
    DIGEST = "digest"
    MILESTONE = "milestone"
    CERTIFICATE = "certificate"

    @property
    def essential(self) -> bool:
        return self in (EmailKind.INVITATION, EmailKind.PASSWORD_RESET, EmailKind.SECURITY_ALERT)

    @property
    def label(self) -> str:
        return {
            "invitation": _("Invitation"),
            "password_reset": _("Password reset"),
            "security_alert": _("Sign-in warning"),
            "digest": _("Weekly needs-attention digest"),
            "milestone": _("Milestone reached"),
            "certificate": _("Certificate issued"),
        }[self.value]


class OutboxEmail(CentreScoped, Model):
    __tablename__ = "outbox_email"
    __personal_data__ = declare(
        kept=("to_address", "subject", "body_text", "body_html", "headers"),
        not_personal=(
            "id",
            "centre_id",
            "user_id",
            "kind",
            "state",
            "attempts",
            "max_attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "claimed_at",
            "sent_at",
        ),
    )
    __table_args__ = (
        sa.Index("ix_outbox_email_centre_created", "centre_id", "created_at"),
        # The sender's question: which queued emails are due now.
        sa.Index("ix_outbox_email_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable like users': an email to a platform operator belongs to no centre.
    centre_id: Mapped[int | None] = mapped_column(  # type: ignore[assignment]  # nullable: operators
        sa.ForeignKey("centre.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[EmailKind] = mapped_column(string_enum(EmailKind, 24))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text, deferred=True)
    body_html: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    headers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, deferred=True)
    state: Mapped[EmailState] = mapped_column(
        string_enum(EmailState, 16), default=EmailState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=6)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What went wrong last, in words an admin can act on.
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailPreference(Model):
    """Which optional emails a person gets, and when their weekly digest comes.

    No row means the defaults: every optional email on, the digest on Monday at 08:00 in the
    centre's time zone.
    """

    __tablename__ = "email_preference"
    __personal_data__ = declare(
        not_personal=(
            "user_id",
            "digest",
            "milestones",
            "certificates",
            "digest_weekday",
            "digest_hour",
            "last_digest_at",
        ),
    )

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[bool] = mapped_column(default=True)
    milestones: Mapped[bool] = mapped_column(default=True)
    certificates: Mapped[bool] = mapped_column(default=True)
    digest_weekday: Mapped[int] = mapped_column(default=0)  # Monday is 0, as in Python
    digest_hour: Mapped[int] = mapped_column(default=8)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

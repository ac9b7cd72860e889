"""Certificates, the branding they are printed with, and the centre's signing key.

A certificate is a record first and a file second: everything its PDF and its credential show is
copied onto the row when it is issued (the participant's name, the milestone and what it means,
the journey up the ladder, the verify URL) and its branding is frozen in an immutable
``BrandingSnapshot``. Rendering is then a pure function of the row and its snapshot, so a reprint
is byte-for-byte the file that was issued, and ``sha256`` proves it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, utcnow
from heartbeat.extensions import Model
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award

DEFAULT_PRIMARY = "#0b5563"
DEFAULT_ACCENT = "#b3261e"
DEFAULT_PROGRAMME = "Heartbeat Miles adaptive racing programme"


# What a certificate says instead of the name of a person whose data was erased.
REVOKED_NAME = "(name removed)"


class Branding(CentreScoped, Model):
    """A centre's current certificate design, edited by its admins (one row per centre)."""

    __tablename__ = "certificate_branding"
    # The signatory is a member of staff who signs on purpose, not a participant.
    __personal_data__ = declare(
        not_personal=(
            "id",
            "programme_name",
            "primary_colour",
            "accent_colour",
            "signatory_name",
            "signatory_title",
            "logo",
            "logo_type",
            "signature",
            "version",
            "updated_at",
            "updated_by_id",
            "centre_id",
        )
    )
    __table_args__ = (sa.UniqueConstraint("centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_name: Mapped[str] = mapped_column(sa.String(120), default=DEFAULT_PROGRAMME)
    primary_colour: Mapped[str] = mapped_column(sa.String(7), default=DEFAULT_PRIMARY)
    accent_colour: Mapped[str] = mapped_column(sa.String(7), default=DEFAULT_ACCENT)
    signatory_name: Mapped[str] = mapped_column(sa.String(120), default="")
    signatory_title: Mapped[str] = mapped_column(sa.String(120), default="")
    # Sanitised on upload: a PNG as it came, or an SVG rebuilt from an allow-list.
    logo: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    logo_type: Mapped[str | None] = mapped_column(sa.String(20))  # image/png | image/svg+xml
    signature: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))  # PNG
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    __mapper_args__ = {"version_id_col": version}


class BrandingSnapshot(CentreScoped, Model):
    """The branding a certificate was issued with; never changed, shared by identical designs."""

    __tablename__ = "certificate_branding_snapshot"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "digest",
            "centre_name",
            "paper_size",
            "programme_name",
            "primary_colour",
            "accent_colour",
            "signatory_name",
            "signatory_title",
            "logo",
            "logo_type",
            "signature",
            "created_at",
            "centre_id",
        )
    )
    __table_args__ = (sa.UniqueConstraint("centre_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of everything below
    centre_name: Mapped[str] = mapped_column(sa.String(120))
    paper_size: Mapped[str] = mapped_column(sa.String(8))  # A4 | Letter
    programme_name: Mapped[str] = mapped_column(sa.String(120))
    primary_colour: Mapped[str] = mapped_column(sa.String(7))
    accent_colour: Mapped[str] = mapped_column(sa.String(7))
    signatory_name: Mapped[str] = mapped_column(sa.String(120))
    signatory_title: Mapped[str] = mapped_column(sa.String(120))
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(sa.String(20))
    signature: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certificate(CentreScoped, Model):
    __tablename__ = "certificate"
    __personal_data__ = declare(
        subject="participant_id",
        section="certificates",
        describe="Certificates issued for those awards",
        order=80,
        load=("credential",),
        # Without the salt, the credential's name hash can never be opened again.
        erased={"participant_name": REVOKED_NAME, "journey": [], "identity_salt": None},
        # The credential holds the name only as a hash salted with ``identity_salt``, and is
        # revoked (never served again) when the person is erased; its signature covers the
        # hash, so it stays whole as the record of what was issued.
        kept=("credential", "achieved_on", "issued_on", "title", "description", "award_key"),
        not_personal=(
            "id",
            "serial",
            "participant_id",
            "award_id",
            "standing_award_id",
            "stage_id",
            "verify_url",
            "branding_id",
            "sha256",
            "issued_at",
            "issued_by_id",
            "printed_at",
            "print_job_id",
            "revoked_at",
            "revoked_by_id",
            "revoked_reason",
            "status_index",
            "valid_until",
            "language",
            "version",
            "centre_id",
        ),
    )
    __table_args__ = (
        # The register lists a centre's certificates newest first.
        sa.Index("ix_certificate_centre_issued", "centre_id", "issued_at"),
        sa.UniqueConstraint("centre_id", "status_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(sa.String(32), unique=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    award_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("award.id", ondelete="SET NULL"), index=True
    )
    # The award while the certificate stands, NULL once revoked: at most one standing
    # certificate per award (NULLs never collide), and a revoked one can be issued again.
    standing_award_id: Mapped[int | None] = mapped_column(unique=True)
    # For the register's stage filter: the ladder stage, or NULL for a club.
    stage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ladder_stage.id", ondelete="SET NULL"), index=True
    )
    award_key: Mapped[str] = mapped_column(sa.String(60))
    # What the certificate says, frozen when it was issued.
    participant_name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    achieved_on: Mapped[date] = mapped_column(sa.Date)
    issued_on: Mapped[date] = mapped_column(sa.Date)  # in the centre's timezone
    journey: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    verify_url: Mapped[str] = mapped_column(sa.String(300))
    # The signed Open Badges 3.0 credential (also embedded in the PDF).
    credential: Mapped[dict[str, Any]] = deferred(mapped_column(sa.JSON))
    # The salt of the credential's name hash, never published: only the participant (shown it
    # in their portal) can let someone check that the credential names them. NULL once erased.
    identity_salt: Mapped[str | None] = mapped_column(sa.String(64))
    branding_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate_branding_snapshot.id"), index=True
    )
    sha256: Mapped[str] = mapped_column(sa.String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The print job whose file holds it (NULL when printed from the command line).
    print_job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Its bit in the centre's status list (random, so the list reveals no order), NULL for
    # credentials issued before status lists.
    status_index: Mapped[int | None] = mapped_column()
    # When it stops being valid (the stage's ``valid_for_months``), NULL: never.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language of the PDF's own words ("Certificate of achievement", the dates), chosen when
    # it was issued (the participant's, unless the issuer chose another): a reprint is the same
    # file. Certificates issued before languages were English.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    version: Mapped[int] = mapped_column(default=1)

    participant: Mapped[Participant] = relationship(lazy="raise")
    award: Mapped[Award | None] = relationship(lazy="raise")
    branding: Mapped[BrandingSnapshot] = relationship(lazy="raise")
    issued_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[revoked_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def participant_user_id(self) -> int | None:
        """The portal login of the certificate's participant (load ``participant`` with it)."""
        return self.participant.user_id

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def expired(self, now: datetime) -> bool:
        return self.valid_until is not None and self.valid_until <= now

    @property
    def printed(self) -> bool:
        return self.printed_at is not None

    @property
    def filename(self) -> str:
        return f"certificate-{self.serial}.pdf"

    def __repr__(self) -> str:
        return f"<Certificate {self.serial}>"


class SigningKey(CentreScoped, Model):
    """A centre's Ed25519 key for credentials; the private half encrypted under SECRET_KEY.

    The current key has ``retired_at`` NULL; rotated-out keys stay, still published, so what
    they signed keeps verifying.
    """

    __tablename__ = "certificate_signing_key"
    __personal_data__ = declare(
        secret=("private_key_encrypted",),
        not_personal=("id", "kid", "public_key", "created_at", "retired_at", "centre_id"),
    )
    __table_args__ = (
        sa.Index("ix_certificate_signing_key_centre_retired", "centre_id", "retired_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  # raw 32 bytes
    # AES-256-GCM: 12-byte nonce + ciphertext + tag, under a key derived from SECRET_KEY.
    private_key_encrypted: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

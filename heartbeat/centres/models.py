from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from heartbeat.core.personal import declare
from heartbeat.db import UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model


class Units(enum.StrEnum):
    KM = "km"
    MI = "mi"


class PaperSize(enum.StrEnum):
    A4 = "A4"
    LETTER = "Letter"


class Centre(Model):
    __tablename__ = "centre"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "name",
            "slug",
            "timezone",
            "country",
            "units",
            "language",
            "paper_size",
            "allow_self_report",
            "mfa_required_for_staff",
            "created_at",
        )
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    country: Mapped[str] = mapped_column(sa.String(2), default="GB")
    units: Mapped[Units] = mapped_column(
        string_enum(Units, 8),
        default=Units.KM,
    )
    # The language of the centre's pages, emails and certificates unless a person chose their own
    # (a code of ``core.i18n.LANGUAGES``).
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    paper_size: Mapped[PaperSize] = mapped_column(
        string_enum(PaperSize, 8),
        default=PaperSize.A4,
    )
    # Participants may log their own sessions (they count once a therapist verifies them).
    allow_self_report: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Every therapist and admin of the centre must use two-factor sign-in.
    mfa_required_for_staff: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Centre {self.slug}>"

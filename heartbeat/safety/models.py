"""Red flags raised by reported symptoms, and each centre's guidance text."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.i18n import _l
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model
from heartbeat.participants.models import Participant


class FlagKind(enum.StrEnum):
    DYSREFLEXIA = "dysreflexia"

    @property
    def label(self) -> str:
        return {FlagKind.DYSREFLEXIA: _l("Possible autonomic dysreflexia")}[self]


class RedFlag(CentreScoped, Model):
    """Symptoms someone reported; open until a staff member acknowledges it with a note."""

    __tablename__ = "red_flag"
    __personal_data__ = declare(
        subject="participant_id",
        section="red_flags",
        sort=("raised_at", "id"),
        describe="Red flags: symptoms reported and how the team followed them up",
        order=55,
        names={"raised_by": "raised_by", "acknowledged_by": "acknowledged_by"},
        erased={"follow_up": None},
        kept=("kind", "symptoms", "raised_at", "self_reported", "acknowledged_at"),
        not_personal=(
            "id",
            "participant_id",
            "session_id",
            "raised_by_id",
            "acknowledged_by_id",
            "version",
            "centre_id",
        ),
    )
    __table_args__ = (
        # The caseload's list and the profile read open flags per centre and per person.
        sa.Index("ix_red_flag_centre_open", "centre_id", "acknowledged_at", "raised_at"),
        sa.Index("ix_red_flag_participant", "participant_id", "centre_id", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"))
    # The session it was reported with (the flag stays if the session is deleted).
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[FlagKind] = mapped_column(string_enum(FlagKind, 16))
    symptoms: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    raised_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    self_reported: Mapped[bool] = mapped_column(default=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    follow_up: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    participant: Mapped[Participant] = relationship(lazy="raise")
    raised_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[raised_by_id])
    acknowledged_by: Mapped[User | None] = relationship(
        lazy="raise", foreign_keys=[acknowledged_by_id]
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def participant_user_id(self) -> int | None:
        """The portal login of the flag's participant (load ``participant`` with it)."""
        return self.participant.user_id


class SafetyGuidance(CentreScoped, Model):
    """The centre's own guidance shown when symptoms are reported (none: the default text)."""

    __tablename__ = "safety_guidance"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "dysreflexia",
            "updated_by_id",
            "updated_at",
            "version",
            "centre_id",
        ),
    )
    __table_args__ = (sa.UniqueConstraint("centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dysreflexia: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

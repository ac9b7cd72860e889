"""Plan templates, the plans assigned from them, unavailable days, squads and calendar feeds.

A template is a block of ``weeks`` weeks, each a few planned sessions (``day`` 0 is the block's
first day). Assigning one copies its sessions into ``PlannedSession`` rows with real dates, so
a therapist adjusts one person's plan without touching the template. Targets are stored in SI
units (metres, seconds). Heart-rate zones are optional and shown only where heart rate means
something for the person (``plans.rules.heart_rate_meaningful``); RPE is always the target.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.i18n import _
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model
from heartbeat.participants.models import Participant
from heartbeat.training.models import SessionKind, TrainingSession


class PlanStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {"active": _("Active"), "paused": _("Paused"), "ended": _("Ended")}[self.value]


class Unavailability(enum.StrEnum):
    ILLNESS = "illness"
    HOLIDAY = "holiday"
    OTHER = "other"

    @property
    def label(self) -> str:
        labels = {"illness": _("Ill"), "holiday": _("On holiday"), "other": _("Unavailable")}
        return labels[self.value]


class _Targets:
    """What a planned session asks for (shared by the template's and the person's rows)."""

    kind: Mapped[SessionKind] = mapped_column(string_enum(SessionKind, 16))
    target_distance_m: Mapped[float | None] = mapped_column(sa.Float)
    target_duration_s: Mapped[int | None] = mapped_column()
    target_rpe: Mapped[int] = mapped_column()  # Borg CR10: always
    hr_zone: Mapped[int | None] = mapped_column()  # 1-5, only where heart rate is meaningful
    notes: Mapped[str | None] = mapped_column(sa.Text)


_TARGET_COLUMNS = (
    "kind",
    "target_distance_m",
    "target_duration_s",
    "target_rpe",
    "hr_zone",
    "notes",
)


class PlanTemplate(CentreScoped, Model):
    __tablename__ = "plan_template"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "centre_id",
            "name",
            "summary",
            "weeks",
            "retired",
            "version",
            "created_at",
            "updated_at",
        )
    )
    __table_args__ = (sa.UniqueConstraint("centre_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    weeks: Mapped[int] = mapped_column()
    retired: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sessions: Mapped[list[TemplateSession]] = relationship(
        lazy="raise",
        back_populates="template",
        order_by="(TemplateSession.week, TemplateSession.day, TemplateSession.id)",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}


class TemplateSession(_Targets, CentreScoped, Model):
    __tablename__ = "plan_template_session"
    __personal_data__ = declare(
        not_personal=("id", "centre_id", "template_id", "week", "day", "version", *_TARGET_COLUMNS)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("plan_template.id", ondelete="CASCADE"), index=True
    )
    week: Mapped[int] = mapped_column()  # 1-based
    day: Mapped[int] = mapped_column()  # 0-6: days after the week's first day
    version: Mapped[int] = mapped_column(default=1)

    template: Mapped[PlanTemplate] = relationship(lazy="raise", back_populates="sessions")

    __mapper_args__ = {"version_id_col": version}


class Plan(CentreScoped, Model):
    """A template assigned to one participant from ``starts_on`` for ``weeks`` weeks."""

    __tablename__ = "training_plan"
    __personal_data__ = declare(
        subject="participant_id",
        section="training_plans",
        sort=("starts_on", "id"),
        describe="Training plans assigned to them",
        order=55,
        kept=("name", "starts_on", "weeks", "status", "paused_on", "ended_on"),
        not_personal=(
            "id",
            "centre_id",
            "participant_id",
            "template_id",
            "assigned_by_id",
            "version",
            "created_at",
            "updated_at",
        ),
    )
    __table_args__ = (sa.Index("ix_training_plan_participant", "participant_id", "centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_template.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    weeks: Mapped[int] = mapped_column()
    status: Mapped[PlanStatus] = mapped_column(
        string_enum(PlanStatus, 16), default=PlanStatus.ACTIVE
    )
    paused_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship(lazy="raise")
    assigned_by: Mapped[User | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    @property
    def participant_user_id(self) -> int | None:
        return self.participant.user_id

    @property
    def last_day(self) -> date:
        return self.starts_on + timedelta(days=7 * self.weeks - 1)

    @property
    def runs_until(self) -> date:
        """The last day the plan covers: its last day, or the day it was ended."""
        if self.ended_on is not None:
            return min(self.last_day, self.ended_on)
        return self.last_day


class PlannedSession(_Targets, CentreScoped, Model):
    __tablename__ = "planned_session"
    __personal_data__ = declare(
        subject="participant_id",
        section="planned_sessions",
        sort=("on", "id"),
        describe="Sessions planned for them",
        order=56,
        erased={"notes": None},
        kept=("on", "kind", "target_distance_m", "target_duration_s", "target_rpe", "hr_zone"),
        not_personal=("id", "centre_id", "plan_id", "participant_id", "version"),
    )
    __table_args__ = (
        sa.Index("ix_planned_session_participant_on", "participant_id", "centre_id", "on"),
        sa.Index("ix_planned_session_centre_on", "centre_id", "on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_plan.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"))
    on: Mapped[date] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)

    plan: Mapped[Plan] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class UnavailableDay(CentreScoped, Model):
    """A day the person could not train (ill, on holiday): left out of their compliance."""

    __tablename__ = "unavailable_day"
    __personal_data__ = declare(
        subject="participant_id",
        section="unavailable_days",
        sort=("on",),
        describe="Days marked unavailable for training (illness, holiday)",
        order=57,
        kept=("on", "reason"),
        not_personal=("id", "centre_id", "participant_id", "recorded_by_id", "created_at"),
    )
    __table_args__ = (sa.UniqueConstraint("participant_id", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"))
    on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[Unavailability] = mapped_column(string_enum(Unavailability, 16))
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


squad_member = sa.Table(
    "squad_member",
    Model.metadata,
    sa.Column("squad_id", sa.ForeignKey("squad.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "participant_id", sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Squad(CentreScoped, Model):
    """A saved group for squad sessions, and when it usually meets (for the calendar feed)."""

    __tablename__ = "squad"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "centre_id",
            "name",
            "place",
            "kind",
            "meets_weekday",
            "meets_at",
            "therapist_id",
            "version",
            "created_at",
        )
    )
    __table_args__ = (sa.UniqueConstraint("centre_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    place: Mapped[str | None] = mapped_column(sa.String(120))
    kind: Mapped[SessionKind] = mapped_column(string_enum(SessionKind, 16))
    meets_weekday: Mapped[int | None] = mapped_column()  # 0 Monday
    meets_at: Mapped[str | None] = mapped_column(sa.String(5))  # "18:30", the centre's time
    therapist_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[Participant]] = relationship(
        secondary=squad_member, lazy="raise", order_by="(Participant.family_name, Participant.id)"
    )

    __mapper_args__ = {"version_id_col": version}


class SquadSession(CentreScoped, Model):
    """One group session: each attendee's part is a training session of their own."""

    __tablename__ = "squad_session"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "centre_id",
            "squad_id",
            "started_at",
            "place",
            "kind",
            "recorded_by_id",
            "created_at",
        )
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    squad_id: Mapped[int | None] = mapped_column(sa.ForeignKey("squad.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str | None] = mapped_column(sa.String(120))
    kind: Mapped[SessionKind] = mapped_column(string_enum(SessionKind, 16))
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attendance: Mapped[list[SquadAttendance]] = relationship(
        lazy="raise", back_populates="squad_session", cascade="all, delete-orphan"
    )


class PlannedSquadSession(CentreScoped, Model):
    """A one-off squad session planned ahead: in the members' and their therapists' calendar
    feeds until it is recorded (``squad_session_id`` set) or called off (deleted)."""

    __tablename__ = "planned_squad_session"
    __personal_data__ = declare(
        not_personal=(
            *("id", "centre_id", "squad_id", "starts_at", "kind", "place"),
            *("planned_by_id", "squad_session_id", "created_at"),
        )
    )
    __table_args__ = (sa.Index("ix_planned_squad_session_centre_starts", "centre_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    squad_id: Mapped[int] = mapped_column(sa.ForeignKey("squad.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[SessionKind] = mapped_column(string_enum(SessionKind, 16))
    place: Mapped[str | None] = mapped_column(sa.String(120))
    planned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    squad_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("squad_session.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    squad: Mapped[Squad] = relationship(lazy="raise")


class SquadAttendance(CentreScoped, Model):
    __tablename__ = "squad_attendance"
    __personal_data__ = declare(
        subject="participant_id",
        section="squad_attendance",
        sort=("id",),
        describe="Squad sessions they attended or missed",
        order=58,
        kept=("attended",),
        not_personal=("id", "centre_id", "squad_session_id", "participant_id", "session_id"),
    )
    __table_args__ = (sa.UniqueConstraint("squad_session_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    squad_session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("squad_session.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    attended: Mapped[bool] = mapped_column()
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="SET NULL")
    )

    squad_session: Mapped[SquadSession] = relationship(lazy="raise", back_populates="attendance")
    participant: Mapped[Participant] = relationship(lazy="raise")
    session: Mapped[TrainingSession | None] = relationship(lazy="raise")


class CalendarFeed(CentreScoped, Model):
    """A private calendar address: only the token's hash is stored; revoking sets a time."""

    __tablename__ = "calendar_feed"
    __personal_data__ = declare(
        secret=("token_hash",),
        not_personal=("id", "centre_id", "user_id", "created_at", "revoked_at", "last_used_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

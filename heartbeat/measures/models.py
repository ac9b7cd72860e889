"""Outcome measures as data: a measure, its items, and each participant's responses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model
from heartbeat.measures.scoring import SCALES, Scale, Scoring
from heartbeat.participants.models import Participant

PARTICIPANT = "participant"
STAFF = "staff"


class Measure(CentreScoped, Model):
    """A questionnaire or checklist; built-in ones carry a ``code``."""

    __tablename__ = "measure"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "code",
            "title",
            "instructions",
            "completed_by",
            "scale",
            "scoring",
            "allow_not_done",
            "not_done_label",
            "higher_is_worse",
            "smallest_real_change",
            "due_after_days",
            "overdue_after_days",
            "source",
            "retired_at",
            "created_at",
            "version",
            "centre_id",
        ),
    )
    __table_args__ = (sa.UniqueConstraint("centre_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(160))
    instructions: Mapped[str | None] = mapped_column(sa.Text)
    completed_by: Mapped[str] = mapped_column(sa.String(16))  # participant | staff
    scale: Mapped[str] = mapped_column(sa.String(16))
    scoring: Mapped[Scoring] = mapped_column(string_enum(Scoring, 16))
    allow_not_done: Mapped[bool] = mapped_column(default=False)
    not_done_label: Mapped[str | None] = mapped_column(sa.String(60))
    higher_is_worse: Mapped[bool] = mapped_column(default=True)
    smallest_real_change: Mapped[float | None] = mapped_column(sa.Float)
    due_after_days: Mapped[int | None] = mapped_column()
    overdue_after_days: Mapped[int | None] = mapped_column()
    source: Mapped[str | None] = mapped_column(sa.Text)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    # Deleting a measure deletes its items (the database's ON DELETE CASCADE when they are not
    # loaded): without this the unit of work set their measure_id to NULL and the delete failed.
    items: Mapped[list[MeasureItem]] = relationship(
        lazy="raise",
        order_by="MeasureItem.position",
        back_populates="measure",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def scale_spec(self) -> Scale:
        return SCALES[self.scale]

    @property
    def by_participant(self) -> bool:
        return self.completed_by == PARTICIPANT

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class MeasureItem(CentreScoped, Model):
    __tablename__ = "measure_item"
    __personal_data__ = declare(not_personal=("id", "measure_id", "position", "label", "centre_id"))
    __table_args__ = (sa.UniqueConstraint("measure_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()  # 1, 2, ...
    label: Mapped[str] = mapped_column(sa.String(200))

    measure: Mapped[Measure] = relationship(lazy="raise", back_populates="items")


class MeasureResponse(CentreScoped, Model):
    """One completion of a measure by (or for) a participant; answers are saved as they go."""

    __tablename__ = "measure_response"
    __personal_data__ = declare(
        subject="participant_id",
        section="measure_responses",
        sort=("started_at", "id"),
        describe="Outcome measures: questionnaires and checklists, with their scores",
        order=58,
        names={"completed_by": "completed_by"},
        kept=("started_at", "completed_at", "total", "on_behalf"),
        not_personal=(
            "id",
            "participant_id",
            "measure_id",
            "completed_by_id",
            "version",
            "centre_id",
        ),
    )
    __table_args__ = (
        sa.Index("ix_measure_response_person", "participant_id", "centre_id", "measure_id"),
        sa.Index("ix_measure_response_centre", "centre_id", "measure_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # A staff member completed a participant's own questionnaire for them.
    on_behalf: Mapped[bool] = mapped_column(default=False)
    total: Mapped[float | None] = mapped_column(sa.Float)
    version: Mapped[int] = mapped_column(default=1)

    participant: Mapped[Participant] = relationship(lazy="raise")
    measure: Mapped[Measure] = relationship(lazy="raise")
    completed_by: Mapped[User | None] = relationship(lazy="raise")
    answers: Mapped[list[MeasureAnswer]] = relationship(lazy="raise", back_populates="response")

    __mapper_args__ = {"version_id_col": version}

    @property
    def complete(self) -> bool:
        return self.completed_at is not None

    @property
    def participant_user_id(self) -> int | None:
        return self.participant.user_id


class MeasureAnswer(CentreScoped, Model):
    __tablename__ = "measure_answer"
    __personal_data__ = declare(
        subject="participant_id",
        section="measure_answers",
        sort=("response_id", "item_id"),
        describe="Each answer of those questionnaires and checklists",
        order=59,
        kept=("value", "not_done", "answered_at"),
        not_personal=("id", "response_id", "item_id", "participant_id", "centre_id"),
    )
    __table_args__ = (sa.UniqueConstraint("response_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measure_response.id", ondelete="CASCADE")
    )
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("measure_item.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int | None] = mapped_column()
    not_done: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    response: Mapped[MeasureResponse] = relationship(lazy="raise", back_populates="answers")

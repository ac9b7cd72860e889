"""A centre's ladder of stages, and the awards participants reach on it and in the clubs.

Stages are never deleted, only retired, so an award always points at the stage it was made for.
An award is keyed per participant by ``key``: ``stage:<stage id>`` for a rung of the ladder,
``club:<club code>`` (e.g. ``club:miles-100``) for a Heartbeat Miles club.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.i18n import _l
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model
from heartbeat.measures.models import MeasureItem
from heartbeat.participants.models import Participant
from heartbeat.training.models import TrainingSession

# ``Award.review_reason`` values.
EVIDENCE_VANISHED = "evidence_vanished"  # nothing reaches the award any more
EVIDENCE_CHANGED = "evidence_changed"  # another session (or a corrected one) reaches it now
KEPT_BY_PERSON = "kept_by_person"  # a person kept it without evidence; not flagged again
# Only history from before enrolment reaches it: proposed, for a therapist to confirm and date.
HISTORY_EVIDENCE = "history_evidence"

REVIEW_REASONS = {
    EVIDENCE_VANISHED: _l(
        "The session that proved it was deleted or changed, and no other session reaches it now."
    ),
    EVIDENCE_CHANGED: _l(
        "The evidence moved: another session now proves it, or the session was edited (for"
        " example its date or distance)."
    ),
    HISTORY_EVIDENCE: _l(
        "Only history from before enrolment reaches it. Confirm the award and choose its date:"
        " history never dates an award by itself."
    ),
}


def _award_title(award: Award) -> str:
    from heartbeat.progress.services import award_title

    return award_title(award)


class CriterionKind(enum.StrEnum):
    SIGNOFF = "signoff"  # a therapist signs it off
    DISTANCE = "distance"  # one continuous counting push of at least threshold_m
    RACE = "race"  # an official race finish of at least threshold_m

    @property
    def label(self) -> str:
        return str(CRITERION_LABELS[self.value])


# How a stage is reached, in words (read in the reader's language when shown).
CRITERION_LABELS = {
    CriterionKind.SIGNOFF.value: _l("Therapist sign-off"),
    CriterionKind.DISTANCE.value: _l("One continuous session of at least a distance"),
    CriterionKind.RACE.value: _l("An official race finish at a distance"),
}


class LadderStage(CentreScoped, Model):
    __tablename__ = "ladder_stage"
    __personal_data__ = declare(
        not_personal=(
            "id",
            "position",
            "code",
            "title",
            "description",
            "kind",
            "threshold_m",
            "max_duration_s",
            "valid_for_months",
            "retired_at",
            "version",
            "created_at",
            "centre_id",
        )
    )
    __table_args__ = (
        sa.UniqueConstraint("centre_id", "code"),
        sa.Index("ix_ladder_stage_centre_position", "centre_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column()  # 1-based order on the ladder
    code: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(80))
    # Reads after the participant's name, in the past tense: "Ada Lovelace {description}." on a
    # certificate (``progress.sentences`` builds the sentence and holds the rule).
    description: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[CriterionKind] = mapped_column(string_enum(CriterionKind, 16))
    threshold_m: Mapped[float | None] = mapped_column(sa.Float)
    max_duration_s: Mapped[int | None] = mapped_column()
    # Its certificates expire this many months after issue (NULL: never), e.g. a clearance
    # that must be renewed after a new sign-off.
    valid_for_months: Mapped[int | None] = mapped_column()
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<LadderStage {self.position} {self.code}>"


class StageSkill(CentreScoped, Model):
    """A wheelchair skills checklist item a sign-off stage requires (``progress.skills``)."""

    __tablename__ = "ladder_stage_skill"
    __personal_data__ = declare(not_personal=("id", "stage_id", "item_id", "centre_id"))
    __table_args__ = (sa.UniqueConstraint("stage_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("ladder_stage.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measure_item.id", ondelete="CASCADE"), index=True
    )

    item: Mapped[MeasureItem] = relationship(lazy="raise")


class Award(CentreScoped, Model):
    """A stage or club a participant reached, with its evidence and who verified it."""

    __tablename__ = "award"
    __personal_data__ = declare(
        subject="participant_id",
        section="awards",
        sort=("achieved_at", "id"),
        describe="Ladder stages and clubs reached",
        order=70,
        names={"verified_by": "verified_by"},
        derived=lambda award: {"title": _award_title(award)},
        load=("stage",),
        kept=(
            "key",
            "stage_id",
            "club_code",
            "achieved_at",
            "evidence_session_id",
            "verified_at",
            "needs_review",
            "review_reason",
        ),
        not_personal=(
            "id",
            "participant_id",
            "verified_by_id",
            "version",
            "created_at",
            "centre_id",
        ),
    )
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "key"),
        # "Awards waiting for verification" across a centre.
        sa.Index("ix_award_centre_verified", "centre_id", "verified_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(60))
    stage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ladder_stage.id", ondelete="RESTRICT"), index=True
    )
    club_code: Mapped[str | None] = mapped_column(sa.String(40))
    achieved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evidence_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="SET NULL"), index=True
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # A verified award whose evidence changed or vanished: a person decides, the code never does.
    # ``review_reason`` says why while ``needs_review`` is set; once a person has kept an award
    # that nothing supports any more it holds ``KEPT_BY_PERSON`` (and the engine leaves it be).
    needs_review: Mapped[bool] = mapped_column(default=False)
    review_reason: Mapped[str | None] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    stage: Mapped[LadderStage | None] = relationship(lazy="raise")
    verified_by: Mapped[User | None] = relationship(lazy="raise")
    participant: Mapped[Participant] = relationship(lazy="raise")
    evidence_session: Mapped[TrainingSession | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<Award {self.key} p{self.participant_id}>"


class ParticipantSummary(CentreScoped, Model):
    """What a participant's overview shows that is derived from their whole history, stored.

    Computed when the page is first read after anything it shows changed, then read as one row:
    valid while ``stamp`` equals the participant's ``summary_stamp`` (renewed by every change of
    their sessions, awards or ladder), ``computed_on`` is today in the centre's time zone (weekly
    figures move with the calendar) and ``settings`` match the centre's display settings.
    ``flask --app heartbeat rebuild-summaries`` recomputes them all.
    """

    __tablename__ = "participant_summary"
    # Figures derived from their sessions, kept like the sessions' numbers; no names in it.
    __personal_data__ = declare(
        kept=("payload",),
        not_personal=(
            "participant_id",
            "stamp",
            "computed_on",
            "settings",
            "computed_at",
            "centre_id",
        ),
    )

    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    stamp: Mapped[int] = mapped_column(sa.BigInteger)
    computed_on: Mapped[date] = mapped_column(sa.Date)
    settings: Mapped[str] = mapped_column(sa.String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

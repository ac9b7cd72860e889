"""Participants and what belongs to them: consents, status history, equipment, notes.

Every table carries ``centre_id`` itself (the isolation rule in DESIGN.md). Rows are never
deleted: a participant who leaves is *withdrawn*, a refit is a new fitting, a note stays.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.i18n import _, _l, _lp
from heartbeat.core.personal import Computed, declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model
from heartbeat.participants.classification import ClassificationStatus
from heartbeat.participants.names import NameOrder, join_name
from heartbeat.participants.rules import heart_rate_unreliable

# What erasure leaves in place of a date of birth the schema requires, and of free text.
PLACEHOLDER_BIRTH = date(1900, 1, 1)
ERASED_TEXT = "(erased)"


class Labelled(enum.StrEnum):
    """A stored value with a human label."""

    @property
    def label(self) -> str:
        """In the reader's language (English outside a request)."""
        return str(_LABELS[self])

    @property
    def lazy_label(self) -> Any:
        """The label read when shown: for text made once, before any request (form choices)."""
        return _LABELS[self]


class ImpairmentCategory(Labelled):
    SCI = "sci"
    AMPUTATION = "amputation"
    CEREBRAL_PALSY = "cerebral_palsy"
    SPINA_BIFIDA = "spina_bifida"
    OTHER = "other"


class RacingClass(Labelled):
    T51 = "T51"
    T52 = "T52"
    T53 = "T53"
    T54 = "T54"
    T33 = "T33"
    T34 = "T34"
    T71 = "T71"
    T72 = "T72"
    UNCLASSIFIED = "unclassified"

    @property
    def short(self) -> str:
        return _("Not classified") if self is RacingClass.UNCLASSIFIED else self.value


class ParticipantStatus(Labelled):
    ACTIVE = "active"
    PAUSED = "paused"
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


class ConsentKind(Labelled):
    DATA_PROCESSING = "data_processing"
    MEDIA = "media"
    PUBLIC_VERIFICATION = "public_verification"


class Gloves(Labelled):
    SOFT = "soft"
    HARD = "hard"
    PRINTED = "printed_3d"


_LABELS: dict[enum.Enum, Any] = {
    ImpairmentCategory.SCI: _l("Spinal-cord injury"),
    ImpairmentCategory.AMPUTATION: _l("Amputation"),
    ImpairmentCategory.CEREBRAL_PALSY: _l("Cerebral palsy"),
    ImpairmentCategory.SPINA_BIFIDA: _l("Spina bifida"),
    ImpairmentCategory.OTHER: _l("Other"),
    RacingClass.T51: _l("T51 (pulling action only)"),
    RacingClass.T52: _l("T52 (limited finger function)"),
    RacingClass.T53: _l("T53 (full arms, no trunk)"),
    RacingClass.T54: _l("T54 (full arms, some or full trunk)"),
    RacingClass.T33: _l("T33 (coordination impairment)"),
    RacingClass.T34: _l("T34 (coordination impairment, near-normal arms)"),
    RacingClass.T71: _l("T71 (frame running)"),
    RacingClass.T72: _l("T72 (frame running)"),
    RacingClass.UNCLASSIFIED: _l("Not yet classified"),
    ParticipantStatus.ACTIVE: _l("Active"),
    ParticipantStatus.PAUSED: _l("Paused"),
    ParticipantStatus.GRADUATED: _l("Graduated"),
    ParticipantStatus.WITHDRAWN: _l("Withdrawn"),
    ConsentKind.DATA_PROCESSING: _l("Processing of their personal and health data"),
    ConsentKind.MEDIA: _l("Photos and other media"),
    ConsentKind.PUBLIC_VERIFICATION: _l("Certificate verification page shows their name"),
    Gloves.SOFT: _lp("racing gloves", "Soft"),
    Gloves.HARD: _lp("racing gloves", "Hard"),
    Gloves.PRINTED: _l("3-D printed"),
}


def new_summary_stamp() -> int:
    return secrets.randbits(62)


class Participant(CentreScoped, Model):
    __tablename__ = "participant"
    __personal_data__ = declare(
        subject="id",
        section="details",
        describe="Their details as recorded, their therapist, and their portal login",
        order=0,
        names={"therapist": "therapist"},
        erased={
            "given_name": "Erased participant",
            "family_name": Computed(lambda m: sa.literal("#") + sa.cast(m.id, sa.String)),
            "preferred_name": None,
            "date_of_birth": PLACEHOLDER_BIRTH,
            "email": None,
            "phone": None,
            "emergency_name": None,
            "emergency_phone": None,
            "condition": None,
            "sci_level": None,
            "goal": None,
            "goal_milestone": None,
            "goal_target_on": None,
            "name_order": NameOrder.GIVEN_FIRST,
        },
        kept=(
            "impairment",
            "racing_class",
            "classification_status",
            "classification_review_on",
            "classification_checklist",
            "enrolled_on",
            "status",
            "current_stage_id",
            "last_session_at",
            "last_pain",
        ),
        not_personal=(
            "id",
            "user_id",
            "therapist_id",
            "summary_stamp",
            "erased_at",
            "version",
            "created_at",
            "updated_at",
            "centre_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The portal login, once the participant has accepted an invitation.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    given_name: Mapped[str] = mapped_column(sa.String(80))
    family_name: Mapped[str] = mapped_column(sa.String(80))
    preferred_name: Mapped[str | None] = mapped_column(sa.String(80))
    # Which part of their name comes first when it is written in full (names.py).
    name_order: Mapped[NameOrder] = mapped_column(
        string_enum(NameOrder, 16),
        default=NameOrder.GIVEN_FIRST,
        server_default=NameOrder.GIVEN_FIRST.value,
    )
    date_of_birth: Mapped[date] = mapped_column(sa.Date)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    emergency_name: Mapped[str | None] = mapped_column(sa.String(120))
    emergency_phone: Mapped[str | None] = mapped_column(sa.String(40))
    impairment: Mapped[ImpairmentCategory] = mapped_column(string_enum(ImpairmentCategory))
    condition: Mapped[str | None] = mapped_column(sa.Text)
    sci_level: Mapped[str | None] = mapped_column(sa.String(3))
    racing_class: Mapped[RacingClass] = mapped_column(string_enum(RacingClass, 16), index=True)
    classification_status: Mapped[ClassificationStatus] = mapped_column(
        string_enum(ClassificationStatus, 8)
    )
    classification_review_on: Mapped[date | None] = mapped_column(sa.Date)
    # The Medical Diagnostics Form checklist's ticked items (``classification.MDF_ITEMS`` keys).
    classification_checklist: Mapped[list[str] | None] = mapped_column(sa.JSON)
    enrolled_on: Mapped[date] = mapped_column(sa.Date)
    therapist_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    goal: Mapped[str | None] = mapped_column(sa.Text)
    goal_milestone: Mapped[str | None] = mapped_column(sa.String(200))
    goal_target_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[ParticipantStatus] = mapped_column(
        string_enum(ParticipantStatus, 16), default=ParticipantStatus.ACTIVE, index=True
    )
    # The lowest active ladder stage not yet reached (None at the top, or before a ladder exists).
    # Kept by the milestone engine so lists can filter, sort and count by stage in SQL.
    current_stage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ladder_stage.id", ondelete="SET NULL"), index=True
    )
    # Set when their personal data was erased at their request: the row stays for the centre's
    # statistics, anonymised, and can no longer be edited.
    # When their latest session started and the latest pain score they gave, kept by the
    # milestone engine so the caseload's "needs attention" lists read one row per person.
    last_session_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_pain: Mapped[int | None] = mapped_column()
    # A new random number each time anything their progress summary shows changes: their
    # sessions (the milestone engine, which runs after every change, renews it), their awards
    # and their centre's ladder (``progress.overview.renew_stamps``). The stored summary is kept
    # under it. Random rather than counted, so no two databases or restores share a value.
    summary_stamp: Mapped[int] = mapped_column(
        sa.BigInteger, default=new_summary_stamp, server_default="0"
    )
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic locking: bumped by every UPDATE; a form carries the value it was built from.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    therapist: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[therapist_id])
    user: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[user_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index("ix_participant_centre_name", "centre_id", "family_name", "given_name"),
    )

    @property
    def full_name(self) -> str:
        """Their given and family names, in their order."""
        return join_name(self.given_name, self.family_name, self.name_order)

    @property
    def display_name(self) -> str:
        """The name to call them by, with the family name for clarity, in their order."""
        return join_name(self.preferred_name or self.given_name, self.family_name, self.name_order)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def hr_unreliable(self) -> bool:
        """Heart rate cannot be trusted to judge effort (spinal-cord injury at or above T6)."""
        return self.impairment == ImpairmentCategory.SCI and heart_rate_unreliable(self.sci_level)

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.full_name}>"


class Consent(CentreScoped, Model):
    """The current answer to one kind of consent; every change is in the audit trail."""

    __tablename__ = "consent"
    __personal_data__ = declare(
        subject="participant_id",
        section="consents",
        sort=("kind",),
        describe="Their answers to each consent, with who recorded them and when",
        order=10,
        names={"recorded_by": "recorded_by"},
        kept=("kind", "given", "recorded_on"),
        not_personal=("id", "participant_id", "recorded_by_id", "recorded_at", "centre_id"),
    )
    __table_args__ = (sa.UniqueConstraint("participant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(string_enum(ConsentKind))
    given: Mapped[bool] = mapped_column(default=False)
    recorded_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="raise")


class StatusChange(CentreScoped, Model):
    __tablename__ = "status_change"
    __personal_data__ = declare(
        subject="participant_id",
        section="status_history",
        sort=("-changed_on", "-id"),
        describe="Every change of status (enrolment, pauses, withdrawal...)",
        order=20,
        names={"changed_by": "changed_by"},
        erased={"reason": ERASED_TEXT},
        kept=("from_status", "to_status", "changed_on"),
        not_personal=("id", "participant_id", "changed_by_id", "created_at", "centre_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    # None for the enrolment itself.
    from_status: Mapped[ParticipantStatus | None] = mapped_column(
        string_enum(ParticipantStatus, 16)
    )
    to_status: Mapped[ParticipantStatus] = mapped_column(string_enum(ParticipantStatus, 16))
    changed_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    changed_by: Mapped[User | None] = relationship(lazy="raise")


class EquipmentFitting(CentreScoped, Model):
    """One fitting of a racing chair; a refit is a new row, so the history stays."""

    __tablename__ = "equipment_fitting"
    __personal_data__ = declare(
        subject="participant_id",
        section="equipment",
        sort=("-fitted_on", "-id"),
        describe="Every racing-chair fitting",
        order=30,
        names={"recorded_by": "recorded_by"},
        erased={"notes": None},
        kept=("chair_make", "chair_model", "fitted_on", "wheel_size", "push_rim_mm", "gloves"),
        not_personal=("id", "participant_id", "recorded_by_id", "created_at", "centre_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    chair_make: Mapped[str] = mapped_column(sa.String(80))
    chair_model: Mapped[str | None] = mapped_column(sa.String(80))
    fitted_on: Mapped[date] = mapped_column(sa.Date)
    wheel_size: Mapped[str | None] = mapped_column(sa.String(20))
    push_rim_mm: Mapped[int | None] = mapped_column()
    gloves: Mapped[Gloves | None] = mapped_column(string_enum(Gloves, 16))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def chair(self) -> str:
        return " ".join(part for part in (self.chair_make, self.chair_model) if part)


class Note(CentreScoped, Model):
    """A staff note; private to staff unless shared with the participant."""

    __tablename__ = "participant_note"
    __personal_data__ = declare(
        subject="participant_id",
        section="notes",
        sort=("-created_at", "-id"),
        describe="Every note staff wrote, shared with them or not",
        order=40,
        audit_entity="note",
        names={"author": "author"},
        erased={"body": ERASED_TEXT},
        kept=("shared",),
        not_personal=("id", "participant_id", "author_id", "created_at", "centre_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")

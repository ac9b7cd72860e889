"""Training sessions and the device files they came from.

Stored in SI units: metres and seconds. ``TrainingSession`` carries ``centre_id`` itself (the
isolation rule), is versioned for stale-edit detection, and is the evidence awards point at.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.i18n import _l, gettext
from heartbeat.core.personal import Computed, declare
from heartbeat.db import CentreScoped, UTCDateTime, string_enum, utcnow
from heartbeat.extensions import Model
from heartbeat.participants.models import Participant
from heartbeat.training import kinds as _kinds

# Defined in kinds.py (no database behind it, for the pure packages), re-exported here.
from heartbeat.training.kinds import SessionKind as SessionKind

# The kinds' labels in the reader's language (kinds.py stands alone, without the app's gettext).
# Read when asked for, as plain text: a label may go into JSON or a stored summary.
_kinds.translate = gettext


class PainSite(enum.StrEnum):
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    WRIST = "wrist"
    HAND = "hand"
    BACK = "back"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(_PAIN_SITE_LABELS[self])


_PAIN_SITE_LABELS = {
    PainSite.SHOULDER: _l("Shoulder"),
    PainSite.ELBOW: _l("Elbow"),
    PainSite.WRIST: _l("Wrist"),
    PainSite.HAND: _l("Hand"),
    PainSite.BACK: _l("Back"),
    PainSite.OTHER: _l("Other"),
}


class SessionSource(enum.StrEnum):
    """How the session reached us."""

    STAFF = "staff"  # typed in by a therapist or coach
    SELF_REPORT = "self_report"  # typed in by the participant (counts once verified)
    DEVICE_FILE = "device_file"  # GPX, TCX or FIT upload
    CSV_IMPORT = "csv_import"  # bulk import

    @property
    def label(self) -> str:
        return str(_SOURCE_LABELS[self])


_SOURCE_LABELS = {
    SessionSource.STAFF: _l("Logged by staff"),
    SessionSource.SELF_REPORT: _l("Self-reported"),
    SessionSource.DEVICE_FILE: _l("Device file"),
    SessionSource.CSV_IMPORT: _l("CSV import"),
}


class TrainingSession(CentreScoped, Model):
    __tablename__ = "training_session"
    # Numbers stay for the centre's totals; the words go.
    __personal_data__ = declare(
        subject="participant_id",
        section="training_sessions",
        sort=("started_at", "id"),
        describe="Every training session and race",
        order=50,
        names={"recorded_by": "recorded_by", "verified_by": "verified_by"},
        erased={"notes": None},
        kept=(
            "started_at",
            "kind",
            "distance_m",
            "moving_time_s",
            "elapsed_time_s",
            "cadence_ppm",
            "avg_hr",
            "max_hr",
            "rpe",
            "pain",
            "pain_site",
            "symptom_reported",
            "surface",
            "weather",
            "chair",
            "elevation_gain_m",
            "event_name",
            "official_time_s",
            "place_in_class",
            "source",
            "self_reported",
            "verified_at",
            "before_enrolment",
        ),
        not_personal=(
            "id",
            "participant_id",
            "verified_by_id",
            "recorded_by_id",
            "version",
            "created_at",
            "updated_at",
            "centre_id",
        ),
    )
    __table_args__ = (
        # The participant page reads one person's sessions in date order; every query in a
        # request also says which centre (the isolation filter), so centre_id sits in the index
        # too, and counting or listing someone's sessions never visits the table.
        sa.Index(
            "ix_training_session_participant_started", "participant_id", "centre_id", "started_at"
        ),
        # Centre-wide lists and the dashboard read by date within a centre.
        sa.Index("ix_training_session_centre_started", "centre_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[SessionKind] = mapped_column(string_enum(SessionKind, 16))
    distance_m: Mapped[float] = mapped_column(sa.Float, default=0.0)
    moving_time_s: Mapped[int | None] = mapped_column()
    elapsed_time_s: Mapped[int | None] = mapped_column()
    cadence_ppm: Mapped[int | None] = mapped_column()  # pushes per minute
    avg_hr: Mapped[int | None] = mapped_column()
    max_hr: Mapped[int | None] = mapped_column()
    rpe: Mapped[int | None] = mapped_column()  # Borg CR10, 0-10
    pain: Mapped[int | None] = mapped_column()  # 0-10
    pain_site: Mapped[PainSite | None] = mapped_column(string_enum(PainSite, 16))
    symptom_reported: Mapped[bool] = mapped_column(default=False)
    surface: Mapped[str | None] = mapped_column(sa.String(80))
    weather: Mapped[str | None] = mapped_column(sa.String(80))
    chair: Mapped[str | None] = mapped_column(sa.String(120))
    elevation_gain_m: Mapped[float | None] = mapped_column(sa.Float)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # Races only.
    event_name: Mapped[str | None] = mapped_column(sa.String(200))
    official_time_s: Mapped[int | None] = mapped_column()
    place_in_class: Mapped[int | None] = mapped_column()

    source: Mapped[SessionSource] = mapped_column(
        string_enum(SessionSource, 16), default=SessionSource.STAFF
    )
    # A self-reported session counts towards milestones only once a therapist verifies it.
    self_reported: Mapped[bool] = mapped_column(default=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # History from before the participant's enrolment, saved as such because the person entering
    # it said so (a session before enrolment is refused otherwise: ``values.date_problem``).
    # History never dates an award by itself: see ``progress.rules`` and the milestone engine.
    before_enrolment: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship(lazy="raise")
    recorded_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[recorded_by_id])
    verified_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[verified_by_id])
    # The database deletes the file's row with its session (ON DELETE CASCADE).
    activity_file: Mapped[ActivityFile | None] = relationship(
        lazy="raise", back_populates="session", uselist=False, passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def participant_user_id(self) -> int | None:
        """The portal login of the session's participant (load ``participant`` with it)."""
        return self.participant.user_id

    @hybrid_property
    def counts(self) -> bool:
        """Confirmed: not a self-report still waiting for a therapist. The one definition, in
        Python and (below) in SQL; what confirmed sessions count for is in ``progress.rules``."""
        return not self.self_reported or self.verified_at is not None

    @counts.inplace.expression
    @classmethod
    def _counts_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(cls.self_reported.is_(False), cls.verified_at.is_not(None))

    @property
    def is_race(self) -> bool:
        return self.kind == SessionKind.RACE

    @property
    def duration_s(self) -> int | None:
        return self.moving_time_s if self.moving_time_s is not None else self.elapsed_time_s

    @property
    def load(self) -> float | None:
        """Session-RPE load: RPE x minutes."""
        if self.rpe is None or self.duration_s is None:
            return None
        return self.rpe * self.duration_s / 60

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} p{self.participant_id} {self.kind} {self.distance_m} m>"


class ActivityFile(CentreScoped, Model):
    """The device file a session was imported from: its fingerprint, summary and route."""

    __tablename__ = "activity_file"
    # A GPS track shows where someone lives and trains; a file name often carries a name.
    __personal_data__ = declare(
        subject="participant_id",
        section="activity_files",
        describe="Device files (GPX, TCX, FIT): what was read from them",
        order=60,
        erased={
            "route": [],
            "original_name": Computed(lambda m: sa.literal("erased.") + m.source_format),
            # The kept original goes too (training.storage removes it from the files folder).
            "stored_key": None,
            "stored_sha256": None,
        },
        kept=("summary", "size_bytes", "source_format"),
        files=lambda row: _original_file(row),
        not_personal=(
            "id",
            "session_id",
            "participant_id",
            "fingerprint",
            "uploaded_by_id",
            "uploaded_at",
            "centre_id",
        ),
    )
    __table_args__ = (
        # The same file uploaded twice in one centre is refused.
        sa.UniqueConstraint("centre_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), unique=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of the bytes
    source_format: Mapped[str] = mapped_column(sa.String(8))  # gpx | tcx | fit
    original_name: Mapped[str] = mapped_column(sa.String(255))
    size_bytes: Mapped[int] = mapped_column()
    # What the parser said (ParsedActivity.to_json_dict) and the downsampled route for the preview.
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    route: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The original file as uploaded (a .gz as it came), kept compressed in the files folder
    # (core.filestore); None for files imported before originals were kept, and after erasure.
    stored_key: Mapped[str | None] = mapped_column(sa.String(120))
    stored_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    session: Mapped[TrainingSession] = relationship(lazy="raise", back_populates="activity_file")

    @property
    def kept(self) -> bool:
        return self.stored_key is not None


def _original_file(row: ActivityFile) -> tuple[str, bytes] | None:
    """The subject-access export's copy of a kept original: (file name, bytes)."""
    from heartbeat.training import storage  # the store reads the app's setting

    return storage.original_for_export(row)

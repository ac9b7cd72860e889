"""Training's part of a participant's own export: their sessions as CSV, and the original
device files they came from (``participants.own_export``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from heartbeat.core import filestore
from heartbeat.core.csvfiles import write_csv
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.participants.own_export import ExportPart, register_part
from heartbeat.training import storage
from heartbeat.training.models import ActivityFile, TrainingSession

COLUMNS = (
    "session_id",
    "started_at_utc",
    "kind",
    "distance_m",
    "moving_time_s",
    "elapsed_time_s",
    "avg_hr",
    "max_hr",
    "cadence_ppm",
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
    "notes",
    "source",
    "self_reported",
    "verified",
    "before_enrolment",
    "device_file",
)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return getattr(value, "value", value)


def sessions_csv(participant_id: int) -> bytes:
    rows = db.session.execute(
        sa.select(TrainingSession, ActivityFile.original_name)
        .outerjoin(ActivityFile, ActivityFile.session_id == TrainingSession.id)
        .where(TrainingSession.participant_id == participant_id)
        .order_by(TrainingSession.started_at, TrainingSession.id)
    ).all()
    out = []
    for session, file_name in rows:
        values = {column: getattr(session, column, None) for column in COLUMNS}
        values.update(
            session_id=session.id,
            started_at_utc=session.started_at.isoformat(),
            verified=session.verified_at is not None or not session.self_reported,
            device_file=file_name,
        )
        out.append([_cell(values[column]) for column in COLUMNS])
    return write_csv(COLUMNS, out).encode("utf-8")


def _kept(participant_id: int) -> sa.Select[ActivityFile]:
    return (
        sa.select(ActivityFile)
        .where(ActivityFile.participant_id == participant_id, ActivityFile.stored_key.is_not(None))
        .order_by(ActivityFile.session_id)
    )


def count(participant: Participant) -> int:
    kept = db.session.scalar(
        sa.select(sa.func.count()).select_from(_kept(participant.id).subquery())
    )
    return 1 + int(kept or 0)


def files(participant: Participant) -> Iterator[tuple[str, bytes]]:
    yield "sessions.csv", sessions_csv(participant.id)
    for file in db.session.scalars(_kept(participant.id)):
        try:
            data = storage.original(file)
        except (filestore.StoredFileMissing, filestore.StoredFileDamaged):
            continue  # not kept any more: the CSV still names it
        yield f"device-files/{storage.export_name(file)}", data


def register() -> None:
    register_part(
        ExportPart(
            name="sessions",
            describe=(
                "sessions.csv: every training session; device-files/: the files your watch or "
                "app saved, exactly as uploaded"
            ),
            order=10,
            count=count,
            files=files,
        )
    )

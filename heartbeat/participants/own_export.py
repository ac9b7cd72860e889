"""A participant's own export: their data as a ZIP they download from their portal.

Friendlier than the subject-access export (which staff make, with every column and the audit
trail): the things a person takes with them to another centre or app. This package knows only
the frame; the features above add their parts (``register_part`` in their ``hooks.py``):
training its sessions as CSV and the original device files, certificates each PDF and signed
credential. The archive is built in one pass, part by part, reporting progress per file, and
the export is audited (``participant.own_export``, with the number of files of each part).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.wording import plural
from heartbeat.db import utcnow
from heartbeat.participants.models import Participant

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ExportPart:
    """One part of the archive: ``files`` yields (path in the ZIP, bytes); ``count`` says how
    many it will yield, cheaply (for the progress bar and the choice of a background job)."""

    name: str
    describe: str
    order: int
    count: Callable[[Participant], int]
    files: Callable[[Participant], Iterable[tuple[str, bytes]]]


_PARTS: dict[str, ExportPart] = {}


def register_part(part: ExportPart) -> None:
    _PARTS[part.name] = part


def parts() -> list[ExportPart]:
    return sorted(_PARTS.values(), key=lambda part: (part.order, part.name))


def file_count(participant: Participant) -> int:
    return sum(part.count(participant) for part in parts())


def filename(participant: Participant, now: datetime) -> str:
    return f"my-heartbeat-miles-{participant.id}-{now.date().isoformat()}.zip"


def _readme(participant: Participant, now: datetime, counts: dict[str, int]) -> str:
    lines = [
        f"Your Heartbeat Miles data, {participant.full_name}",
        f"Made {now.isoformat(timespec='seconds')} (UTC).",
        "",
        "Distances are in metres, durations in seconds, times in UTC (ISO 8601).",
        "",
    ]
    lines += [f"{part.describe} ({plural(counts[part.name], 'file', 'files')})" for part in parts()]
    return "\r\n".join(lines) + "\r\n"


def build(
    participant: Participant,
    *,
    actor: User | None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, dict[str, int]]:
    """The ZIP's bytes and how many files each part gave; the export is audited."""
    now = now or utcnow()
    total = max(1, file_count(participant))
    counts: dict[str, int] = {}
    done = 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in parts():
            counts[part.name] = 0
            for path, data in part.files(participant):
                archive.writestr(path, data)
                counts[part.name] += 1
                done += 1
                if progress is not None:
                    progress(
                        min(done, total), total, f"{done:,} of {plural(total, 'file', 'files')}"
                    )
        archive.writestr("README.txt", _readme(participant, now, counts))
    audit.record(
        actor,
        participant.centre_id,
        "participant.own_export",
        "participant",
        participant.id,
        audit.created({"files": counts}),
        at=now,
    )
    return buffer.getvalue(), counts

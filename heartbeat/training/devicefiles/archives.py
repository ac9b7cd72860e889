"""Bulk archives: a ZIP of many activity files (a Strava or Garmin export, a folder zipped).

Pure reading, no Flask and no database. :func:`open_archive` judges the archive as a whole
before anything is unpacked, from its central directory: not a ZIP, too many entries, too many
bytes declared in all, or an entry that claims to unpack to more than ``max_ratio`` times its
packed size refuses the whole archive (:class:`ArchiveRefused`), so a zip bomb costs nothing.
:func:`entries` then yields each entry in order, either with its bytes or with the reason it is
skipped: a path that is absolute or climbs out (``..``), a link, an encrypted entry, a name that
is no activity file, an entry larger than one activity may be. Entries are read into memory
only, never extracted to disk, each read stopping one byte past what it declared or past the
one-file limit, and the bytes actually unpacked are counted against the total as well (a
central directory may lie).
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from heartbeat.training.devicefiles.activity import MAX_FILE_BYTES

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")

NOT_A_ZIP = "This file is not a ZIP archive (or it is damaged)."
TOO_MANY_ENTRIES = (
    "This archive holds {count:,} entries, more than the {limit:,} one upload may hold; "
    "nothing was imported. Split it into smaller archives."
)
TOO_LARGE = (
    "This archive unpacks to {size_mb:,.0f} MB, more than the {limit_mb:,.0f} MB one upload may "
    "hold; nothing was imported. Split it into smaller archives."
)
TOO_COMPRESSED = (
    "An entry of this archive ({name}) claims to unpack to {ratio:,.0f} times its size, more "
    "than any activity file does: the archive is refused and nothing was imported."
)
NESTED_NOTE = "An archive inside the archive: upload it on its own."

SKIP_PATH = "Refused: its path leaves the archive (absolute, or with ..)."
SKIP_LINK = "Refused: a link, not a file."
SKIP_ENCRYPTED = "Skipped: encrypted."
SKIP_NOT_ACTIVITY = "Skipped: not an activity file (only .fit, .gpx, .tcx, and those .gz)."
SKIP_TOO_LARGE = f"Skipped: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB unpacked."
SKIP_DAMAGED = "Skipped: damaged in the archive (it does not unpack)."
SKIP_SIZE_LIED = "Refused: it unpacks to more than the archive says."


class ArchiveRefused(ValueError):
    """The archive as a whole is refused; the message is for the person who uploaded it
    (``template`` and ``values`` as for :class:`~.activity.ActivityFileError`)."""

    def __init__(self, template: str, **values: Any) -> None:
        super().__init__(template.format(**values) if values else template)
        self.template = template
        self.values = values


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_entries: int = 2000
    max_bytes: int = 1024 * 1024 * 1024
    max_ratio: float = 100.0

    @classmethod
    def from_config(cls, config: dict) -> ArchiveLimits:
        return cls(
            max_entries=int(config["HEARTBEAT_ARCHIVE_MAX_ENTRIES"]),
            max_bytes=int(config["HEARTBEAT_ARCHIVE_MAX_BYTES"]),
            max_ratio=float(config["HEARTBEAT_ARCHIVE_MAX_RATIO"]),
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of the archive: its bytes, or why it is not read (``skipped``)."""

    name: str
    data: bytes | None = None
    skipped: str | None = None


def is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def open_archive(data: bytes, limits: ArchiveLimits) -> zipfile.ZipFile:
    """The archive, judged whole from its directory, or :class:`ArchiveRefused`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ArchiveRefused(NOT_A_ZIP) from exc
    files = [member for member in members if not member.is_dir()]
    if len(files) > limits.max_entries:
        raise ArchiveRefused(TOO_MANY_ENTRIES, count=len(files), limit=limits.max_entries)
    declared = sum(member.file_size for member in files)
    if declared > limits.max_bytes:
        raise ArchiveRefused(TOO_LARGE, size_mb=declared / 2**20, limit_mb=limits.max_bytes / 2**20)
    for member in files:
        if member.file_size > 1024 * 1024 and (
            member.file_size > limits.max_ratio * max(member.compress_size, 1)
        ):
            ratio = member.file_size / max(member.compress_size, 1)
            raise ArchiveRefused(TOO_COMPRESSED, name=_shown(member.filename), ratio=ratio)
    return archive


def count_files(archive: zipfile.ZipFile) -> int:
    return sum(1 for member in archive.infolist() if not member.is_dir())


def entries(archive: zipfile.ZipFile, limits: ArchiveLimits) -> Iterator[Entry]:
    """Each file entry of the archive, in order, read or skipped with the reason."""
    unpacked = 0
    for member in archive.infolist():
        if member.is_dir():
            continue
        name = _shown(member.filename)
        skipped = _refused(member)
        if skipped is not None:
            yield Entry(name, skipped=skipped)
            continue
        if member.file_size > MAX_FILE_BYTES:
            yield Entry(name, skipped=SKIP_TOO_LARGE)
            continue
        try:
            with archive.open(member) as stream:
                data = stream.read(member.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
            yield Entry(name, skipped=SKIP_DAMAGED)
            continue
        if len(data) > member.file_size:
            yield Entry(name, skipped=SKIP_SIZE_LIED)
            continue
        unpacked += len(data)
        if unpacked > limits.max_bytes:  # declared sizes were checked; this is belt and braces
            raise ArchiveRefused(
                TOO_LARGE, size_mb=unpacked / 2**20, limit_mb=limits.max_bytes / 2**20
            )
        yield Entry(name, data=data)


def _refused(member: zipfile.ZipInfo) -> str | None:
    """Why an entry is not read at all, from its directory record alone."""
    raw = member.filename.replace("\\", "/")
    path = PurePosixPath(raw)
    if raw.startswith("/") or ".." in path.parts or (len(raw) > 1 and raw[1] == ":"):
        return SKIP_PATH
    if stat.S_ISLNK(member.external_attr >> 16):
        return SKIP_LINK
    if member.flag_bits & 0x1:
        return SKIP_ENCRYPTED
    if not raw.lower().endswith(ACTIVITY_SUFFIXES):
        if raw.lower().endswith(".zip"):
            return f"Skipped: {NESTED_NOTE}"
        return SKIP_NOT_ACTIVITY
    return None


def _shown(name: str) -> str:
    """The entry's name as the report shows it: printable, at most 255 characters."""
    cleaned = "".join(c if c.isprintable() else "_" for c in name)
    return cleaned[:255]

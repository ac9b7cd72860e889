"""Uploads kept for a moment while the person says what kind of session the file holds.

A FIT or TCX file often does not say its sport. Rather than ask for the file again, the upload
page keeps its bytes here, under a random token, and asks only for the kind. A kept file belongs
to one person and one participant (``owner``): the token alone opens nothing for anybody else.
Kept files live in a folder of their own (the instance folder's ``pending-uploads``), are
removed once saved, and are swept away after :data:`KEEP_FOR`.

No Flask, no database: the caller passes the folder and the time.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

KEEP_FOR = timedelta(hours=1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class PendingUpload:
    token: str
    file_name: str
    data: bytes
    kept_at: datetime


def keep(folder: Path, data: bytes, *, file_name: str, owner: str, now: datetime) -> str:
    """Keep ``data`` for ``owner`` and return its token; sweeps out anything expired."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    sweep(folder, now=now)
    token = secrets.token_urlsafe(32)
    meta = {"owner": owner, "file_name": file_name, "kept_at": now.isoformat()}
    _write(folder / f"{token}.bin", data)
    # The description is written last: a kept file without one is never handed out.
    _write(folder / f"{token}.json", json.dumps(meta).encode())
    return token


def take(folder: Path, token: str | None, *, owner: str, now: datetime) -> PendingUpload | None:
    """The file kept under ``token`` for ``owner``, or None (unknown, someone else's, expired)."""
    if token is None or not _TOKEN.match(token):
        return None
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        if meta.get("owner") != owner:
            return None
        kept_at = datetime.fromisoformat(meta["kept_at"])
        if now - kept_at > KEEP_FOR:
            discard(folder, token)
            return None
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return PendingUpload(token, str(meta.get("file_name") or ""), data, kept_at)


def owns(folder: Path, token: str | None, *, owner: str) -> bool:
    """Is ``token`` a kept upload of ``owner`` (expired or not)?"""
    if not _TOKEN.match(token or ""):
        return False
    try:
        return json.loads((folder / f"{token}.json").read_text()).get("owner") == owner
    except (OSError, ValueError, AttributeError):
        return False


def discard(folder: Path, token: str | None) -> None:
    """Remove what is kept under ``token`` (a half-written copy too)."""
    if not _TOKEN.match(token or ""):
        return
    for suffix in (".json", ".bin", ".json.part", ".bin.part"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def sweep(folder: Path, *, now: datetime) -> int:
    """Remove everything kept longer than :data:`KEEP_FOR`; returns how many uploads went."""
    cutoff = now - KEEP_FOR
    expired: set[str] = set()
    for path in folder.iterdir():
        token = path.name.split(".", 1)[0]
        if token in expired or not _TOKEN.match(token):
            continue
        try:
            kept_at = _kept_at(folder, token) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            continue  # removed by another request meanwhile
        if kept_at < cutoff:
            expired.add(token)
    for token in expired:
        discard(folder, token)
    return len(expired)


def _kept_at(folder: Path, token: str) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads((folder / f"{token}.json").read_text())["kept_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not described (yet): judged by the file's own time


def _write(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing, readable by this user only."""
    partial = path.with_name(path.name + ".part")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)
    os.replace(partial, path)

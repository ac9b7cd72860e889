"""Original files kept on disk: compressed with gzip, named by the SHA-256 of their bytes.

A stored file's key is ``<space>/<first two hex digits>/<sha256>.gz``, relative to the files
folder (``HEARTBEAT_FILES_DIR``, by default the instance folder's ``files``). The same bytes in
the same space are stored once. Files are written whole or not at all (a temporary name, then
an atomic rename), read back checked against their SHA-256, and never named from user input:
a key that is not of the form above is refused before the disk is touched.

Files follow the database transaction they belong to (:func:`put_in`, :func:`remove_on_commit`):
a file written for rows that are then rolled back is removed again, and a file whose row is
deleted or erased goes only once that commit has happened.

With ``HEARTBEAT_FILES_S3_BUCKET`` set, :func:`folder` names a bucket instead
(``core.s3store``): the same keys, bytes and checks, in an S3-compatible object store.

Flask only for the folder's setting (:func:`folder`).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm

from heartbeat.core import s3store
from heartbeat.core.s3store import Bucket

Root = Path | Bucket  # the files folder, or the bucket that stands in for it

_KEY = re.compile(r"^[a-z0-9-]{1,40}/[0-9a-f]{2}/[0-9a-f]{64}\.gz$")
_SPACE = re.compile(r"^[a-z0-9-]{1,40}$")


class StoredFileMissing(LookupError):
    """The file is not in the store (removed, or the folder was not restored with the database)."""


class StoredFileDamaged(ValueError):
    """The stored bytes no longer match their SHA-256."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    sha256: str
    size_bytes: int  # as given
    stored_bytes: int  # compressed, on disk


def folder() -> Root:
    """The files folder of the running app, or its bucket when one is configured."""
    bucket = str(current_app.config.get("HEARTBEAT_FILES_S3_BUCKET") or "").strip()
    if bucket:
        return Bucket(
            name=bucket,
            endpoint=str(current_app.config.get("HEARTBEAT_FILES_S3_ENDPOINT") or "").strip(),
            region=str(current_app.config.get("HEARTBEAT_FILES_S3_REGION") or "").strip(),
            prefix=str(current_app.config.get("HEARTBEAT_FILES_S3_PREFIX") or "").strip(),
        )
    configured = str(current_app.config.get("HEARTBEAT_FILES_DIR") or "").strip()
    return Path(configured) if configured else Path(current_app.instance_path) / "files"


def key_for(space: str, sha256: str) -> str:
    if not _SPACE.match(space):
        raise ValueError(f"not a storage space: {space!r}")
    return f"{space}/{sha256[:2]}/{sha256}.gz"


def _path(root: Path, key: str) -> Path:
    if not _KEY.match(key):
        raise StoredFileMissing(key)
    return root / key


def put(root: Root, space: str, data: bytes) -> StoredFile:
    """Store ``data`` in ``space`` (kept as it is when the same bytes are there already)."""
    return _put(root, space, data)[0]


def put_in(session: orm.Session, root: Root, space: str, data: bytes) -> StoredFile:
    """:func:`put`, removed again if ``session``'s transaction rolls back (when it is new)."""
    stored, created = _put(root, space, data)
    if created:
        session.info.setdefault(_WRITTEN, []).append((root, stored.key))
    return stored


def remove_on_commit(session: orm.Session, root: Root, key: str | None) -> None:
    """Remove the file under ``key`` once ``session``'s transaction commits (never before)."""
    if key:
        session.info.setdefault(_DOOMED, []).append((root, key))


_WRITTEN = "filestore.written"
_DOOMED = "filestore.doomed"


def _after_commit(session: orm.Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    session.info.pop(_WRITTEN, None)
    for root, key in session.info.pop(_DOOMED, []):
        remove(root, key)


def _after_soft_rollback(session: orm.Session, previous: orm.SessionTransaction) -> None:
    if previous.parent is not None:
        return  # a savepoint: its files are written last, once nothing more can fail in it
    session.info.pop(_DOOMED, None)
    for root, key in session.info.pop(_WRITTEN, []):
        remove(root, key)


sa.event.listen(orm.Session, "after_commit", _after_commit)
sa.event.listen(orm.Session, "after_soft_rollback", _after_soft_rollback)


def _put(root: Root, space: str, data: bytes) -> tuple[StoredFile, bool]:
    digest = hashlib.sha256(data).hexdigest()
    key = key_for(space, digest)
    if isinstance(root, Bucket):
        stored_bytes = s3store.size(root, key)
        if stored_bytes is None:
            packed = gzip.compress(data, compresslevel=6, mtime=0)
            s3store.put(root, key, packed)
            return StoredFile(key, digest, len(data), len(packed)), True
        return StoredFile(key, digest, len(data), stored_bytes), False
    path = _path(root, key)
    created = not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        # mtime=0: the same bytes always compress to the same stored file.
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            out.write(packed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    return StoredFile(key, digest, len(data), path.stat().st_size), created


def _packed(root: Root, key: str) -> bytes:
    if isinstance(root, Bucket):
        if not _KEY.match(key):
            raise StoredFileMissing(key)
        packed = s3store.get(root, key)
        if packed is None:
            raise StoredFileMissing(key)
        return packed
    try:
        return _path(root, key).read_bytes()
    except FileNotFoundError:
        raise StoredFileMissing(key) from None


def read(root: Root, key: str, *, sha256: str | None = None) -> bytes:
    """The original bytes stored under ``key``, checked against their SHA-256."""
    packed = _packed(root, key)
    try:
        data = gzip.decompress(packed)
    except (OSError, EOFError) as exc:
        raise StoredFileDamaged(key) from exc
    expected = sha256 or key.rsplit("/", 1)[-1].removesuffix(".gz")
    if hashlib.sha256(data).hexdigest() != expected:
        raise StoredFileDamaged(key)
    return data


def remove(root: Root, key: str | None) -> bool:
    """Delete the file stored under ``key``; False when there was none."""
    if not key or not _KEY.match(key):
        return False
    if isinstance(root, Bucket):
        return s3store.delete(root, key)
    try:
        (root / key).unlink()
    except FileNotFoundError:
        return False
    return True

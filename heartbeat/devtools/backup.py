"""Backups and restores of the whole database, and content checksums to prove a round trip.

SQLite: the online backup API copies a consistent snapshot while the app keeps running (no lock
held for long, WAL included). PostgreSQL: ``pg_dump`` custom format, restored with ``pg_restore``
(``--clean --if-exists``, one transaction), so a failed restore leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    kind: str  # "sqlite" | "postgresql"


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _libpq_url(engine: Engine) -> str:
    # pg_dump speaks libpq, which knows no "+psycopg" driver suffix.
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools.")
    return path


def backup(engine: Engine, destination: Path) -> BackupResult:
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        kind = "sqlite"
    elif engine.dialect.name == "postgresql":
        completed = subprocess.run(  # noqa: S603 - fixed tool, arguments we build
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(partial),
                "--dbname",
                _libpq_url(engine),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {completed.stderr.strip()}")
        kind = "postgresql"
    else:
        raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
    # Only a complete file ever carries the requested name.
    os.replace(partial, destination)
    return BackupResult(destination, destination.stat().st_size, kind)


def backup_kind(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Heartbeat Miles backup (neither SQLite nor pg_dump).")


def restore(engine: Engine, source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    kind = backup_kind(source)
    if kind != engine.dialect.name:
        raise BackupError(
            f"{source} is a {kind} backup; the configured database is {engine.dialect.name}."
        )
    engine.dispose()  # no pooled connection may hold the old database open
    if kind == "sqlite":
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} fails SQLite's integrity check.")
        finally:
            check.close()
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_path(engine))
        try:
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
        return
    completed = subprocess.run(  # noqa: S603 - fixed tool, arguments we build
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            _libpq_url(engine),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupError(f"pg_restore failed: {completed.stderr.strip()}")


def content_checksums(engine: Engine, metadata: sa.MetaData) -> dict[str, tuple[int, str]]:
    """Per table: (row count, SHA-256 of every row in primary-key order)."""
    sums: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            digest = hashlib.sha256()
            count = 0
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            sums[table.name] = (count, digest.hexdigest())
    return sums

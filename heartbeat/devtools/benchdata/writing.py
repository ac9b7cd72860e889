"""Writing generated rows fast: explicit ids, chunked executemany, PostgreSQL sequences moved on."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from heartbeat.extensions import db

CHUNK = 20_000


def chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def next_id(model) -> int:
    """The first free id of ``model``'s table: generated rows are numbered from here."""
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def bulk_insert(model, rows: list[dict]) -> None:
    table = model.__table__
    for chunk in chunks(rows):
        db.session.execute(table.insert(), chunk)


def fix_sequences(models) -> None:
    """Move PostgreSQL's id sequences past the explicit ids (SQLite needs nothing)."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # nosec B608  # our own table names, no input
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )

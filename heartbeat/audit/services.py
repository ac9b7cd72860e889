"""Writing the audit trail. Plain functions: they add and flush, the caller commits."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db

Changes = dict[str, dict[str, Any]]


def json_value(value: Any) -> Any:
    """A value as it is stored in the trail: enums by value, dates as ISO text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """Field-level changes between two snapshots: ``{field: {"before": x, "after": y}}``.

    A field missing from one side counts as None there; unchanged fields are left out.
    """
    changes: Changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = json_value(before.get(name)), json_value(after.get(name))
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes


def snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The row's values of ``fields``, to diff against later."""
    return {name: getattr(row, name) for name in fields}


def assign(row: Any, fields: Sequence[str], values: Mapping[str, Any]) -> Changes:
    """Set ``fields`` of ``row`` from ``values`` and return what changed (for the trail)."""
    before = snapshot(row, fields)
    for name in fields:
        setattr(row, name, values[name])
    return diff(before, snapshot(row, fields))


def created(values: Mapping[str, Any]) -> Changes:
    """The changes of a new record: every field that has a value, from nothing."""
    return diff({}, {name: value for name, value in values.items() if value is not None})


def mark_via(channel: str) -> None:
    """Every event this request records says how its actor came in (``"api"``)."""
    g.audit_via = channel


def _via() -> str | None:
    return g.get("audit_via") if has_request_context() else None


def record(
    actor: User | None,
    centre_id: int,
    action: str,
    entity: str,
    entity_id: int,
    changes: Changes,
    *,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        centre_id=centre_id,
        at=at or utcnow(),
        actor_id=actor.id if actor is not None else None,
        via=_via(),
        action=action,
        entity_type=entity,
        entity_id=entity_id,
        changes=changes,
    )
    db.session.add(event)
    db.session.flush()
    return event


REDACTED = "(erased)"


def _redacted(value: Any) -> Any:
    # Text carries names, notes, dates of birth; numbers and yes/no answers carry no identity.
    if isinstance(value, str):
        return REDACTED
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    return value


def redact(events: list[AuditEvent]) -> int:
    """Replace the text values recorded in ``events`` with "(erased)" (an erasure request).

    The trail is append-only for the app; this is the one deliberate exception, made with a
    plain UPDATE that bypasses the ORM guard. Who did what, when, to which record, and which
    fields changed all stay; only the recorded values go.
    """
    table = AuditEvent.__table__
    count = 0
    for event in events:
        changes = {
            name: {side: _redacted(value) for side, value in change.items()}
            if isinstance(change, dict)
            else _redacted(change)
            for name, change in (event.changes or {}).items()
        }
        if changes != event.changes:
            db.session.execute(
                sa.update(table).where(table.c.id == event.id).values(changes=changes)
            )
            count += 1
    return count

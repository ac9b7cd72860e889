"""The audit page's filters: what happened, who acted, whose records, and when (local dates).

Read from the query string (the filters are a GET form, so a filtered page can be bookmarked and
its pagination keeps them); anything unknown or malformed is left out, and a date that cannot be
read is reported next to its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from heartbeat.audit import registry
from heartbeat.audit.models import AuditEvent
from heartbeat.core.i18n import _
from heartbeat.db import row_id

# The "who" filter's value for rows no person wrote.
SYSTEM_ACTOR = "system"
# Rows about records since deleted still name their participant in the recorded changes. JSON is
# stored as serialised text on both backends (``json.dumps``'s spacing), so a text match finds it.
_OWNER_PATTERNS = (
    '%"participant_id": {{"before": null, "after": {pid}}}%',
    '%"participant_id": {{"before": {pid}, "after": null}}%',
    '%"participant_id": {{"before": {pid}, "after": {pid}}}%',
)


@dataclass
class AuditFilters:
    action: str = ""
    entity: str = ""
    entity_id: int | None = None
    actor: str = ""  # a user id, or SYSTEM_ACTOR
    participant_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def kept(self) -> dict[str, str]:
        """The filters in force, as query arguments (for pagination links)."""
        values = {
            "action": self.action,
            "entity": self.entity,
            "entity_id": str(self.entity_id or ""),
            "actor": self.actor,
            "participant": str(self.participant_id or ""),
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {name: value for name, value in values.items() if value}


def _row_id(raw: str | None) -> int | None:
    try:
        return row_id(raw or "")
    except ValueError:
        return None


def _day(args: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date as day, month and year, for example 2025-06-03.")
        return None


def parse(args: Mapping[str, str]) -> AuditFilters:
    errors: dict[str, str] = {}
    action = args.get("action", "")
    entity = args.get("entity", "")
    actor = args.get("actor", "")
    if actor != SYSTEM_ACTOR and _row_id(actor) is None:
        actor = ""
    found = AuditFilters(
        action=action if action in registry.action_labels() else "",
        entity=entity if entity in registry.entity_types() else "",
        entity_id=_row_id(args.get("entity_id")),
        actor=actor,
        participant_id=_row_id(args.get("participant")),
        date_from=_day(args, "from", errors),
        date_to=_day(args, "to", errors),
        errors=errors,
    )
    if found.date_from and found.date_to and found.date_from > found.date_to:
        errors["to"] = _("The last day must be on or after the first day.")
        found.date_to = None
    return found


def _local_midnight(day: date, zone: tzinfo) -> datetime | None:
    """The start of ``day`` in the centre's zone, in UTC; None past the calendar's ends."""
    try:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    except OverflowError:
        return None


def about_participant(participant_id: int) -> sa.ColumnElement[bool]:
    """Rows about any record of the participant: their own row, their sessions, awards, ...

    Each record type says which column holds its participant (``registry.entity``). A record
    since deleted is found through the trail itself: every row about a record that some row
    names the participant in its changes (the deletion records whose it was).
    """
    about: list[sa.ColumnElement[bool]] = []
    owned: list[str] = []
    for code, entity_type in registry.entity_types().items():
        column = entity_type.participant_column
        if column is None:
            continue
        (key,) = sa.inspect(column.class_).primary_key
        ids = sa.select(key).where(column == participant_id)
        about.append(sa.and_(AuditEvent.entity_type == code, AuditEvent.entity_id.in_(ids)))
        owned.append(code)
    if owned:
        other = aliased(AuditEvent)
        as_text = sa.cast(other.changes, sa.Text)
        mentions = sa.or_(
            *(as_text.like(pattern.format(pid=participant_id)) for pattern in _OWNER_PATTERNS)
        )
        named = sa.select(other.entity_type, other.entity_id).where(
            other.entity_type.in_(owned), mentions
        )
        about.append(sa.tuple_(AuditEvent.entity_type, AuditEvent.entity_id).in_(named))
    return sa.or_(*about) if about else sa.false()


def apply(stmt: sa.Select, filters: AuditFilters, zone: tzinfo) -> sa.Select:
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.entity:
        stmt = stmt.where(AuditEvent.entity_type == filters.entity)
    if filters.entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == filters.entity_id)
    if filters.actor == SYSTEM_ACTOR:
        stmt = stmt.where(AuditEvent.actor_id.is_(None))
    elif filters.actor:
        stmt = stmt.where(AuditEvent.actor_id == int(filters.actor))
    if filters.participant_id is not None:
        stmt = stmt.where(about_participant(filters.participant_id))
    start = _local_midnight(filters.date_from, zone) if filters.date_from else None
    if start is not None:
        stmt = stmt.where(AuditEvent.at >= start)
    if filters.date_to is not None and filters.date_to < date.max:
        end = _local_midnight(filters.date_to + timedelta(days=1), zone)
        if end is not None:
            stmt = stmt.where(AuditEvent.at < end)
    return stmt

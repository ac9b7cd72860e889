"""A page of audit events as people read them: labels, names and local times, never codes or ids.

Names come in bulk: every id on the page (who acted, which record, ids inside the changes) is
collected first, then each kind of id is named with one query (``registry.names``), so a page
costs the same number of queries whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.audit.models import AuditEvent
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _
from heartbeat.core.units import Units
from heartbeat.extensions import db

# Who acted when no person did (a scheduled job, the command line).
SYSTEM = "System"
# The participant a record belonged to, when the record itself is gone.
OWNER_FIELD = "participant_id"
OWNER_KIND = "participant"
# A list of ids (the participants a file enrolled) names this many, then says how many more.
MAX_LISTED = 20


@dataclass(frozen=True)
class ShownChange:
    label: str
    before: str | None  # None: the field had no value before
    after: str | None  # None: the field has no value now


@dataclass(frozen=True)
class ShownEvent:
    id: int
    at: datetime
    when: str
    who: str
    via: str | None  # "api" when done through the JSON API
    action: str
    what: str
    record: str
    changes: list[ShownChange]


def context_for(centre: Centre, units: Units | None = None) -> formats.Context:
    """The trail read in ``centre``'s time zone, distances in ``units`` (the reader's; the
    centre's when None)."""
    try:
        zone = ZoneInfo(centre.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    shown: Units = units or (centre.units.value if centre.units is not None else "km")
    return formats.Context(units=shown, zone=zone, zone_name=str(zone))


def _ids(value: Any) -> Iterable[Hashable]:
    if isinstance(value, list):
        for item in value[:MAX_LISTED]:
            yield from _ids(item)
    elif isinstance(value, Hashable) and value is not None and not isinstance(value, bool):
        yield value


def _references(events: Sequence[AuditEvent]) -> dict[str, set[Hashable]]:
    wanted: dict[str, set[Hashable]] = defaultdict(set)
    for event in events:
        if event.actor_id is not None:
            wanted["user"].add(event.actor_id)
        wanted[event.entity_type].add(event.entity_id)
        for name, change in (event.changes or {}).items():
            field = registry.field_for(event.entity_type, name)
            if field is None or field.refers_to is None or not isinstance(change, dict):
                continue
            for side in ("before", "after"):
                wanted[field.refers_to].update(_ids(change.get(side)))
    return wanted


def resolve_names(events: Sequence[AuditEvent], ctx: formats.Context) -> formats.Context:
    """``ctx`` with every id the events mention named: one query per kind of id."""
    named: dict[str, dict[Any, str]] = {}
    for kind, values in _references(events).items():
        namer = registry.namer(kind)
        if namer is not None and values:
            named[kind] = dict(namer(values, ctx))
    return replace(ctx, names=named)


def _gone(value: Any) -> str:
    return _("no longer on record (#%(id)s)", id=value)


def _name(named: Mapping[Any, str], value: Any, ctx: formats.Context) -> str:
    if not isinstance(value, Hashable):
        return formats.text(value, ctx)
    return named.get(value) or _gone(value)


def show_value(field: registry.Field | None, value: Any, ctx: formats.Context) -> str | None:
    """One recorded value as text; None (or no text) stays None: the field was empty."""
    if value is None or value == "":
        return None
    if field is None:
        return formats.text(value, ctx)
    if field.refers_to is not None:
        named = ctx.names.get(field.refers_to, {})
        if isinstance(value, list):
            listed = [_name(named, item, ctx) for item in value[:MAX_LISTED]]
            if len(value) > MAX_LISTED:
                listed.append(_("and %(num)s more", num=len(value) - MAX_LISTED))
            return ", ".join(listed) or _("none")
        return _name(named, value, ctx)
    if isinstance(value, list) and field.format is not formats.text:
        return ", ".join(_formatted(field, item, ctx) for item in value) or _("none")
    return _formatted(field, value, ctx)


def _formatted(field: registry.Field, value: Any, ctx: formats.Context) -> str:
    try:
        return field.format(value, ctx)
    except (ValueError, TypeError, KeyError, ArithmeticError):
        # An erased value ("(erased)") or a shape an older release recorded: shown as it is.
        return formats.text(value, ctx)


def _changes(event: AuditEvent, ctx: formats.Context) -> list[ShownChange]:
    shown: list[tuple[tuple[int, str], ShownChange]] = []
    for name, change in (event.changes or {}).items():
        field = registry.field_for(event.entity_type, name)
        label = (
            registry.said(field.label) if field is not None else name.replace("_", " ").capitalize()
        )
        if isinstance(change, dict) and set(change) <= {"before", "after"}:
            before, after = change.get("before"), change.get("after")
        else:
            before, after = None, change
        order = (field.order if field is not None else 1_000_000, name)
        was, now = show_value(field, before, ctx), show_value(field, after, ctx)
        if was == now:
            was = None  # recorded for context (whose certificate, which consent), not changed
        shown.append((order, ShownChange(label, was, now)))
    return [change for _order, change in sorted(shown, key=lambda pair: pair[0])]


def _owner_id(changes: Any) -> Hashable | None:
    change = changes.get(OWNER_FIELD) if isinstance(changes, dict) else None
    if not isinstance(change, dict):
        return None
    owner = change.get("after") if change.get("after") is not None else change.get("before")
    return owner if isinstance(owner, int) and not isinstance(owner, bool) else None


def _gone_owners(events: Sequence[AuditEvent], ctx: formats.Context) -> formats.Context:
    """Whose records were, for records on the page that are gone: two queries at most.

    A deleted session or withdrawn award cannot be named from its row; the trail's rows about
    it say whose it was (its deletion records the participant).
    """
    gone: dict[str, set[int]] = defaultdict(set)
    for event in events:
        named = ctx.names.get(event.entity_type, {})
        if (
            registry.namer(event.entity_type) is not None
            and event.entity_id not in named
            and _owner_id(event.changes) is None
        ):
            gone[event.entity_type].add(event.entity_id)
    if not gone:
        return ctx
    rows = db.session.execute(
        sa.select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.changes).where(
            sa.or_(
                *(
                    sa.and_(AuditEvent.entity_type == kind, AuditEvent.entity_id.in_(ids))
                    for kind, ids in gone.items()
                )
            ),
            sa.cast(AuditEvent.changes, sa.Text).like(f'%"{OWNER_FIELD}"%'),
        )
    ).all()
    owners = {
        (row.entity_type, row.entity_id): owner
        for row in rows
        if (owner := _owner_id(row.changes)) is not None
    }
    names = dict(ctx.names.get(OWNER_KIND, {}))
    unnamed = {owner for owner in owners.values() if owner not in names}
    namer = registry.namer(OWNER_KIND)
    if unnamed and namer is not None:
        names.update(namer(unnamed, ctx))
    return replace(ctx, names={**ctx.names, OWNER_KIND: names}, owners=owners)


def _owner(event: AuditEvent, ctx: formats.Context) -> str | None:
    owner = _owner_id(event.changes)
    if owner is None:
        owner = ctx.owners.get((event.entity_type, event.entity_id))
    return ctx.names.get(OWNER_KIND, {}).get(owner) if owner is not None else None


def record_text(event: AuditEvent, ctx: formats.Context) -> str:
    """ "Session: Ada Lovelace, 3 Jun 2025"; a record since deleted names whose it was."""
    label = registry.entity_label(event.entity_type)
    if registry.namer(event.entity_type) is None:
        return _("%(label)s #%(id)s", label=label, id=event.entity_id)
    name = ctx.names.get(event.entity_type, {}).get(event.entity_id)
    if name:
        return _("%(label)s: %(name)s", label=label, name=name)
    owner = _owner(event, ctx)
    if owner:
        return _("%(label)s (deleted): %(owner)s", label=label, owner=owner)
    return _("%(label)s #%(id)s (deleted)", label=label, id=event.entity_id)


def present(events: Sequence[AuditEvent], ctx: formats.Context) -> list[ShownEvent]:
    ctx = _gone_owners(events, resolve_names(events, ctx))
    people = ctx.names.get("user", {})
    return [
        ShownEvent(
            id=event.id,
            at=event.at,
            when=formats.local_time(event.at, ctx),
            who=(
                _("System")
                if event.actor_id is None
                else people.get(event.actor_id) or _gone(event.actor_id)
            ),
            via=event.via,
            action=event.action,
            what=registry.action_label(event.action),
            record=record_text(event, ctx),
            changes=_changes(event, ctx),
        )
        for event in events
    ]

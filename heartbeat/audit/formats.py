"""How values recorded in the trail read on the page: plain functions of a value and a context.

The trail stores JSON (``services.json_value``): numbers, text, ISO dates and times, lists and
mappings. A formatter turns one such value into text for people, in the reader's units and the
centre's time zone. Features pick a formatter for each field they record (``registry.field``);
values that are ids of people or records are named through ``registry.names`` instead, in one
query per page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from enum import Enum
from typing import Any

from heartbeat.core import units
from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, current_language, decimal_text, gettext
from heartbeat.core.i18n import number as i18n_number


@dataclass(frozen=True)
class Context:
    """What a value needs to read right: the reader's units and the centre's time zone."""

    units: units.Units = "km"
    zone: tzinfo = UTC
    zone_name: str = "UTC"
    # Names resolved for this page: kind -> {id: name} (see ``presenting``).
    names: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    # Whose records were, for records on the page that are gone: (type, id) -> participant id.
    owners: Mapping[tuple[str, int], Any] = field(default_factory=dict)


Formatter = Callable[[Any, Context], str]


def text(value: Any, ctx: Context) -> str:
    """Any value as plain text: yes/no for booleans, "a: 1; b: 2" for mappings."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return number(value, ctx)
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {text(item, ctx)}" for key, item in value.items()) or _("none")
    if isinstance(value, list | tuple):
        return ", ".join(text(item, ctx) for item in value) or _("none")
    return str(value)


def number(value: Any, ctx: Context) -> str:
    """``1234`` -> "1,234"; ``2.50`` -> "2.5" (in the reader's digits: "1234", "2,5" in Spanish)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        if current_language() != DEFAULT_LANGUAGE:
            return decimal_text(round(value, 2))
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return i18n_number(int(value))


def yes_no(value: Any, ctx: Context) -> str:
    return _("Yes") if value else _("No")


def distance(value: Any, ctx: Context) -> str:
    """Metres in the reader's units: ``12400.0`` -> "12.4 km" (or "7.7 mi"), 50000 -> "50 km"."""
    return units.distance_text(float(value), ctx.units)


def duration(value: Any, ctx: Context) -> str:
    """Seconds as h:mm:ss: ``2525`` -> "42:05"."""
    return units.format_duration(float(value))


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_time(moment: datetime, ctx: Context) -> str:
    """A moment in the centre's time zone, to the minute: "3 Jun 2025, 14:05"."""
    local = moment.astimezone(ctx.zone)
    return f"{units.day_text(local.date())}, {local:%H:%M}"


def moment(value: Any, ctx: Context) -> str:
    """A stored ISO date-time, read in the centre's time zone: "3 Jun 2025, 14:05"."""
    return local_time(_moment(value), ctx)


def day(value: Any, ctx: Context) -> str:
    """A stored ISO date: "3 Jun 2025"."""
    return units.day_text(value if isinstance(value, date) else date.fromisoformat(str(value)))


def suffixed(suffix: str) -> Formatter:
    """A number with its unit: ``suffixed("bpm")`` reads 142 as "142 bpm"."""

    def formatter(value: Any, ctx: Context) -> str:
        return f"{number(value, ctx)} {suffix}"

    return formatter


def out_of_ten(value: Any, ctx: Context) -> str:
    """A 0-10 score (effort, pain): "4 of 10"."""
    return _("%(score)s of 10", score=number(value, ctx))


def labels(mapping: Mapping[Any, str]) -> Formatter:
    """A stored code read through a table of labels; an unknown code shows as it is."""
    table = dict(mapping)

    def formatter(value: Any, ctx: Context) -> str:
        label = table.get(value)
        return gettext(str(label)) if label is not None else str(value)

    return formatter


def enum_labels(enum_class: type[Enum]) -> Formatter:
    """The ``label`` of each member of ``enum_class`` (by its stored value)."""
    return labels(
        {member.value: str(getattr(member, "label", member.value)) for member in enum_class}
    )


def _label(names: Mapping[str, Any], key: str) -> str:
    label = names.get(key)
    return gettext(str(label)) if label is not None else key.replace("_", " ").capitalize()


def counts(names: Mapping[str, str]) -> Formatter:
    """A mapping of counts with labelled keys: {"notes": 2} -> "Notes: 2"."""

    def formatter(value: Any, ctx: Context) -> str:
        if not isinstance(value, Mapping):
            return text(value, ctx)
        parts = [f"{_label(names, key)}: {text(item, ctx)}" for key, item in value.items()]
        return "; ".join(parts) or _("none")

    return formatter

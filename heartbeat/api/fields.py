"""JSON fields that take exactly the type their documentation says, and nothing a database could
choke on.

Marshmallow's own fields are lenient in ways an API must not be: ``Float`` takes the string
``"5"``, ``Integer`` takes ``true``, ``Boolean`` takes ``"yes"``, and ``String`` takes text with NUL
characters or lone surrogates, which PostgreSQL refuses (a 500, had it got that far). The rules a
session keeps (ranges, which fields go together) stay with ``training.values.clean_session``;
these fields only check types, and document the ranges that function enforces.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, tzinfo
from typing import Any

import marshmallow as ma

NOT_TEXT = "Use only printable text: no NUL characters or unpaired surrogates."


class Text(ma.fields.String):
    """A string that can be stored: valid UTF-8 without NUL characters."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ma.ValidationError(NOT_TEXT)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError(NOT_TEXT) from None
        return text


class Whole(ma.fields.Integer):
    """A JSON integer: not a boolean, a string or a fraction."""

    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Number(ma.fields.Float):
    """A finite JSON number: not a boolean or a string."""

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if not math.isfinite(float(value)):
            raise self.make_error("special")
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(ma.fields.Boolean):
    """A JSON ``true`` or ``false``, nothing else."""

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Moment(ma.fields.DateTime):
    """A date and time in ISO 8601. Without an offset it is read as the centre's local time
    (as the forms do); the view does that, so a naive value comes out of here naive."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        return super()._deserialize(value, attr, data, **kwargs)


def in_zone(moment: datetime, tz: tzinfo) -> datetime | None:
    """``moment`` as aware UTC, reading a naive one in ``tz``; None when it is out of range
    (year 1 minus an offset is no date at all)."""
    try:
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
        return aware.astimezone(UTC)
    except (OverflowError, ValueError):
        return None

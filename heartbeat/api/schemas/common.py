"""Shapes shared by every list: the cursor to ask for a page, and the page that comes back."""

from __future__ import annotations

import marshmallow as ma

from heartbeat.api.fields import Text

MAX_LIMIT = 100
DEFAULT_LIMIT = 25


class Strict(ma.Schema):
    """Unknown fields in a body are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class PageArgs(ma.Schema):
    cursor = Text(
        validate=ma.validate.Length(max=500),
        metadata={"description": "From the previous page's next_cursor; omit for the first."},
    )
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(1, MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}."},
    )


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page of ``item_schema`` items: ``{"items": [...], "next_cursor": "..." | null}``."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as cursor for the next page; null on the last."},
            ),
        },
        name=name,
    )

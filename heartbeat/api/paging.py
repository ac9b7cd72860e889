"""Cursor pagination: each page ends with an opaque cursor naming where the next one starts.

The cursor holds the sort key of the page's last row (keyset pagination), signed with the app's
secret so that a client can neither read meaning into it nor forge one. Rows added or removed
while a client pages through a list shift nothing: a page never repeats or skips a row the way
``?page=3`` can. A cursor made for one list (or one order of it) is refused by another (400).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from heartbeat.api.problems import fail
from heartbeat.extensions import db

BAD_CURSOR = "That cursor is not one this list gave out: start again without it."


@dataclass(frozen=True)
class Key:
    """One column of a sort key, and how its value travels in a cursor."""

    column: Any  # a column or SQL expression
    descending: bool = False
    # From the cursor's JSON back to the column's type: datetime.fromisoformat, an enum class...
    decode: Callable[[Any], Any] = lambda raw: raw  # noqa: E731

    @staticmethod
    def encode(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return getattr(value, "value", value)


@dataclass(frozen=True)
class Order:
    """A list's order: its keys (the last one unique, such as the id) and a name for cursors."""

    name: str
    keys: tuple[Key, ...]
    values: Callable[[Any], Sequence[Any]]  # a row's values of the keys, in order

    def clauses(self) -> list[Any]:
        return [key.column.desc() if key.descending else key.column for key in self.keys]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="heartbeat.api.cursor")


def _after(order: Order, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """Rows after ``values`` in ``order``: (a > x) or (a = x and b > y) or ..."""
    alternatives = []
    for index, key in enumerate(order.keys):
        equal = [k.column == v for k, v in zip(order.keys[:index], values[:index], strict=True)]
        beyond = key.column < values[index] if key.descending else key.column > values[index]
        alternatives.append(sa.and_(*equal, beyond))
    return sa.or_(*alternatives)


def _read_cursor(cursor: str, order: Order, list_name: str) -> list[Any]:
    try:
        payload = _serializer().loads(cursor)
        if payload.get("list") != list_name or payload.get("order") != order.name:
            raise ValueError("another list's cursor")
        raw = payload["after"]
        if not isinstance(raw, list) or len(raw) != len(order.keys):
            raise ValueError("wrong shape")
        return [key.decode(value) for key, value in zip(order.keys, raw, strict=True)]
    except (BadSignature, ValueError, TypeError, KeyError, AttributeError):
        fail(400, BAD_CURSOR)


def page(
    stmt: sa.Select, order: Order, *, list_name: str, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` in ``order``, and the cursor of the next page (None on the last)."""
    if cursor:
        stmt = stmt.where(_after(order, _read_cursor(cursor, order, list_name)))
    rows = list(db.session.scalars(stmt.order_by(*order.clauses()).limit(limit + 1)).unique())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = [
        key.encode(value) for key, value in zip(order.keys, order.values(rows[-1]), strict=True)
    ]
    token = _serializer().dumps({"list": list_name, "order": order.name, "after": last})
    return rows, token

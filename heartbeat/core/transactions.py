"""Rolling back a request's changes while the page around them still has what it needs.

A rollback expires every object the session holds, the signed-in user included, and relationships
are ``lazy="raise"``: the page header would fail reading the user's centre. Packages above this
one register what must be put back after a rollback (``auth`` restores the signed-in user's
centre), so any view can undo its changes and still render.
"""

from __future__ import annotations

from collections.abc import Callable

from heartbeat.extensions import db

_RESTORERS: list[Callable[[], None]] = []


def after_rollback(restore: Callable[[], None]) -> None:
    """Run ``restore`` after every :func:`rollback` (registered once, whatever the app count)."""
    if restore not in _RESTORERS:
        _RESTORERS.append(restore)


def rollback() -> None:
    db.session.rollback()
    for restore in _RESTORERS:
        restore()

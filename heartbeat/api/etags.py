"""ETags from a record's version column, and ``If-Match`` on every change (the stale-edit rule).

A client reads a record (its ETag is its version) and sends that ETag back in ``If-Match`` when
it changes or deletes it. Someone else's change in between bumps the version, so the request is
refused (412) instead of overwriting a change the client never saw: the same rule the edit forms
keep with their hidden version field. Without ``If-Match`` a change is refused too (428).
"""

from __future__ import annotations

from flask import request
from werkzeug.http import quote_etag

from heartbeat.api.problems import fail

ETAG_HEADER = {
    "description": "The record's version: send it back in If-Match to change it.",
    "schema": {"type": "string"},
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag you read (or *: whatever the version). 412 if the record changed "
    "since; 428 if left out.",
    "schema": {"type": "string"},
}


def tag(version: int) -> str:
    return str(version)


def quoted(version: int) -> str:
    """The ETag header's value."""
    return quote_etag(tag(version))


def require_if_match(version: int) -> int:
    """The version the client read, if it is the record's current one; else 428 or 412."""
    condition = request.if_match
    if not condition:
        fail(428)
    if not condition.star_tag and not condition.contains(tag(version)):
        fail(412)
    return version

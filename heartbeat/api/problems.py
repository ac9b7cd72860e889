"""Errors as RFC 9457 problem details (``application/problem+json``), for every API answer that is
not a success: a refused token, a missing record, bad input, a stale ``If-Match``, a rate limit.

The API's error handlers (``register``) catch everything raised inside its routes; the app's own
handlers send errors under ``/api/`` here too (``core.errors.render_errors_under``), for requests
no route matched or that failed before one ran. Nothing about a request's input is ever a 5xx:
the last handler catches what nobody expected, logs it, and answers 500 without details.
"""

from __future__ import annotations

import http
import logging
from collections.abc import Mapping
from typing import Any, NoReturn

import marshmallow as ma
from flask import Blueprint, abort, current_app, json, request
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from heartbeat.core.edits import StaleEdit
from heartbeat.extensions import db

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("heartbeat.api")

# What each status means for someone calling the API (the ``detail`` when nothing more is known).
DETAILS = {
    400: "The request could not be read: check its syntax and parameters.",
    401: "Send a valid personal access token: Authorization: Bearer <token>.",
    403: "This token's user or scope may not do this.",
    404: "There is no such resource, or this token may not see it.",
    405: "This resource does not accept that method.",
    406: "This resource answers only in the media types its documentation lists.",
    409: "The record was changed by someone else at the same moment; read it again and retry.",
    412: "The record has changed since you read it (If-Match names an older version). Read it "
    "again, and send its new ETag.",
    413: "The request is too large.",
    415: "Send the request body as JSON (Content-Type: application/json).",
    422: "Some values need attention; see errors.",
    428: "Send If-Match with the ETag you read, so a change made meanwhile is not overwritten.",
    429: "Too many requests; wait a moment (see Retry-After) and try again.",
    500: "Something went wrong on our side; nothing was saved. Please try again.",
    503: "The service is briefly unavailable; nothing was saved. Please try again shortly.",
}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, with ``errors`` naming each field that needs attention."""

    type = ma.fields.String(
        required=True, metadata={"description": "A URI naming the kind of problem."}
    )
    title = ma.fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = ma.fields.String(
        required=True, metadata={"description": "What went wrong, for a person."}
    )
    instance = ma.fields.String(metadata={"description": "The path of the request."})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Messages per input field (422 only)."},
    )


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
):
    """A problem+json response."""
    try:
        title = http.HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail or DETAILS.get(status, title),
        "instance": request.path,
    }
    if errors:
        body["errors"] = {name: list(messages) for name, messages in errors.items()}
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def fail(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> NoReturn:
    """Stop the request with a problem (raised, so services' transactions unwind as usual)."""
    try:
        abort(status)
    except HTTPException as error:
        # flask-smorest's convention: the payload rides on the exception as ``data``.
        error.data = {"detail": detail, "errors": errors, "headers": dict(headers or {})}  # type: ignore[attr-defined]
        raise


def field_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{"field": [messages]}`` (nested names dotted)."""
    if isinstance(messages, str):
        return {prefix or "_": [messages]}
    if isinstance(messages, list | tuple):
        if all(isinstance(item, str) for item in messages):
            return {prefix or "_": list(messages)}
        flat: dict[str, list[str]] = {}
        for item in messages:
            for name, found in field_errors(item, prefix).items():
                flat.setdefault(name, []).extend(found)
        return flat
    flat = {}
    if isinstance(messages, Mapping):
        for name, inner in messages.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            for found_name, found in field_errors(inner, key).items():
                flat.setdefault(found_name, []).extend(found)
    return flat


def _http_error(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = {
        name: value
        for name, value in error.get_headers()
        if name.lower() not in ("content-type", "content-length")
    }
    headers.update(data.get("headers") or {})
    detail = data.get("detail")
    errors = data.get("errors")
    if "messages" in data:
        # webargs: {"json": {...}} or {"query": {...}}; the location adds nothing to a name.
        messages = data["messages"]
        if isinstance(messages, Mapping) and len(messages) == 1:
            (messages,) = messages.values()
        errors = field_errors(messages)
        if status == 400 and not detail:
            detail = "The request body is not valid JSON."
    if status >= 500:
        db.session.rollback()
    return problem(status, detail, errors=errors, headers=headers)


def _stale(error: StaleEdit):
    db.session.rollback()
    return problem(412)


def _raced(error: StaleDataError):
    db.session.rollback()
    return problem(409)


def _refused_by_database(error: Exception):
    # A value the database cannot hold that the schemas should have caught: still the input.
    db.session.rollback()
    log.warning("API request refused by the database: %s", type(error).__name__)
    return problem(400, "A value in the request is out of range.")


def _database_down(error: Exception):
    db.session.rollback()
    log.error("database error: %s", type(error).__name__)
    return problem(503)


def _unexpected(error: Exception):
    db.session.rollback()
    log.exception("unhandled API error")
    return problem(500)


def render(status: int, detail: str | None = None):
    """For ``core.errors``: an error under ``/api/`` that no API route handled."""
    return problem(status, detail if status != 400 else None)


def register(bp: Blueprint) -> None:
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(StaleEdit, _stale)
    bp.register_error_handler(StaleDataError, _raced)
    bp.register_error_handler(DataError, _refused_by_database)
    bp.register_error_handler(OverflowError, _refused_by_database)
    bp.register_error_handler(OperationalError, _database_down)
    bp.register_error_handler(DBAPIError, _database_down)
    bp.register_error_handler(Exception, _unexpected)

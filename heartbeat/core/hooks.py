from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, abort, current_app, g, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from heartbeat.core import wording
from heartbeat.db import MAX_ID, NO_CENTRE, set_centre_scope
from heartbeat.extensions import login_manager

request_log = logging.getLogger("heartbeat.request")
# Scripts and styles only from our own files (no inline code, no attributes, no eval), nothing
# embedded, no <base>, never framed. Images may be data: URIs (the two-factor QR code).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Pages open without signing in that still show someone's name or email.
_PUBLIC_PERSONAL_ENDPOINTS = frozenset({"auth.accept_invite", "auth.reset_password"})
# URL arguments that are secrets: never written to the log (invitation and reset links, the
# one-click unsubscribe ticket).
_SECRET_URL_ARGS = frozenset({"token", "secret", "ticket"})
# Endpoints that never look at who is signed in (so never load the user).
NO_USER_ENDPOINTS = frozenset({"static", "bench_bare", "home.healthz", "home.favicon"})
# Path prefixes whose requests authenticate themselves (the API's bearer tokens): the session
# cookie is never read for them, so a browser's session opens nothing there (and so no
# cross-site request can borrow it). Filled by the feature that owns them (``own_authentication``).
_SELF_AUTHENTICATING: list[str] = []


def own_authentication(path_prefix: str) -> None:
    """Requests under ``path_prefix`` are anonymous until their own hook says who made them."""
    if path_prefix not in _SELF_AUTHENTICATING:
        _SELF_AUTHENTICATING.append(path_prefix)


def authenticates_itself() -> bool:
    """Whether this request's path is one that ignores the session cookie."""
    return request.path.startswith(tuple(_SELF_AUTHENTICATING))


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs: a row id, so no larger than the database's integer ids.

    A longer number in an address is simply not found (404), instead of overflowing the
    database driver.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _scope_to_current_user() -> None:
    # Deny-all first: the user loader itself reads across centres explicitly.
    set_centre_scope(NO_CENTRE)
    if current_user.is_authenticated and current_user.centre_id is not None:
        set_centre_scope(current_user.centre_id)


def _mark_request_start() -> None:
    """First of all hooks: every request, even one refused before routing (a bad Host header, a
    failed CSRF check, a rate limit), gets an id and a start time, so its log line is written."""
    offered = request.headers.get("X-Request-ID", "")
    # A proxy's id is kept only when it is plainly an id: it is echoed in a response header.
    g.request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _start_request() -> None:
    if authenticates_itself():
        # Anonymous, in no centre, whatever cookie came along; the path's own hook may then
        # name the user (Flask-Login reads ``g._login_user`` before it ever looks at a cookie).
        g._login_user = login_manager.anonymous_user()
        set_centre_scope(NO_CENTRE)
    elif request.endpoint not in NO_USER_ENDPOINTS:
        _scope_to_current_user()
    _refuse_stray_files()
    return None


def _refuse_stray_files() -> None:
    """A file sent under the name of a field that is not a file input is a forged request.

    Flask-WTF hands files to fields by name, so a text field would receive a file object and its
    validators fail on it (a 500); no browser sends one, so refuse it plainly.
    """
    if request.mimetype != "multipart/form-data":
        return
    if set(request.files) - upload_field_names():
        abort(400)


@cache
def upload_field_names() -> frozenset[str]:
    """The names of every file input of every form class of the app."""
    from flask_wtf import FlaskForm
    from wtforms.fields import FileField
    from wtforms.fields.core import UnboundField

    def subclasses(cls: type[object]) -> Iterator[type[object]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return frozenset(
        name
        for form_class in subclasses(FlaskForm)
        for klass in form_class.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, UnboundField) and issubclass(value.field_class, FileField)
    )


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["Content-Security-Policy"] = content_security_policy(
        response.headers.get("Content-Security-Policy")
    )
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
    )
    if current_app.config["HEARTBEAT_HTTPS"]:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if authenticates_itself() or (
        request.endpoint not in NO_USER_ENDPOINTS and current_user_is_signed_in()
    ):
        # Every signed-in page (and every API answer) may show personal or health data: never
        # kept by any cache.
        response.headers["Cache-Control"] = "no-store"
    elif request.endpoint in _PUBLIC_PERSONAL_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    if request.endpoint != "static":
        started = g.get("request_started")
        line = {
            "request_id": g.get("request_id"),
            "method": request.method,
            "path": loggable_path(),
            "endpoint": request.endpoint,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        }
        user_id = _signed_in_user_id()
        if user_id is not None:
            line["user_id"] = user_id
        request_log.info("request", extra=line)
    return response


def content_security_policy(from_view: str | None = None) -> str:
    """The site's policy; a view may loosen or tighten named directives (the design page frames
    its own preview: ``frame-ancestors 'self'``), never drop the others."""
    directives = dict(_directives(CONTENT_SECURITY_POLICY))
    directives.update(_directives(from_view or ""))
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def _directives(policy: str) -> list[tuple[str, str]]:
    pairs = []
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            pairs.append((name.lower(), value.strip()))
    return pairs


def loggable_path() -> str:
    """The request's path, with any secret it carries (an invitation token) blanked out."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in _SECRET_URL_ARGS and value:
            path = path.replace(str(value), "[redacted]")
    return path


def _signed_in_user_id() -> int | None:
    # Only a user this request has already loaded: logging must not query the database.
    # The identity map's key, not ``user.id``: after a commit that would be a query, and the
    # database may be the thing that just failed.
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    state = sa.inspect(user, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


def current_user_is_signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:
        return False


def register(app: Flask) -> None:
    # Ahead of the hooks extensions registered earlier (CSRF, rate limits), which may refuse.
    app.before_request_funcs.setdefault(None, []).insert(0, _mark_request_start)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    wording.register(app)  # or_dash, plural, agree, sentence: for every template

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, current_app, g, request
from flask_login import current_user

from heartbeat.db import NO_CENTRE, set_centre_scope

request_log = logging.getLogger("heartbeat.request")


def _scope_to_current_user() -> None:
    # Deny-all first: the user loader itself reads across centres explicitly.
    set_centre_scope(NO_CENTRE)
    if current_user.is_authenticated and current_user.centre_id is not None:
        set_centre_scope(current_user.centre_id)


def _start_request() -> None:
    g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
    g.request_started = time.perf_counter()
    if request.endpoint != "static":
        _scope_to_current_user()


def _finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
    )
    if current_app.config["HEARTBEAT_HTTPS"]:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if request.endpoint != "static" and current_user_is_signed_in():
        response.headers["Cache-Control"] = "no-store"
    started = g.get("request_started")
    if started is not None and request.endpoint != "static":
        request_log.info(
            "request",
            extra={
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response


def current_user_is_signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - a broken database must not break the error page too
        return False


def register(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)

    @app.context_processor
    def inject_helpers():
        from heartbeat.navigation import navigation_for

        return {"navigation": navigation_for(current_user)}

"""The address people reach this site at, for links that leave it (certificates, credentials,
QR codes, invitation emails): only ever from configuration, never from a request.

A request's Host header is whatever the client sent (``Host: evil.example``); a link built from
it and then printed on a certificate, signed into a credential or emailed to someone would
point wherever an attacker chose. ``HEARTBEAT_PUBLIC_URL`` names the address; without it, a
fixed local address (the test or development server's) is used, and the app warns at start-up
outside development (``config.public_url_warning``).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for

from heartbeat.config import DEFAULT_LOCAL_URL, local_base_url

__all__ = ["DEFAULT_LOCAL_URL", "public_base_url", "public_url_for"]


def public_base_url() -> str:
    """HEARTBEAT_PUBLIC_URL without its trailing slash, else the fixed local address."""
    configured = (current_app.config.get("HEARTBEAT_PUBLIC_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    return local_base_url(current_app.config)


def public_url_for(endpoint: str, **values: Any) -> str:
    """An absolute link to one of the app's pages, at the configured public address.

    Works outside a request too (the worker making the weekly digest): the path comes from the
    URL map, never from ``SERVER_NAME`` or a request's host.
    """
    if has_request_context():
        path = url_for(endpoint, _external=False, **values)
    else:
        adapter = current_app.url_map.bind("localhost")
        path = adapter.build(endpoint, values, force_external=False)
    return public_base_url() + path

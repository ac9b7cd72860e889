from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, _l, html_lang, speaking
from heartbeat.extensions import db, login_manager

log = logging.getLogger("heartbeat.errors")

# Titles and hints: shown on the error page in the reader's language; a JSON answer keeps them
# in English (``render_error``).
MESSAGES = {
    400: (
        _l("Something in that request was not right"),
        _l("Please go back, check the form and try again."),
    ),
    403: (
        _l("You don't have access to this"),
        _l("Your account cannot do this. If you think it should, ask your centre's admin."),
    ),
    404: (
        _l("We couldn't find that page"),
        _l("The page may have moved, or the link may be mistyped."),
    ),
    405: (
        _l("That didn't work"),
        _l("This page cannot be used that way. Go back and use the buttons on the page."),
    ),
    413: (
        _l("That file is too large"),
        _l("Choose a smaller file and try again. Nothing was saved."),
    ),  # with the limit and a way back to the form: ``_too_large``
    429: (
        _l("Too many attempts"),
        _l("Please wait a minute before trying again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you did caused this. Please try again in a moment."),
    ),
    503: (
        _l("The service is briefly unavailable"),
        _l(
            "We can't reach the database right now. Please try again in a minute; nothing you "
            "entered has been saved."
        ),
    ),
}


# Paths that answer errors in a format of their own (the API's problem+json), whatever went
# wrong and wherever (no route matched, a database failure): prefix -> render(status, detail).
_RENDERERS: list[tuple[str, Callable[[int, str | None], ResponseReturnValue]]] = []


def render_errors_under(
    path_prefix: str, render: Callable[[int, str | None], ResponseReturnValue]
) -> None:
    _RENDERERS[:] = [(p, r) for p, r in _RENDERERS if p != path_prefix]
    _RENDERERS.append((path_prefix, render))


def _own_renderer() -> Callable[[int, str | None], ResponseReturnValue] | None:
    for prefix, render in _RENDERERS:
        if request.path.startswith(prefix):
            return render
    return None


PLAIN_PAGE = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} ({status})'
    "</title></head><body><main><h1>{title}</h1><p>{hint}</p></main></body></html>"
)


def _wants_json() -> bool:
    return (
        request.path.endswith(".json")
        or request.path == "/healthz"
        or (request.accept_mimetypes.best == "application/json")
    )


def _ensure_url_adapter() -> None:
    """Give a request whose Host header could not be read a URL adapter of its own.

    Werkzeug refuses such a host (``BadHost``) before routing, so the request has no adapter and
    every ``url_for`` in the page would fail, turning a 400 into a 500. The error page's links
    are relative, so binding the URL map to a fixed name builds them correctly.
    """
    if request_ctx and request_ctx.url_adapter is None:
        request_ctx.url_adapter = current_app.url_map.bind(
            current_app.config.get("SERVER_NAME") or "localhost",
            script_name=request.environ.get("SCRIPT_NAME") or "/",
            url_scheme=current_app.config["PREFERRED_URL_SCHEME"],
        )


def size_limit_text() -> str | None:
    """The request size limit in words ("10 MB"), or None without one."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return None
    megabytes = limit / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.3g} MB"
    return f"{max(1, round(limit / 1024))} KB"


def _back_to_the_form() -> tuple[str, str] | None:
    """Where a refused POST can start again: the page of the same address when it shows the form
    (GET on the same route), else the page the browser came from on this site."""
    if request.method != "GET" and request.url_rule is not None:
        methods = request.url_rule.methods or set()
        if "GET" in methods:
            return request.full_path.rstrip("?"), _("Back to the form")
    if _same_site(request.referrer):
        return str(request.referrer), _("Back to the page you were on")
    return None


def _too_large() -> str:
    limit = size_limit_text()
    again = _("Choose a smaller file and try again. Nothing was saved.")
    if not limit:
        return again
    return _("Files up to %(limit)s can be sent.", limit=limit) + " " + again


def render_error(status: int, detail: Any = None) -> ResponseReturnValue:
    """The error page (or JSON) for ``status``; ``detail`` replaces the hint (a string, or a
    lazy one so that a JSON answer can keep it in English)."""
    _ensure_url_adapter()
    own = _own_renderer()
    if own is not None:
        with speaking(DEFAULT_LANGUAGE):  # the API's answers are in English
            text = None if detail is None else str(detail)
        return own(status, text)
    title, hint = MESSAGES.get(status, MESSAGES[500])
    if _wants_json():
        # What programs read stays in English, whoever asks.
        with speaking(DEFAULT_LANGUAGE):
            if status == 413 and detail is None:
                detail = _too_large()
            return jsonify({"error": str(title), "detail": str(detail or hint)}), status
    if status == 413 and detail is None:
        detail = _too_large()
    back = _back_to_the_form() if status in (400, 409, 413, 422, 429) else None
    try:
        page = render_template(
            "errors/error.html",
            status=status,
            title=str(title),
            hint=str(detail or hint),
            bare=status >= 500,
            back_url=back[0] if back else None,
            back_label=back[1] if back else None,
        )
    except Exception:
        # The error page itself failed (the database went away while the header loaded the
        # user, say): a plain page still answers, instead of an unlogged server error.
        log.exception("error page could not be rendered")
        try:
            lang, words = html_lang(), (str(title), str(detail or hint))
        except Exception:  # the language could not be worked out either: English
            with speaking(DEFAULT_LANGUAGE):
                lang, words = html_lang(), (str(title), str(detail or hint))
        page = PLAIN_PAGE.format(
            lang=lang, status=status, title=escape(words[0]), hint=escape(words[1])
        )
    return page, status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400,
            _l(
                "The form had expired or was sent from somewhere else. Reload the page and try "
                "again; nothing was saved."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        if _own_renderer() is not None:
            response = current_app.make_response(render_error(error.code))
            for name, value in error.get_headers():
                if name.lower() != "content-type":  # Allow, Retry-After...
                    response.headers[name] = value
            return response
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(StaleDataError)
    def saved_at_the_same_moment(error: StaleDataError) -> ResponseReturnValue:
        # Two saves raced past a form's version check; the version column caught the second.
        db.session.rollback()
        if _own_renderer() is not None:
            return render_error(409)
        back = request.referrer if _same_site(request.referrer) else "/"
        return render_template("errors/saved_elsewhere.html", back=back), 409

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def value_the_database_cannot_hold(error: Exception) -> ResponseReturnValue:
        # A number too large for a column (or text too long, on PostgreSQL): the input was
        # wrong, not the database. Nothing is kept; the form's own checks should have caught it.
        db.session.rollback()
        log.warning("request refused by the database: %s", type(error).__name__)
        return render_error(400)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError) -> ResponseReturnValue:
        db.session.rollback()
        # Who is signed in cannot be known without the database: render the page as for a
        # visitor instead of loading the user again (which would fail again, inside this handler).
        g._login_user = login_manager.anonymous_user()
        log.error("database error: %s", type(error).__name__)
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        log.exception("unhandled error")
        return render_error(500)


def _same_site(address: str | None) -> bool:
    """A link back only to a page of this site (the Referer header is the browser's word)."""
    if not address:
        return False
    parts = urlsplit(address)
    return parts.scheme in ("http", "https") and parts.netloc == request.host

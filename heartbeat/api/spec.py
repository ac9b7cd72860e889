"""The OpenAPI 3.1 document: flask-smorest's, with problem details for every error and a bearer
token for every operation.

``HeartbeatApi`` is flask-smorest's ``Api`` without its app-wide error handler (the web pages keep
their own error pages; the API's blueprints have problem handlers of their own) and without its
documentation pages (``views/docs.py`` serves the document and a page made from it, with no
scripts from elsewhere).
"""

from __future__ import annotations

import http
from functools import cached_property
from typing import Any

from apispec import BasePlugin
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from heartbeat.api.problems import PROBLEM_JSON, ProblemSchema

TITLE = "Heartbeat Miles API"
VERSION = "1.0"
DESCRIPTION = (
    "Participants, training sessions, the ladder, awards and certificates of one centre, as the "
    "token's user may see and change them. Authenticate with a personal access token "
    "(Authorization: Bearer hbm_...), made on your account page or with flask create-token. "
    "Lists come in pages with an opaque cursor; a change needs If-Match with the record's ETag; "
    "every error is an RFC 9457 problem (application/problem+json)."
)
SECURITY_SCHEME = "token"


class ProblemsEverywhere(BasePlugin):
    """Every operation answers a problem for any error it does not list (401, 404, 429...)."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for operation in (operations or {}).values():
            operation.setdefault("responses", {}).setdefault(
                "default", HeartbeatApi.DEFAULT_ERROR_RESPONSE_NAME
            )


class HeartbeatApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app) -> None:
        super().__init__(
            app,
            spec_kwargs={
                "title": TITLE,
                "version": VERSION,
                "openapi_version": "3.1.0",
                "extra_plugins": [ProblemsEverywhere()],
                "info": {"description": DESCRIPTION},
                "security": [{SECURITY_SCHEME: []}],
            },
        )
        self.spec.components.security_scheme(
            SECURITY_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal access token (hbm_...).",
            },
        )

    def _register_error_handlers(self) -> None:
        """None app-wide: the API's blueprints register theirs (``problems.register``)."""

    def _register_doc_blueprint(self) -> None:
        """None: ``views/docs.py`` serves the document."""

    def _register_responses(self) -> None:
        # flask-smorest's, with the problem media type instead of application/json.
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457).", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    @cached_property
    def document(self) -> dict[str, Any]:
        """The OpenAPI document (built once: the routes do not change while the app runs)."""
        return self.spec.to_dict()

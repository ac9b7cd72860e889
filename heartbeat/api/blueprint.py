"""The API's blueprints: ``api`` (every resource, documented in the OpenAPI document) and
``api_docs`` (the document itself and its reading page, open to anyone).

Both live under ``/api/v1``: the session cookie is never read there, and errors there are problem
details (see ``heartbeat.api.init_app``). Every request to ``api`` needs a token and counts
towards two rate limits: its token's (``HEARTBEAT_API_RATE_LIMIT``), and, for requests whose token
is refused, its address's (``HEARTBEAT_LOGIN_RATE_LIMIT``, as for signing in).
"""

from __future__ import annotations

import flask
import flask_smorest
from flask import current_app
from flask_limiter.util import get_remote_address

from heartbeat.api import auth, problems
from heartbeat.extensions import csrf, limiter

PREFIX = "/api/v1"

bp = flask_smorest.Blueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    description="Heartbeat Miles records, as the token's user may see and change them.",
)
docs_bp = flask.Blueprint("api_docs", __name__, url_prefix=PREFIX, template_folder="templates")

bp.before_request(auth.authenticate)
bp.before_request(auth.require_json_body)
problems.register(bp)
problems.register(docs_bp)
# No cookie is ever read under /api/: a forged cross-site request carries no credential.
csrf.exempt(bp)

limiter.shared_limit(
    lambda: current_app.config["HEARTBEAT_API_RATE_LIMIT"],
    scope="api",
    key_func=auth.rate_limit_key,
)(bp)
limiter.shared_limit(
    lambda: current_app.config["HEARTBEAT_LOGIN_RATE_LIMIT"],
    scope="api-refused",
    key_func=get_remote_address,
    deduct_when=lambda response: response.status_code == 401,
)(bp)

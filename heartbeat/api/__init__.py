"""The JSON API under ``/api/v1``: an OpenAPI 3.1 document, personal access tokens, problem details.

Built with flask-smorest (marshmallow schemas; the OpenAPI document is generated from the same
schemas that read and write the data), as an extension of the app ``create_app`` makes rather
than an app class of its own. The API adds no rules: each route loads through the same
centre-scoped queries, asks the same permission table and calls the same services as the web
pages, as the token's user. See docs/api.md.
"""

from __future__ import annotations

from flask import Flask

from heartbeat.api.blueprint import PREFIX, bp, docs_bp
from heartbeat.api.spec import HeartbeatApi
from heartbeat.core.errors import render_errors_under
from heartbeat.core.hooks import own_authentication


def init_app(app: Flask) -> HeartbeatApi:
    from heartbeat.api import problems, views  # noqa: F401  (importing them adds the routes)

    own_authentication("/api/")
    render_errors_under("/api/", problems.render)
    api = HeartbeatApi(app)
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    app.extensions["heartbeat.api"] = api
    return api


__all__ = ["PREFIX", "init_app"]

"""Heartbeat Miles: wheelchair-racing progression and certificates for rehab centres."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("HEARTBEAT_INSTANCE_PATH") or None,
    )
    from heartbeat.config import load_config

    load_config(app, config)
    from heartbeat.logs import configure_logging

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    if app.config["HEARTBEAT_HTTPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind one reverse proxy that terminates TLS and sets X-Forwarded-*.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    from heartbeat import models  # noqa: F401  (every model registered before mapping)
    from heartbeat.db import configure_engine, install_centre_scope
    from heartbeat.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    install_centre_scope()
    with app.app_context():
        configure_engine(db.engine)

    from heartbeat.auth.loader import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from heartbeat.auth.views import bp as auth_bp
    from heartbeat.centres.views import bp as centres_bp
    from heartbeat.core.views import bp as core_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(centres_bp)


def register_errorhandlers(app: Flask) -> None:
    from heartbeat.core.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from heartbeat.core.hooks import register

    register(app)


def register_commands(app: Flask) -> None:
    from heartbeat.auth.cli import register as register_auth_cli
    from heartbeat.centres.cli import register as register_centre_cli
    from heartbeat.core.cli import register as register_core_cli

    register_auth_cli(app)
    register_centre_cli(app)
    register_core_cli(app)

"""Heartbeat Miles: wheelchair-racing progression and certificates for rehab centres."""

from __future__ import annotations

import logging
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
    from heartbeat.config import public_url_warning

    if (warning := public_url_warning(app.config)) is not None:
        logging.getLogger("heartbeat.config").warning(warning)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    if app.config["HEARTBEAT_HTTPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind one reverse proxy that terminates TLS and sets X-Forwarded-*.
        # Middleware is installed by replacing the method (Flask's documented way).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    from heartbeat import models  # noqa: F401  (every model registered before mapping)
    from heartbeat.auth.viewer import request_language
    from heartbeat.core.i18n import gettext
    from heartbeat.core.i18n import register as register_languages
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
    login_manager.localize_callback = gettext
    login_manager.session_protection = "strong"
    # The language of each request: the person's, else their centre's, else the browser's.
    register_languages(app, locale_selector=request_language)
    install_centre_scope()
    with app.app_context():
        configure_engine(db.engine)

    from heartbeat.auth.loader import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from heartbeat.core.hooks import IdConverter

    # Before any route is added: ids in URLs never overflow the database (404 instead).
    app.url_map.converters["int"] = IdConverter
    from heartbeat.admin.views import bp as admin_bp
    from heartbeat.audit.views import bp as audit_bp
    from heartbeat.auth.views import bp as auth_bp
    from heartbeat.certificates.views import bp as certificates_bp
    from heartbeat.home.views import bp as home_bp
    from heartbeat.jobs.views import bp as jobs_bp
    from heartbeat.measures.routes import bp as measures_bp
    from heartbeat.participants.views import bp as participants_bp
    from heartbeat.plans.views import bp as plans_bp
    from heartbeat.progress.views import bp as progress_bp
    from heartbeat.safety.views import bp as safety_bp
    from heartbeat.training.views import bp as training_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(participants_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(safety_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(jobs_bp)
    from heartbeat.outbox import sending
    from heartbeat.outbox.views import bp as outbox_bp

    app.register_blueprint(outbox_bp)
    sending.install()
    from heartbeat.api import init_app as init_api

    init_api(app)
    if app.config["HEARTBEAT_BENCH_ROUTES"]:
        # The HTTP benchmark's baseline: the same app and server, no work at all.
        app.add_url_rule("/_bench/bare", "bench_bare", lambda: "ok")

    # Each feature connects to the registries of the packages below it (panels, events, the
    # audit trail's labels), in layer order: the package that owns a registry never imports the
    # features that use it. The trail itself declares what it knows of the layers below it.
    from heartbeat.audit import hooks as audit_hooks
    from heartbeat.certificates import hooks as certificate_hooks
    from heartbeat.measures import hooks as measure_hooks
    from heartbeat.participants import hooks as participant_hooks
    from heartbeat.plans import hooks as plan_hooks
    from heartbeat.progress import hooks as progress_hooks
    from heartbeat.safety import hooks as safety_hooks
    from heartbeat.training import hooks as training_hooks

    for hooks in (
        audit_hooks,
        participant_hooks,
        safety_hooks,
        measure_hooks,
        training_hooks,
        plan_hooks,
        progress_hooks,
        certificate_hooks,
    ):
        hooks.register()


def register_errorhandlers(app: Flask) -> None:
    from heartbeat.core.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from heartbeat.auth import session_rules, viewer
    from heartbeat.core import hooks
    from heartbeat.home.views import register_template_context

    # In this order: request id and centre scope first, then the session's own rules.
    hooks.register(app)
    session_rules.register(app)
    viewer.register(app)  # local_time, local_day: the viewer's units and time zone
    register_template_context(app)


def register_commands(app: Flask) -> None:
    from heartbeat.auth.cli import register as register_auth_cli
    from heartbeat.centres.cli import register as register_centre_cli
    from heartbeat.certificates.cli import register as register_certificate_cli
    from heartbeat.devtools.cli import register as register_devtools_cli
    from heartbeat.jobs.cli import register as register_job_cli
    from heartbeat.progress.cli import register as register_progress_cli
    from heartbeat.training.cli import register as register_training_cli

    register_auth_cli(app)
    register_centre_cli(app)
    register_devtools_cli(app)
    register_training_cli(app)
    register_progress_cli(app)
    register_certificate_cli(app)
    register_job_cli(app)
    from heartbeat.outbox.cli import register as register_outbox_cli

    register_outbox_cli(app)

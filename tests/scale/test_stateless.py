"""Nothing one app process keeps in memory is needed by another: the audit, kept as a test.

Every process-wide value in the package is listed here with the reason it is safe: it is derived
from the code or the configuration (the same in every process), or it only matters without
Redis, where one process does everything. Anything new fails this test until it is judged.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import uuid

import pytest
from werkzeug.local import LocalProxy

import heartbeat

# Several app servers and workers as separate processes.
pytestmark = pytest.mark.slow

SAFE = {
    ("heartbeat.jobs.words", "_compiled"): "regular expressions compiled from the code's patterns",
    ("heartbeat.auth.forms", "_new_password_kw"): "fixed HTML attributes of a form field",
    ("heartbeat.auth.passwords", "_dummy_hash_for"): "a hash of a constant, per argon2 setting",
    ("heartbeat.auth.passwords", "common_passwords"): "a word list shipped with the package",
    ("heartbeat.centres.services", "timezone_names"): "the system's time-zone names",
    ("heartbeat.centres.services", "canonical_timezones"): "the time-zone database's zone.tab",
    ("heartbeat.certificates.pdfengine", "_headers"): "parsed MIME headers of constant types",
    ("heartbeat.certificates.pdfengine", "_ua_sheet"): "a style sheet in the code",
    ("heartbeat.certificates.pdfengine", "ensure_engine"): "the installed libraries' check",
    ("heartbeat.certificates.pdfengine", "_progress_users"): "WeasyPrint log hook, this process",
    ("heartbeat.certificates.pdfengine", "_progress_saved"): "WeasyPrint log hook, this process",
    ("heartbeat.certificates.render", "_font_config"): "fonts shipped with the package",
    ("heartbeat.certificates.render", "_stylesheet"): "the certificate style sheet",
    ("heartbeat.jobs.backends", "_executor"): "job threads: used only without REDIS_URL",
    ("heartbeat.jobs.backends", "_waiting"): "job threads: used only without REDIS_URL",
    ("heartbeat.core.hooks", "upload_field_names"): "the file inputs of the app's form classes",
    ("heartbeat.jobs.registry", "_handlers"): "job kinds registered by the code at import",
    ("heartbeat.certificates.linkeddata", "_context_text"): "JSON-LD contexts shipped with the app",
    ("heartbeat.core.s3store", "_clients"): "boto3 clients per configured endpoint (settings)",
    ("heartbeat.outbox.sending", "_installed"): "email sender threads: used only without REDIS_URL",
    ("heartbeat.outbox.sending", "_threads"): "email sender threads: used only without REDIS_URL",
    ("heartbeat.outbox.sending", "_stopping"): "email sender threads: used only without REDIS_URL",
    ("heartbeat.outbox.sending", "_periodic"): "digest producers registered by the code at start",
    ("heartbeat.audit.registry", "_actions"): "action labels the features declare at start",
    ("heartbeat.audit.registry", "_entities"): "record types the features declare at start",
    ("heartbeat.audit.registry", "_fields"): "field labels the features declare at start",
    ("heartbeat.audit.registry", "_namers"): "name lookups the features declare at start",
    ("heartbeat.audit.registry", "_subjects"): "the subject lookup a feature declares at start",
    # SQL statements built once from the code (values are bound per call): hot reads.
    ("heartbeat.auth.loader", "_user_statement"): "the signed-in user's query, built once",
    ("heartbeat.measures.queries", "_standings_statement"): "a query built once from the code",
    ("heartbeat.participants.queries", "participant_by_bound_id"): "a query built once",
    ("heartbeat.safety.panels", "_open_flags_statement"): "a query built once from the code",
    # A cache whose key holds every version its value depends on (the participant's session
    # stamp, award and stage versions, the day): never stale, and a miss just recomputes.
    ("heartbeat.progress.panels", "_summaries"): "summaries keyed by their data's versions",
}


def _modules():
    for info in pkgutil.walk_packages(heartbeat.__path__, "heartbeat."):
        yield importlib.import_module(info.name)


def _declared_global(module) -> set[str]:
    """Names a function of the module rebinds with ``global``: state made after import."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return set()
    return {name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names}


def process_state() -> set[tuple[str, str]]:
    found = set()
    for module in _modules():
        for name in _declared_global(module):
            found.add((module.__name__, name))
        for name, value in list(vars(module).items()):
            if name.isupper() or name.startswith("__") or isinstance(value, LocalProxy):
                continue  # UPPER_CASE names are constants by this code base's convention
            if isinstance(value, dict | list | set | bytearray):
                found.add((module.__name__, name))
            elif hasattr(value, "cache_info") and getattr(value, "__module__", None) == (
                module.__name__
            ):
                found.add((module.__name__, name))
    return found


def test_every_process_wide_value_is_one_no_other_process_needs():
    unjudged = sorted(process_state() - SAFE.keys())
    assert not unjudged, (
        "Module-level state that one process could keep and another would need "
        f"(sessions, counters, uploads, results belong in PostgreSQL or Redis): {unjudged}. "
        "If it is derived from the code or the configuration, add it to SAFE with the reason."
    )


@pytest.fixture
def app_config():
    return {
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "RATELIMIT_ENABLED": True,
        "HEARTBEAT_RATELIMIT_PREFIX": "hb-one-install",
    }


def test_with_redis_rate_limits_are_counted_in_redis_and_never_in_memory(app):
    from limits.storage import MemoryStorage, RedisStorage

    from heartbeat.extensions import limiter

    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/13"
    assert app.config["RATELIMIT_KEY_PREFIX"] == "hb-one-install"
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is False
    assert isinstance(limiter.storage, RedisStorage)
    assert not isinstance(limiter.storage, MemoryStorage)


def test_with_redis_a_dispatched_job_goes_to_the_queue_not_to_a_thread_here(app, world):
    from heartbeat.auth.models import User
    from heartbeat.extensions import db
    from heartbeat.jobs import backends, services
    from tests.jobs.conftest import redis_or_skip

    redis_or_skip()
    app.config["HEARTBEAT_JOB_QUEUE"] = f"hbscale_stateless_{uuid.uuid4().hex[:10]}"
    with app.app_context():
        job = services.submit(
            "progress.recompute_awards",
            centre_id=world.a.centre.id,
            actor=db.session.get(User, world.a.admin.id),
            params={},
        )
        job_id = job.id
        db.session.commit()
        queue = backends.rq_queue(app)
        try:
            services.dispatch(job_id)
            assert not backends.waiting_here(app, job_id)
            assert queue.count == 1
        finally:
            queue.delete(delete_jobs=True)

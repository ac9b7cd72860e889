"""Configuration, in layers: package defaults -> instance/config.py -> environment -> test mapping.

Environment variables read: ``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL`` and any ``HEARTBEAT_*``
whose name matches a default below (its type decides how the text is parsed).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: sqlite file in the instance folder
    "REDIS_URL": None,  # None: rate limits in process memory, jobs on a thread
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION_DAYS": 14,
    "HEARTBEAT_HTTPS": False,
    "HEARTBEAT_PAGE_SIZE": 25,
    "HEARTBEAT_INVITE_HOURS": 48,
    # Wrong passwords from one source (address or known device) for one account before that
    # source alone is refused for the minutes below (auth/guard.py).
    "HEARTBEAT_LOCKOUT_THRESHOLD": 5,
    "HEARTBEAT_LOCKOUT_MINUTES": 15,
    # Wrong passwords for one account from sources it does not know (in those minutes) before
    # such sources are slowed: one try per delay, doubling up to the maximum.
    "HEARTBEAT_SLOWDOWN_THRESHOLD": 10,
    "HEARTBEAT_SLOWDOWN_MAX_SECONDS": 60,
    # The owner is emailed about guessing at most once per this many hours.
    "HEARTBEAT_GUESSING_ALERT_HOURS": 24,
    "HEARTBEAT_LOGIN_RATE_LIMIT": "10 per minute",
    "HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT": "20 per hour",
    # argon2id; the defaults are RFC 9106's low-memory profile, above OWASP's minimum
    # (m=19 MiB, t=2, p=1), which is the floor create_app enforces.
    "HEARTBEAT_ARGON2_TIME_COST": 3,
    "HEARTBEAT_ARGON2_MEMORY_KIB": 65536,
    "HEARTBEAT_ARGON2_PARALLELISM": 4,
    "HEARTBEAT_SMTP_HOST": "",
    "HEARTBEAT_SMTP_PORT": 587,
    "HEARTBEAT_SMTP_USER": "",
    "HEARTBEAT_SMTP_PASSWORD": "",
    "HEARTBEAT_SMTP_FROM": "",
    "HEARTBEAT_SMTP_STARTTLS": True,
    # The outbox (heartbeat/outbox): tries per email while the mail server is down, and the
    # first pause between tries in seconds (doubling each time, at most an hour).
    "HEARTBEAT_OUTBOX_MAX_ATTEMPTS": 6,
    "HEARTBEAT_OUTBOX_RETRY_SECONDS": 60,
    # Forgotten passwords: how long an emailed (or admin-made) reset link works, requests per
    # client address and per email address, and the time every answer to a request takes at
    # least (so the answer takes as long whether or not the address has an account).
    "HEARTBEAT_RESET_MINUTES": 30,
    "HEARTBEAT_RESET_RATE_LIMIT": "5 per minute",
    "HEARTBEAT_RESET_ACCOUNT_RATE_LIMIT": "5 per hour",
    "HEARTBEAT_RESET_ANSWER_MS": 400,
    "HEARTBEAT_LOG_LEVEL": "INFO",
    "HEARTBEAT_JOB_STALE_SECONDS": 60,  # a running job silent this long is given up for dead
    "HEARTBEAT_JOB_HEARTBEAT_SECONDS": 10,  # how often a running job says it is alive
    "HEARTBEAT_JOB_MAX_ATTEMPTS": 3,  # tries per job when its worker dies
    "HEARTBEAT_JOB_THREADS": 2,  # jobs run at once per web process without Redis
    "HEARTBEAT_JOB_QUEUE": "heartbeat",  # RQ queue name with REDIS_URL
    "HEARTBEAT_JOB_TIMEOUT_SECONDS": 3600,  # RQ stops a job running longer than this
    "HEARTBEAT_JOB_MODULES": "",  # extra modules with job handlers, comma-separated
    # Session CSV imports with more data rows than this run as a background job.
    "HEARTBEAT_IMPORT_JOB_ROWS": 2000,
    # Reading one device file (GPX, TCX, FIT) stops with a clear message past this many recorded
    # points (a day at one point a second is 86,400) or after this many whole seconds, so one
    # crafted upload cannot keep a worker busy for minutes.
    "HEARTBEAT_DEVICE_MAX_RECORDS": 200_000,
    "HEARTBEAT_DEVICE_PARSE_SECONDS": 10,
    # Where the original device files are kept (compressed, named by their SHA-256); empty: the
    # instance folder's "files". Back it up with the database (docs/operations.md).
    "HEARTBEAT_FILES_DIR": "",
    # Or an S3-compatible bucket for them (set: the folder above is not used). Credentials from
    # boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, a role).
    "HEARTBEAT_FILES_S3_BUCKET": "",
    "HEARTBEAT_FILES_S3_ENDPOINT": "",  # e.g. https://minio.example.org:9000; empty: AWS
    "HEARTBEAT_FILES_S3_REGION": "",
    "HEARTBEAT_FILES_S3_PREFIX": "",  # keys go under this prefix in the bucket
    # Bulk archives (a ZIP of activity files): at most this many entries, this many bytes
    # unpacked in all, and no entry unpacking to more than this many times its packed size.
    "HEARTBEAT_ARCHIVE_MAX_ENTRIES": 2000,
    "HEARTBEAT_ARCHIVE_MAX_BYTES": 1024 * 1024 * 1024,
    "HEARTBEAT_ARCHIVE_MAX_RATIO": 100,
    # A participant's own export with more files than this (device files, certificate PDFs and
    # credentials) is built by a background job with a progress bar; smaller ones at once.
    "HEARTBEAT_OWN_EXPORT_JOB_FILES": 20,
    # Prefix of the rate-limit counters in Redis, so installations can share one Redis database.
    "HEARTBEAT_RATELIMIT_PREFIX": "",
    # Roles that must use two-factor sign-in: any of admin, therapist, participant, operator.
    "HEARTBEAT_MFA_REQUIRED_ROLES": "admin,operator",
    "HEARTBEAT_MFA_ISSUER": "Heartbeat Miles",
    # Signed out after this long without a request (a warning comes first), and after this long
    # in all, whatever the activity.
    "HEARTBEAT_IDLE_MINUTES_STAFF": 30,
    "HEARTBEAT_IDLE_MINUTES_PARTICIPANT": 60,
    "HEARTBEAT_SESSION_MAX_HOURS": 12,
    # The API (/api/v1): requests per token. Requests whose token is refused count towards
    # HEARTBEAT_LOGIN_RATE_LIMIT per client address, as failed sign-ins do.
    "HEARTBEAT_API_RATE_LIMIT": "300 per minute",
    # Public certificate check pages (/verify/...): requests per client address.
    "HEARTBEAT_VERIFY_RATE_LIMIT": "30 per minute",
    # The issuers' public documents (DID documents, keys, status lists, achievements): wallets
    # fetch them for every credential they check, and they name no serial.
    "HEARTBEAT_ISSUER_DOCUMENTS_RATE_LIMIT": "600 per minute",
    # A certificate check by serial answers no sooner than this (milliseconds), found or not, so
    # the time taken does not tell a serial that exists from one that does not.
    "HEARTBEAT_VERIFY_MIN_MS": 60,
    # Where people reach this site, for the verify links and QR codes printed on certificates,
    # the credentials and invitation emails (e.g. https://miles.example.org). Never taken from
    # a request; empty: SERVER_NAME, else http://127.0.0.1:5000 (with a warning at start-up).
    "HEARTBEAT_PUBLIC_URL": "",
    # Adds /_bench/bare, a route that does nothing, for the HTTP benchmark's baseline.
    "HEARTBEAT_BENCH_ROUTES": False,
}

# Keys that must never sign anything: the example file's placeholder and the usual stand-ins.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {
        "replace-me-with-a-long-random-string",
        "change-me",
        "changeme",
        "secret",
        "dev",
        "development",
        "test",
    }
)
MIN_SECRET_KEY_BYTES = 32
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"


class ConfigError(RuntimeError):
    """A setting that would make the installation unsafe or broken: the app does not start."""


OWASP_ARGON2_FLOOR = {"time_cost": 2, "memory_kib": 19 * 1024, "parallelism": 1}

_TRUE = {"1", "true", "yes", "on"}


def _parse_env_value(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in _TRUE
    if isinstance(default, int):
        return int(raw)
    return raw


def _environment_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        if environ.get(name):
            overrides[name] = environ[name]
    for name, raw in environ.items():
        if name.startswith("HEARTBEAT_") and name in DEFAULTS:
            overrides[name] = _parse_env_value(raw, DEFAULTS[name])
    return overrides


def _write_instance_config(path: Path) -> None:
    """Write a new random SECRET_KEY into instance/config.py (kept after any other settings)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text() if path.exists() else ""
    if before and not before.endswith("\n"):
        before += "\n"
    path.write_text(
        before
        + "# Created on first run. Keep it out of version control: it holds this installation's\n"
        "# secret key, which signs sessions, invites and CSRF tokens.\n"
        f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
    )
    path.chmod(0o600)


def check_secret_key(config: Mapping[str, Any]) -> None:
    """Refuse a guessable SECRET_KEY outside development and tests.

    It signs sessions, invitation links and CSRF tokens and encrypts the centres' signing keys
    and two-factor secrets: a known or short key lets anyone forge a session.
    """
    if config.get("TESTING") or config.get("DEBUG"):
        return
    key = config["SECRET_KEY"]
    raw = key.encode() if isinstance(key, str) else bytes(key)
    if raw.decode(errors="replace").strip().lower() in PLACEHOLDER_SECRET_KEYS:
        problem = "is the example placeholder"
    elif len(raw) < MIN_SECRET_KEY_BYTES:
        problem = f"is only {len(raw)} bytes long ({MIN_SECRET_KEY_BYTES} at least)"
    else:
        return
    raise ConfigError(
        f"SECRET_KEY {problem}, so anyone could forge sessions and invitation links. Make one "
        f"with\n    {MAKE_A_KEY}\nand set it as SECRET_KEY in instance/config.py or the "
        "environment (or delete SECRET_KEY from instance/config.py and the first start writes "
        "one). FLASK_DEBUG=1 allows a weak key on a development machine."
    )


# Where `flask run` and `make run` serve by default.
DEFAULT_LOCAL_URL = "http://127.0.0.1:5000"


def local_base_url(config: Mapping[str, Any]) -> str:
    """Links' address without HEARTBEAT_PUBLIC_URL: SERVER_NAME when set (tests, some
    deployments), else the local default; never a request's Host header."""
    server = config.get("SERVER_NAME")
    if server:
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{server}"
    return DEFAULT_LOCAL_URL


def public_url_warning(config: Mapping[str, Any]) -> str | None:
    """What to tell the operator at start-up about HEARTBEAT_PUBLIC_URL, if anything."""
    if (config.get("HEARTBEAT_PUBLIC_URL") or "").strip():
        return None
    if config.get("TESTING") or config.get("DEBUG"):
        return None
    return (
        "HEARTBEAT_PUBLIC_URL is not set: certificates, credentials, QR codes and invitation "
        f"emails will point at {local_base_url(config)}. Set it to the address people reach "
        "this site at (e.g. https://miles.example.org)."
    )


def _check_public_url(value: str) -> None:
    parts = urlsplit(value.strip())
    if value.strip() and (
        parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment
    ):
        raise ConfigError(
            "HEARTBEAT_PUBLIC_URL must be an http or https address such as "
            f"https://miles.example.org (it is {value!r})."
        )


def database_uri(url: str | None, instance_path: str) -> str:
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "heartbeat.db")
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    instance_config = Path(app.instance_path) / "config.py"
    if instance_config.exists():
        app.config.from_pyfile(str(instance_config))
    app.config.update(_environment_overrides(os.environ))
    if overrides:
        app.config.update(overrides)
    if not app.config["SECRET_KEY"]:
        _write_instance_config(instance_config)
        app.config.from_pyfile(str(instance_config))

    check_secret_key(app.config)
    _check_public_url(app.config["HEARTBEAT_PUBLIC_URL"] or "")

    if not app.config["DATABASE_URL"]:
        # The default SQLite file lives there; SQLite will not create the folder itself.
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(
        app.config["DATABASE_URL"], app.instance_path
    )
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    app.config["RATELIMIT_KEY_PREFIX"] = app.config["HEARTBEAT_RATELIMIT_PREFIX"]
    # Counters kept in one process's memory would multiply every limit by the number of
    # processes: with Redis, a Redis outage is an error, never a quiet fallback to memory.
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = False
    app.config["RATELIMIT_HEADERS_ENABLED"] = True

    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(
        days=app.config["REMEMBER_COOKIE_DURATION_DAYS"]
    )
    if app.config["HEARTBEAT_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["REMEMBER_COOKIE_NAME"] = "__Host-remember"
        app.config["PREFERRED_URL_SCHEME"] = "https"

    floor = OWASP_ARGON2_FLOOR
    if (
        app.config["HEARTBEAT_ARGON2_TIME_COST"] < floor["time_cost"]
        or app.config["HEARTBEAT_ARGON2_MEMORY_KIB"] < floor["memory_kib"]
        or app.config["HEARTBEAT_ARGON2_PARALLELISM"] < floor["parallelism"]
    ):
        raise ValueError("argon2 parameters are below OWASP's minimum (m=19 MiB, t=2, p=1)")

"""Configuration layers: package defaults < instance/config.py < environment < create_app's dict."""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat import create_app
from heartbeat.auth.models import Role
from heartbeat.config import DEFAULTS, ConfigError, database_uri
from heartbeat.extensions import db
from tests.harness import make_app
from tests.helpers import PASSWORD, add_user

KEY = "a-test-key-that-is-long-enough-0123456789"
READ_FROM_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No setting leaks in from the shell running the tests; the instance folder is private."""
    for name in list(os.environ):
        if name in (*READ_FROM_ENVIRONMENT, "FLASK_DEBUG") or name.startswith("HEARTBEAT_"):
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(instance))
    return instance


@pytest.fixture
def instance(clean_environment):
    return clean_environment


def write_instance_config(instance, text: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(text)


def test_each_layer_overrides_the_one_below(instance, monkeypatch):
    write_instance_config(
        instance,
        "SECRET_KEY = 'from-instance-3f9a2c7e81d64b05a9e3'\n"
        "HEARTBEAT_PAGE_SIZE = 3\n"
        "HEARTBEAT_INVITE_HOURS = 10\n"
        "HEARTBEAT_LOCKOUT_THRESHOLD = 9\n",
    )
    monkeypatch.setenv("HEARTBEAT_INVITE_HOURS", "20")
    monkeypatch.setenv("HEARTBEAT_LOCKOUT_THRESHOLD", "8")

    app = create_app({"HEARTBEAT_LOCKOUT_THRESHOLD": 7})

    assert app.config["HEARTBEAT_LOCKOUT_MINUTES"] == DEFAULTS["HEARTBEAT_LOCKOUT_MINUTES"]
    assert app.config["HEARTBEAT_PAGE_SIZE"] == 3  # instance over default
    assert app.config["HEARTBEAT_INVITE_HOURS"] == 20  # environment over instance
    assert app.config["HEARTBEAT_LOCKOUT_THRESHOLD"] == 7  # create_app's dict over environment
    assert app.config["SECRET_KEY"] == "from-instance-3f9a2c7e81d64b05a9e3"


def test_the_environment_overrides_the_instance_secret_key_and_urls(instance, monkeypatch):
    write_instance_config(
        instance,
        "SECRET_KEY = 'from-instance-3f9a2c7e81d64b05a9e3'\nDATABASE_URL = 'sqlite:////instance.db'\n",
    )
    monkeypatch.setenv("SECRET_KEY", "from-environment-6d0b4e19c2a8f735e1")
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example/heartbeat")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/0")

    app = create_app()

    assert app.config["SECRET_KEY"] == "from-environment-6d0b4e19c2a8f735e1"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://someone@db.example/heartbeat"
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.example:6379/0"


def test_empty_environment_values_do_not_blank_out_the_instance_settings(instance, monkeypatch):
    write_instance_config(instance, "SECRET_KEY = 'from-instance-3f9a2c7e81d64b05a9e3'\n")
    monkeypatch.setenv("SECRET_KEY", "")
    monkeypatch.setenv("REDIS_URL", "")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance-3f9a2c7e81d64b05a9e3"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_heartbeat_variables_are_parsed_by_the_type_of_their_default(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("HEARTBEAT_PAGE_SIZE", "7")
    monkeypatch.setenv("HEARTBEAT_HTTPS", "1")
    monkeypatch.setenv("HEARTBEAT_SMTP_STARTTLS", "no")
    monkeypatch.setenv("HEARTBEAT_SMTP_HOST", "smtp.example")
    monkeypatch.setenv("HEARTBEAT_LOG_LEVEL", "warning")
    monkeypatch.setenv("HEARTBEAT_NOT_A_SETTING", "ignored")

    app = create_app()

    assert app.config["HEARTBEAT_PAGE_SIZE"] == 7
    assert app.config["HEARTBEAT_HTTPS"] is True
    assert app.config["HEARTBEAT_SMTP_STARTTLS"] is False
    assert app.config["HEARTBEAT_SMTP_HOST"] == "smtp.example"
    assert app.config["HEARTBEAT_LOG_LEVEL"] == "warning"
    assert "HEARTBEAT_NOT_A_SETTING" not in app.config


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_true_looking_words_switch_a_flag_on(monkeypatch, raw):
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("HEARTBEAT_HTTPS", raw)
    assert create_app().config["HEARTBEAT_HTTPS"] is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
def test_anything_else_leaves_a_flag_off(monkeypatch, raw):
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("HEARTBEAT_HTTPS", raw)
    assert create_app().config["HEARTBEAT_HTTPS"] is False


def test_a_number_setting_that_is_not_a_number_stops_the_start(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("HEARTBEAT_PAGE_SIZE", "lots")
    with pytest.raises(ValueError):
        create_app()


def test_argon2_settings_below_owasps_minimum_stop_the_start(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("HEARTBEAT_ARGON2_MEMORY_KIB", "1024")
    with pytest.raises(ValueError, match="OWASP"):
        create_app()


# --- the secret key -------------------------------------------------------------------------------


def test_a_first_start_without_a_secret_key_writes_one_and_later_starts_reuse_it(instance):
    first = create_app()

    config_file = instance / "config.py"
    assert config_file.exists()
    key = first.config["SECRET_KEY"]
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert f"SECRET_KEY = {key!r}" in config_file.read_text()

    second = create_app()
    assert second.config["SECRET_KEY"] == key


def test_two_installations_get_different_secret_keys(tmp_path, monkeypatch):
    keys = []
    for name in ("one", "two"):
        monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / name))
        keys.append(create_app().config["SECRET_KEY"])
    assert keys[0] != keys[1]


def test_a_secret_key_from_the_environment_writes_no_instance_file(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-environment-6d0b4e19c2a8f735e1")
    create_app()
    assert not (instance / "config.py").exists()


EXAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "instance" / "config.example.py"


def test_the_example_config_copied_unchanged_does_not_start(instance):
    instance.mkdir(parents=True)
    shutil.copy(EXAMPLE_CONFIG, instance / "config.py")

    with pytest.raises(ConfigError) as refused:
        create_app()

    message = str(refused.value)
    assert "placeholder" in message
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in message


@pytest.mark.parametrize("key", ["k", "short-but-not-a-placeholder", "x" * 31, "é" * 15])
def test_a_secret_key_shorter_than_32_bytes_does_not_start(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)

    with pytest.raises(ConfigError, match="bytes long"):
        create_app()


def test_a_placeholder_key_is_refused_even_when_padded_with_case_or_spaces(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "  Replace-Me-With-A-Long-Random-String  ")

    with pytest.raises(ConfigError, match="placeholder"):
        create_app()


def test_a_key_of_32_bytes_starts(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)

    assert create_app().config["SECRET_KEY"] == "x" * 32


@pytest.mark.parametrize("flag", [{"TESTING": True}, {"DEBUG": True}])
def test_development_and_tests_may_use_a_weak_key(monkeypatch, flag):
    monkeypatch.setenv("SECRET_KEY", "dev")

    assert create_app(flag).config["SECRET_KEY"] == "dev"


def test_flask_debug_in_the_environment_allows_a_weak_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "dev")
    monkeypatch.setenv("FLASK_DEBUG", "1")

    assert create_app().config["SECRET_KEY"] == "dev"


def test_a_generated_key_is_added_after_the_settings_already_in_the_instance_file(instance):
    write_instance_config(instance, "HEARTBEAT_PAGE_SIZE = 7")

    app = create_app()

    assert app.config["HEARTBEAT_PAGE_SIZE"] == 7
    text = (instance / "config.py").read_text()
    assert text.startswith("HEARTBEAT_PAGE_SIZE = 7\n")
    assert f"SECRET_KEY = {app.config['SECRET_KEY']!r}" in text


# --- the database URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example:5432/hm", "postgresql+psycopg://u:p@db.example:5432/hm"),
        ("postgresql://u@db.example/hm", "postgresql+psycopg://u@db.example/hm"),
        ("postgresql+psycopg://u@db.example/hm", "postgresql+psycopg://u@db.example/hm"),
        ("sqlite:////srv/hm/heartbeat.db", "sqlite:////srv/hm/heartbeat.db"),
    ],
)
def test_database_urls_are_normalised_to_the_psycopg_driver(url, expected):
    assert database_uri(url, "/srv/instance") == expected


@pytest.mark.parametrize("url", [None, ""])
def test_without_a_database_url_the_database_is_sqlite_in_the_instance_folder(url):
    assert database_uri(url, "/srv/instance") == "sqlite:////srv/instance/heartbeat.db"


def test_an_app_without_a_database_url_keeps_its_sqlite_file_in_the_instance_folder(
    instance, monkeypatch
):
    monkeypatch.setenv("SECRET_KEY", KEY)  # so nothing else creates the instance folder
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'heartbeat.db'}"
    with app.app_context():
        try:
            db.create_all()
            assert "centre" in sa.inspect(db.engine).get_table_names()
        finally:
            db.engine.dispose()
    assert (instance / "heartbeat.db").exists()


# --- HTTPS ----------------------------------------------------------------------------------------


def set_cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_behind_https_cookies_are_secure_and_host_prefixed(instance, monkeypatch, tmp_path):
    monkeypatch.setenv("HEARTBEAT_HTTPS", "1")
    app = make_app(f"sqlite:///{tmp_path / 'https.db'}")
    with app.app_context():
        db.create_all()
        add_user(None, "operator@platform.example", Role.ADMIN, operator=True)
        db.session.commit()
    try:
        client = app.test_client()
        response = client.post(
            "/login",
            base_url="https://heartbeat.test",
            data={"email": "operator@platform.example", "password": PASSWORD, "remember": "y"},
        )
        assert response.status_code == 302
        cookies = set_cookie_headers(response)
        assert set(cookies) >= {"__Host-session", "__Host-remember"}
        for header in (cookies["__Host-session"], cookies["__Host-remember"]):
            attributes = [part.strip().lower() for part in header.split(";")]
            assert "secure" in attributes
            assert "httponly" in attributes
            assert "path=/" in attributes
            assert not any(part.startswith("domain=") for part in attributes)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        # The browser sends the cookie back over HTTPS and the session holds.
        page = client.get("/operator/centres", base_url="https://heartbeat.test")
        assert page.status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


def test_without_https_cookies_keep_their_plain_names(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", KEY)
    app = create_app()
    assert app.config["SESSION_COOKIE_NAME"] == "session"
    assert not app.config.get("SESSION_COOKIE_SECURE")
    try:
        assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers
    finally:
        with app.app_context():
            db.engine.dispose()


# --- the public address ---------------------------------------------------------------------------


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def config_warnings():
    handler = _Warnings()
    logger = logging.getLogger("heartbeat.config")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def test_outside_development_an_unset_public_url_is_warned_about_at_start(
    monkeypatch, config_warnings
):
    monkeypatch.setenv("SECRET_KEY", KEY)

    create_app()

    (warning,) = [message for message in config_warnings if "HEARTBEAT_PUBLIC_URL" in message]
    assert "http://127.0.0.1:5000" in warning
    assert "Set it to the address people reach this site at" in warning


@pytest.mark.parametrize(
    "config",
    [{"HEARTBEAT_PUBLIC_URL": "https://miles.example.org"}, {"TESTING": True}, {"DEBUG": True}],
)
def test_a_set_public_url_or_development_gives_no_warning(monkeypatch, config_warnings, config):
    monkeypatch.setenv("SECRET_KEY", KEY)

    create_app(config)

    assert not [message for message in config_warnings if "HEARTBEAT_PUBLIC_URL" in message]


@pytest.mark.parametrize(
    "url", ["miles.example.org", "ftp://miles.example.org", "https://x.org/?a=1", "https://"]
)
def test_a_public_url_that_is_not_an_http_address_does_not_start(monkeypatch, url):
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("HEARTBEAT_PUBLIC_URL", url)

    with pytest.raises(ConfigError, match="HEARTBEAT_PUBLIC_URL"):
        create_app()

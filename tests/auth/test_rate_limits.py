"""Rate limits on sign-in: per address, and per account and address; POST only."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "HEARTBEAT_LOGIN_RATE_LIMIT": "3 per minute",
        "HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT": "20 per hour",
    }


def _attempt(client, email="nobody@alpha.example", password="not the right password", ip=None):
    environ = {"REMOTE_ADDR": ip} if ip else {}
    return client.post("/login", data={"email": email, "password": password}, environ_base=environ)


def test_sign_in_attempts_beyond_the_limit_get_429_and_the_friendly_page(client, world):
    for _ in range(3):
        assert _attempt(client).status_code == 401

    response = _attempt(client)

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "Please wait a minute before trying again." in page
    assert "Traceback" not in page
    assert int(response.headers["Retry-After"]) <= 60


def test_once_limited_even_the_right_password_must_wait(client, world, rows):
    for _ in range(3):
        _attempt(client, world.a.therapist.email)

    response = _attempt(client, world.a.therapist.email, PASSWORD)

    assert response.status_code == 429
    assert rows.user(world.a.therapist.email).last_login_at is None


def test_a_rate_limited_request_does_not_count_towards_the_lockout(client, world, rows):
    email = world.a.therapist.email
    for _ in range(3):
        _attempt(client, email)
    for _ in range(5):
        assert _attempt(client, email).status_code == 429

    user = rows.user(email)
    assert user.failed_logins == 3
    assert user.locked_until is None


def test_the_sign_in_page_itself_is_not_limited(client, world):
    for _ in range(3):
        _attempt(client)
    assert _attempt(client).status_code == 429

    for _ in range(10):
        assert client.get("/login").status_code == 200


def test_the_limit_is_counted_per_address(app, world):
    first, second = app.test_client(), app.test_client()
    for _ in range(3):
        _attempt(first, ip="203.0.113.1")
    assert _attempt(first, ip="203.0.113.1").status_code == 429

    assert _attempt(second, ip="203.0.113.2").status_code == 401


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "HEARTBEAT_LOGIN_RATE_LIMIT": "100 per minute",
            "HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT": "2 per hour",
        }
    ],
)
def test_one_account_is_limited_per_address_and_its_owner_elsewhere_still_signs_in(app, world):
    email = world.a.therapist.email
    attacker = "198.51.100.7"
    for _ in range(2):
        assert _attempt(app.test_client(), email, ip=attacker).status_code == 401

    # Case and spaces do not make a new account key.
    spelled_otherwise = f"  {email.upper()} "
    response = _attempt(app.test_client(), spelled_otherwise, PASSWORD, ip=attacker)
    assert response.status_code == 429

    # A limit on the account alone would be a lock anyone could put on its owner.
    owner = _attempt(app.test_client(), email, PASSWORD, ip="203.0.113.50")
    assert owner.status_code == 302

"""Response headers and cookies: the Content-Security-Policy, HSTS and cookie flags.

Every endpoint's answers are checked for the common headers (and no-store when signed in) by the
access matrix; here the policy itself is read directive by directive, and HTTPS mode is tested
behind the proxy it expects.
"""

from __future__ import annotations

import re

import pytest

from heartbeat.core.hooks import CONTENT_SECURITY_POLICY, content_security_policy
from tests.helpers import PASSWORD

HTTPS = {"HEARTBEAT_HTTPS": True}
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def set_cookies(response) -> dict[str, dict[str, str | bool]]:
    """Each Set-Cookie header as {name: {attribute: value or True}}."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, _ = first.partition("=")
        flags: dict[str, str | bool] = {}
        for attribute in attributes:
            key, sep, value = attribute.partition("=")
            flags[key.lower()] = value if sep else True
        cookies[name] = flags
    return cookies


def test_the_policy_allows_scripts_and_styles_only_from_our_own_files(client):
    policy = directives(client.get("/login").headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no hosts
    assert policy["style-src"] == ["'self'"]  # no inline style blocks or style="" attributes
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # Images: our files, and data: URIs for the two-factor QR code; nothing from elsewhere.
    assert policy["img-src"] == ["'self'", "data:"]
    for name, sources in policy.items():
        for source in sources:
            assert source in ("'self'", "'none'", "data:"), (name, source)


def test_every_kind_of_answer_carries_the_same_policy(client, auth, world):
    answers = [
        client.get("/login"),
        client.get("/healthz"),
        client.get("/no-such-page"),
        client.get("/participants"),  # a redirect to sign in
        client.get("/static/css/app.css"),
        client.get("/verify/HM-2026-AAAA-BBBB-CCCC.json"),
    ]
    auth.sign_in(world.a.admin.email)
    answers += [client.get("/home"), client.get("/centre/staff"), client.get("/audit")]
    for response in answers:
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_a_view_can_change_a_named_directive_but_never_drop_the_others():
    merged = directives(content_security_policy("frame-ancestors 'self'"))
    assert merged["frame-ancestors"] == ["'self'"]
    assert merged["object-src"] == ["'none'"]
    assert merged["script-src"] == ["'self'"]
    assert directives(content_security_policy(None)) == directives(CONTENT_SECURITY_POLICY)


def test_without_https_there_is_no_hsts_and_cookies_are_httponly_and_lax(client, world):
    response = client.post(
        "/login", data={"email": world.a.admin.email, "password": PASSWORD, "remember": "y"}
    )
    assert "Strict-Transport-Security" not in response.headers
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        assert cookies[name]["httponly"] is True, name
        assert cookies[name]["samesite"] == "Lax", name


@pytest.mark.parametrize("app_config", [HTTPS])
def test_behind_https_every_answer_demands_https_for_a_year(client, world):
    for url in ("/login", "/healthz", "/no-such-page"):
        hsts = client.get(url, headers=FORWARDED).headers["Strict-Transport-Security"]
        max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
        assert max_age >= 365 * 24 * 3600
        assert "includeSubDomains" in hsts


@pytest.mark.parametrize("app_config", [HTTPS])
def test_behind_https_cookies_are_secure_host_only_and_named_host(client, world):
    response = client.post(
        "/login",
        data={"email": world.a.admin.email, "password": PASSWORD, "remember": "y"},
        headers=FORWARDED,
        base_url="https://heartbeat.test",
    )
    assert response.status_code == 302
    cookies = set_cookies(response)
    # The device cookie marks a browser the account signed in from (auth/guard.py).
    assert set(cookies) == {"__Host-session", "__Host-remember", "__Host-device"}
    for name, flags in cookies.items():
        # The __Host- prefix: Secure, Path=/ and no Domain, so no sibling host can set it.
        assert flags["secure"] is True, name
        assert flags["path"] == "/", name
        assert "domain" not in flags, name
        assert flags["httponly"] is True, name
        assert flags["samesite"] == "Lax", name


@pytest.mark.parametrize("app_config", [HTTPS])
def test_behind_https_links_the_app_writes_are_https(client, world):
    client.post(
        "/login",
        data={"email": world.a.admin.email, "password": PASSWORD},
        headers=FORWARDED,
        base_url="https://heartbeat.test",
    )
    response = client.post(
        "/centre/staff/invite",
        data={"email": "coach@elsewhere.example", "name": "Coach", "role": "therapist"},
        headers=FORWARDED,
        base_url="https://heartbeat.test",
    )
    # Invitation ready, by redirect: the redirect and the link it shows are both HTTPS.
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].startswith(("https://heartbeat.test/", "/"))
    ready = client.get(
        response.headers["Location"], headers=FORWARDED, base_url="https://heartbeat.test"
    )
    assert ready.status_code == 200, ready.status_code
    assert "https://heartbeat.test/invite/" in ready.get_data(as_text=True)

"""Public links come from configuration only, never from the request's Host header.

The attacker probe: with HEARTBEAT_PUBLIC_URL unset, ``Host: evil.example`` made the issuer
profile answer ``http://evil.example/…``; a certificate issued in such a request would have
printed and signed that address. Here the app runs without SERVER_NAME (as ``make run`` does),
so nothing but the app's own code decides the address.
"""

from __future__ import annotations

import json
import re

import pytest

from heartbeat.core.public_url import DEFAULT_LOCAL_URL
from tests.helpers import PASSWORD

EVIL = {"Host": "evil.example"}
EVIL_BASE = "http://evil.example"


def signed_in_through_evil_host(app, email: str):
    """A client that reached the site (and signed in) as evil.example, so its cookies go there."""
    client = app.test_client()
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD}, base_url=EVIL_BASE
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def app_config():
    return {"SERVER_NAME": None}


def _issue_through_the_form(app, world, certs):
    achiever = certs.achiever(world.a)
    therapist = signed_in_through_evil_host(app, world.a.therapist.email)
    response = therapist.post(
        f"/participants/{achiever.participant_id}/certificates/issue",
        data={"award_id": achiever.awards["10k"]},
        base_url=EVIL_BASE,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    certificate_id = int(re.search(r"/certificates/(\d+)", response.headers["Location"])[1])
    return certs.certificate(certificate_id)


def test_the_issuer_profile_ignores_the_host_header(client, world, certs):
    certs.issue(world.a, certs.achiever(world.a))

    body = client.get("/verify/issuers/alpha.json", headers=EVIL).get_data(as_text=True)

    assert "evil.example" not in body
    profile = json.loads(body)
    host = DEFAULT_LOCAL_URL.removeprefix("http://").replace(":", "%3A")
    assert profile["id"] == f"did:web:{host}:centres:alpha"
    assert profile["url"] == f"{DEFAULT_LOCAL_URL}/verify/issuers/alpha.json"
    did = client.get("/centres/alpha/did.json", headers=EVIL).get_data(as_text=True)
    assert "evil.example" not in did and json.loads(did)["id"] == profile["id"]


def test_a_certificate_issued_with_a_hostile_host_carries_only_the_configured_address(
    app, world, certs
):
    certificate = _issue_through_the_form(app, world, certs)

    assert certificate.verify_url.startswith(f"{DEFAULT_LOCAL_URL}/verify/")
    assert "evil.example" not in json.dumps(certificate.credential)


@pytest.mark.parametrize(
    "app_config", [{"SERVER_NAME": None, "HEARTBEAT_PUBLIC_URL": "https://miles.example.org/"}]
)
def test_the_configured_public_url_is_used_everywhere(app, client, world, certs):
    certificate = _issue_through_the_form(app, world, certs)
    profile = client.get("/verify/issuers/alpha.json", headers=EVIL).get_json()

    assert certificate.verify_url.startswith("https://miles.example.org/verify/")
    assert certificate.credential["issuer"]["id"] == profile["id"]
    assert profile["id"] == "did:web:miles.example.org:centres:alpha"
    achievement = certificate.credential["credentialSubject"]["achievement"]["id"]
    assert achievement.startswith("https://miles.example.org/verify/achievements/alpha/")
    did = client.get("/centres/alpha/did.json", headers=EVIL).get_json()
    assert certificate.credential["proof"]["verificationMethod"].startswith(did["id"] + "#")


@pytest.mark.parametrize(
    "app_config", [{"SERVER_NAME": None, "HEARTBEAT_PUBLIC_URL": "https://miles.example.org"}]
)
def test_an_invitation_link_uses_the_configured_address_not_the_host(app, world):
    admin = signed_in_through_evil_host(app, world.a.admin.email)

    page = admin.post(
        "/centre/staff/invite",
        data={"name": "Casey", "email": "casey@example.org", "role": "therapist"},
        base_url=EVIL_BASE,
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "https://miles.example.org/invite/" in page
    assert "evil.example" not in page

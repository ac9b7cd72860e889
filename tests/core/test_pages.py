"""The pages every visitor meets: health check, error pages, navigation and security headers."""

from __future__ import annotations

import html
import re

import pytest

from heartbeat.extensions import db
from tests.harness import make_app

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
NAV = re.compile(r'<nav class="main-nav"[^>]*>(.*?)</nav>', re.S)
NAV_LABEL = re.compile(r"<a [^>]*>([^<]+)</a>")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def nav_labels(page: str) -> list[str]:
    match = NAV.search(page)
    return NAV_LABEL.findall(match.group(1)) if match else []


# --- health ---------------------------------------------------------------------------------------


def test_healthz_reports_ok_as_json_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.fixture
def app_without_database(tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))
    application = make_app(UNREACHABLE_DATABASE)
    yield application
    with application.app_context():
        db.engine.dispose()


def test_healthz_answers_503_when_the_database_is_unreachable(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_signing_in_without_a_database_shows_the_unavailable_page(app_without_database):
    client = app_without_database.test_client()
    response = client.post(
        "/login", data={"email": "someone@example.org", "password": "a long password"}
    )
    assert response.status_code == 503
    page = text(response)
    assert "The service is briefly unavailable" in page
    assert "Traceback" not in page
    assert "Something went wrong on our side" not in page


def test_a_signed_in_person_gets_the_unavailable_page_not_a_crash(
    client, auth, world, app_without_database
):
    """Their session names a user that cannot be loaded: every page must still answer 503."""
    auth.sign_in(world.a.therapist.email)
    session = client.get_cookie("session", domain="heartbeat.test")
    stranded = app_without_database.test_client()
    stranded.set_cookie("session", session.value, domain="heartbeat.test")
    for url in ("/login", "/home", "/centre/staff"):
        response = stranded.get(url)
        assert response.status_code == 503, url
        page = text(response)
        assert "The service is briefly unavailable" in page, url
        assert 'lang="en-GB"' in page


# --- error pages ----------------------------------------------------------------------------------


def test_an_unknown_address_gets_a_friendly_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = text(response)
    assert '<html lang="en-GB">' in page
    assert "We couldn't find that page" in page
    assert "Go to the start page" in page
    assert "Traceback" not in page


def test_a_json_client_gets_its_404_as_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "We couldn't find that page"


def test_a_therapist_on_an_admin_page_gets_the_403_page(client, auth, world):
    auth.sign_in(world.a.therapist.email)
    response = client.get("/centre/staff")
    assert response.status_code == 403
    page = text(response)
    assert "You don't have access to this" in page
    assert "ask your centre's admin" in page
    assert 'lang="en-GB"' in page


def test_the_wrong_method_gets_the_405_page(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "That didn't work" in text(response)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1024}])
def test_a_request_larger_than_the_limit_gets_the_413_page(client):
    response = client.post("/login", data={"email": "x" * 4000, "password": "y"})
    assert response.status_code == 413
    page = text(response)
    assert "That file is too large" in page
    assert "Nothing was saved" in page


# --- navigation -----------------------------------------------------------------------------------


def test_an_admin_gets_the_daily_links_and_one_link_to_the_centre_hub(client, auth, world):
    auth.sign_in(world.a.admin.email)
    labels = nav_labels(client.get("/home").get_data(as_text=True))
    assert labels == ["Home", "Caseload", "To verify", "Certificates", "Centre", "My account"]


def test_a_therapist_sees_home_but_not_staff_management(client, auth, world):
    auth.sign_in(world.a.therapist.email)
    labels = nav_labels(client.get("/home").get_data(as_text=True))
    assert labels == ["Home", "Caseload", "To verify", "Certificates", "My account"]


def test_a_participant_sees_only_their_progress_and_account(client, auth, world):
    auth.sign_in(world.a.participant.email)
    labels = nav_labels(client.get("/home").get_data(as_text=True))
    assert labels == ["My progress", "My account"]


def test_the_operator_sees_all_centres(client, auth, world):
    auth.sign_in(world.operator.email)
    labels = nav_labels(client.get("/operator/centres").get_data(as_text=True))
    assert "All centres" in labels
    assert "Staff" not in labels
    assert "Home" not in labels


def test_signed_out_visitors_see_no_navigation(client):
    assert nav_labels(client.get("/login").get_data(as_text=True)) == []


# --- headers --------------------------------------------------------------------------------------


def assert_security_headers(response, what: str) -> None:
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    policy = response.headers.get("Content-Security-Policy", "")
    assert "object-src 'none'" in policy, what
    assert "frame-ancestors 'none'" in policy, what


def test_every_kind_of_response_carries_the_security_headers(client, auth, world):
    anonymous = {
        "sign-in page": client.get("/login"),
        "health check": client.get("/healthz"),
        "404 page": client.get("/missing"),
        "redirect": client.get("/home"),
        "static file": client.get("/static/css/app.css"),
    }
    for what, response in anonymous.items():
        assert_security_headers(response, what)
    auth.sign_in(world.a.admin.email)
    for url in ("/home", "/centre/staff", "/centre/settings", "/account", "/operator/centres"):
        assert_security_headers(client.get(url), url)


def test_signed_in_pages_are_never_cached(client, auth, world):
    auth.sign_in(world.a.admin.email)
    for url in ("/home", "/centre/staff", "/centre/settings", "/operator/centres", "/missing"):
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url


def test_signed_out_pages_do_not_demand_no_store(client):
    assert client.get("/login").headers.get("Cache-Control") != "no-store"

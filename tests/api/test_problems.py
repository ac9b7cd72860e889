"""Every error under /api/ is an RFC 9457 problem: its media type, its members, and the status
each kind of mistake gets, whether a route handled it or none matched."""

from __future__ import annotations

import pytest

from heartbeat.extensions import db
from tests.api.conftest import bearer, issue
from tests.harness import empty_postgres, make_app
from tests.helpers import centre_world

MEMBERS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert MEMBERS <= set(body), body
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    assert body["instance"] == response.request.path
    assert response.headers["Cache-Control"] == "no-store"
    return body


def test_each_kind_of_mistake_gets_its_status(app, world, tokens):
    client = app.test_client()
    admin = bearer(tokens.admin)
    p1 = world.a.records["p1"]
    assert_problem(client.get("/api/v1/me"), 401)
    assert_problem(client.get("/api/v1/me", headers=bearer("hbm_nope")), 401)
    assert_problem(
        client.post(
            f"/api/v1/participants/{p1.participant_id}/sessions",
            headers=bearer(tokens.admin_read),
            json={},
        ),
        403,
    )
    assert_problem(client.get("/api/v1/participants/999999", headers=admin), 404)
    assert_problem(client.get(f"/api/v1/participants/{2**31}", headers=admin), 404)
    assert_problem(client.get("/api/v1/no-such-thing", headers=admin), 404)
    assert_problem(client.get("/api/v2/participants", headers=admin), 404)
    not_allowed = assert_problem(client.put("/api/v1/ladder", headers=admin), 405)
    assert not_allowed
    assert "GET" in client.put("/api/v1/ladder", headers=admin).headers["Allow"]
    assert_problem(client.get("/api/v1/participants?cursor=forged", headers=admin), 400)
    body = assert_problem(client.get("/api/v1/participants?limit=0&sort=up", headers=admin), 422)
    assert set(body["errors"]) == {"limit", "sort"}
    assert_problem(client.get("/api/v1/participants?colour=red", headers=admin), 422)
    url = f"/api/v1/sessions/{p1.session_id}"
    assert_problem(client.patch(url, headers=admin, json={"rpe": 3}), 428)
    assert_problem(client.patch(url, headers={**admin, "If-Match": '"0"'}, json={"rpe": 3}), 412)
    assert_problem(
        client.post(
            f"/api/v1/participants/{p1.participant_id}/sessions",
            headers=admin,
            data="x",
            content_type="text/plain",
        ),
        415,
    )


def test_the_session_cookie_and_csrf_play_no_part(app, world, tokens):
    """A JSON write with a token needs no CSRF token: no cookie is read, so none is needed."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post(
            f"/api/v1/participants/{world.a.records['p1'].participant_id}/sessions",
            headers=bearer(tokens.therapist),
            json={"started_at": "2026-01-05T09:30:00", "kind": "track", "distance_m": 400},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


@pytest.fixture
def limited_app(tmp_path, monkeypatch, postgres_test_url):
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))
    database_url = postgres_test_url or f"sqlite:///{tmp_path / 'limits.db'}"
    application = make_app(
        database_url,
        RATELIMIT_ENABLED=True,
        HEARTBEAT_API_RATE_LIMIT="3 per minute",
        HEARTBEAT_LOGIN_RATE_LIMIT="2 per minute",
        HEARTBEAT_RATELIMIT_PREFIX=f"api-test-{tmp_path.name}",
    )
    if postgres_test_url:
        empty_postgres(application)
    else:
        with application.app_context():
            db.create_all()
    with application.app_context():
        people = centre_world("limits")
        db.session.commit()
        admin_id = people.admin.id
    application.config["TEST_ADMIN_ID"] = admin_id
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_refused_tokens_count_against_the_address_like_failed_sign_ins(limited_app):
    client = limited_app.test_client()
    for n in range(2):
        assert client.get("/api/v1/me", headers=bearer(f"hbm_wrong{n}")).status_code == 401
    body = assert_problem(client.get("/api/v1/me", headers=bearer("hbm_wrong9")), 429)
    assert body["detail"]
    assert client.get("/api/v1/me", headers=bearer("hbm_wrong8")).headers.get("Retry-After")


def test_each_token_has_its_own_budget(limited_app):
    client = limited_app.test_client()
    first = issue(limited_app, limited_app.config["TEST_ADMIN_ID"])
    second = issue(limited_app, limited_app.config["TEST_ADMIN_ID"])
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
    assert_problem(client.get("/api/v1/ladder", headers=bearer(first)), 429)
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200

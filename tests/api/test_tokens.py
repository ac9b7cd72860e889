"""Personal access tokens: made on the account page or from the command line, shown once, kept only
as a digest, usable until they expire or are revoked, and only ever for the API.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa

from heartbeat.auth import tokens as token_services
from heartbeat.auth.models import ApiToken, TokenScope, User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from tests.api.conftest import bearer, issue
from tests.helpers import PASSWORD

TOKEN = re.compile(r'value="(hbm_[A-Za-z0-9_\-]+)"')


def _signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _stored(app, user_id: int) -> list[ApiToken]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.id)
            .execution_options(all_centres=True)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_as_a_digest(app, world):
    browser = _signed_in(app, world.a.therapist_email)
    page = browser.post(
        "/account/tokens", data={"name": "watch sync", "scope": "write", "days": "30"}
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    (secret,) = TOKEN.findall(html)
    assert "shown only this once" in html
    assert page.headers["Cache-Control"] == "no-store"

    stored = _stored(app, world.a.therapist_id)[-1]
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(stored.prefix) and len(stored.prefix) < len(secret) // 3
    assert stored.scope == TokenScope.WRITE
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)

    again = browser.get("/account/connections").get_data(as_text=True)
    assert secret not in again and stored.prefix in again and "watch sync" in again

    me = app.test_client().get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200 and me.get_json()["id"] == world.a.therapist_id
    listed = browser.get("/account/connections").get_data(as_text=True)
    assert "Never" not in listed.split("watch sync", 1)[1].split("</tr>", 1)[0]  # last used


def test_participants_may_only_make_read_tokens(app, world):
    login = world.a.records["p1"]
    browser = _signed_in(app, login.user_email)
    page = browser.get("/account/connections").get_data(as_text=True)
    assert 'value="write"' not in page
    refused = browser.post("/account/tokens", data={"name": "mine", "scope": "write", "days": "7"})
    assert refused.status_code == 422
    assert not TOKEN.findall(refused.get_data(as_text=True))
    made = browser.post("/account/tokens", data={"name": "mine", "scope": "read", "days": "7"})
    (secret,) = TOKEN.findall(made.get_data(as_text=True))
    client = app.test_client()
    me = client.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert me["participant_id"] == login.participant_id and me["token"]["scope"] == "read"


def test_revoking_stops_a_token_at_once_and_only_its_owner_can(app, world):
    secret = issue(app, world.a.admin_id)
    token = _stored(app, world.a.admin_id)[-1]
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    colleague = _signed_in(app, world.a.therapist_email)
    colleague.post("/account/tokens/revoke", data={"token_id": str(token.id)})
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    owner = _signed_in(app, world.a.admin_email)
    response = owner.post("/account/tokens/revoke", data={"token_id": str(token.id)})
    assert response.status_code == 302
    refused = client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Revoked" in owner.get("/account/connections").get_data(as_text=True)


def test_expired_tokens_and_deactivated_users_open_nothing(app, world):
    secret = issue(app, world.a.therapist_id)
    client = app.test_client()
    with app.app_context():
        token = db.session.scalars(
            sa.select(ApiToken).where(ApiToken.token_hash == token_services.digest(secret))
        ).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401

    other = issue(app, world.a.records["p2"].user_id)
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    with app.app_context():
        user = db.session.get(User, world.a.records["p2"].user_id)
        user.active = False
        db.session.commit()
    try:
        assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401
    finally:
        with app.app_context():
            db.session.get(User, world.a.records["p2"].user_id).active = True
            db.session.commit()


def test_wrong_and_malformed_credentials_are_refused_alike(app, world):
    secret = issue(app, world.a.admin_id)
    client = app.test_client()
    for header in (
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Basic {secret}",
        f"Bearer {secret}x",
        f"Bearer {secret[:-1]}",
        "Bearer hbm_" + "A" * 43,
        "Bearer " + "x" * 5000,
        "Bearer \x00",
    ):
        headers = {} if header is None else {"Authorization": header}
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, header
        assert response.mimetype == "application/problem+json"


def test_a_token_never_opens_a_web_page_and_a_session_never_opens_the_api(app, world):
    secret = issue(app, world.a.admin_id)
    anonymous = app.test_client()
    page = anonymous.get("/participants", headers=bearer(secret))
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")

    browser = _signed_in(app, world.a.admin_email)
    assert browser.get("/participants").status_code == 200
    refused = browser.get("/api/v1/participants")
    assert refused.status_code == 401
    # A forged cross-site request rides on the cookie alone: it gets nowhere either.
    forged = browser.post(
        f"/api/v1/participants/{world.a.records['p1'].participant_id}/sessions",
        json={"started_at": "2026-01-05T09:30:00", "kind": "track", "distance_m": 1000},
    )
    assert forged.status_code == 401


def test_create_token_prints_the_token_once(app, world, runner_for):
    result = runner_for(app).invoke(
        args=[
            "create-token",
            "--email",
            world.a.therapist_email,
            "--name",
            "nightly export",
            "--scope",
            "write",
            "--days",
            "7",
        ]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("hbm_") and "\n" not in secret
    stored = _stored(app, world.a.therapist_id)[-1]
    assert stored.name == "nightly export" and stored.scope == TokenScope.WRITE
    assert stored.token_hash == token_services.digest(secret)
    assert secret not in result.stderr
    me = app.test_client().get("/api/v1/me", headers=bearer(secret)).get_json()
    assert me["email"] == world.a.therapist_email


def test_create_token_refuses_a_participant_write_token_and_unknown_accounts(
    app, world, runner_for
):
    runner = runner_for(app)
    participant = runner.invoke(
        args=["create-token", "--email", world.a.records["p1"].user_email, "--name", "x"]
        + ["--scope", "write"]
    )
    assert participant.exit_code != 0 and "only read" in participant.output
    nobody = runner.invoke(args=["create-token", "--email", "nobody@example.org", "--name", "x"])
    assert nobody.exit_code != 0 and "No account" in nobody.output
    too_long = runner.invoke(
        args=["create-token", "--email", world.a.admin_email, "--name", "x", "--days", "999"]
    )
    assert too_long.exit_code != 0


def test_last_use_is_written_at_most_once_a_minute(app, world):
    secret = issue(app, world.a.admin_id)
    client = app.test_client()
    client.get("/api/v1/me", headers=bearer(secret))
    first = _stored(app, world.a.admin_id)[-1].last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    client.get("/api/v1/ladder", headers=bearer(secret))
    assert _stored(app, world.a.admin_id)[-1].last_used_at == first

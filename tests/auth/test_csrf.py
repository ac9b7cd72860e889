"""With CSRF protection on, as in production: forms without the token are refused."""

from __future__ import annotations

import pytest

from tests.auth.helpers import csrf_token, invite_token, is_signed_in
from tests.helpers import PASSWORD

CSRF_HINT = "The form had expired or was sent from somewhere else."


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _sign_in(client, email: str):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return response


def test_sign_in_without_a_csrf_token_is_refused_with_the_friendly_page(client, world, rows):
    response = client.post("/login", data={"email": world.a.admin.email, "password": PASSWORD})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Something in that request was not right" in page
    assert CSRF_HINT in page
    assert not is_signed_in(client)
    assert rows.user(world.a.admin.email).last_login_at is None


def test_sign_in_with_a_wrong_csrf_token_is_refused(client, world):
    client.get("/login")

    response = client.post(
        "/login",
        data={"email": world.a.admin.email, "password": PASSWORD, "csrf_token": "forged"},
    )

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_sign_in_with_the_token_from_the_form_works(client, world):
    _sign_in(client, world.a.admin.email)

    assert is_signed_in(client)


def test_a_token_from_another_browser_does_not_work(app, world):
    attacker, victim = app.test_client(), app.test_client()
    foreign = csrf_token(attacker.get("/login").get_data(as_text=True))
    victim.get("/login")

    response = victim.post(
        "/login",
        data={"email": world.a.admin.email, "password": PASSWORD, "csrf_token": foreign},
    )

    assert response.status_code == 400


def test_an_invitation_without_a_csrf_token_is_refused_and_nothing_is_created(client, world, rows):
    _sign_in(client, world.a.admin.email)

    response = client.post(
        "/centre/staff/invite",
        data={"name": "Casey Coach", "email": "casey@alpha.example", "role": "therapist"},
    )

    assert response.status_code == 400
    assert CSRF_HINT in response.get_data(as_text=True)
    assert rows.invites() == []


def test_an_invitation_with_the_token_from_the_staff_page_works(client, world, rows):
    _sign_in(client, world.a.admin.email)
    token = csrf_token(client.get("/centre/staff").get_data(as_text=True))

    response = client.post(
        "/centre/staff/invite",
        data={
            "name": "Casey Coach",
            "email": "casey@alpha.example",
            "role": "therapist",
            "csrf_token": token,
        },
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert invite_token(response.get_data(as_text=True))
    assert [invite.email for invite in rows.invites()] == ["casey@alpha.example"]


def test_sign_out_without_a_csrf_token_is_refused(client, world):
    _sign_in(client, world.a.admin.email)

    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)


def test_sign_out_with_the_token_from_the_page_header_works(client, world):
    _sign_in(client, world.a.admin.email)
    token = csrf_token(client.get("/home").get_data(as_text=True))

    response = client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 302
    assert not is_signed_in(client)


def test_a_token_from_before_sign_in_does_not_work_after_it(client, world):
    stale = csrf_token(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": world.a.admin.email, "password": PASSWORD, "csrf_token": stale}
    )

    response = client.post(
        "/centre/staff/invite",
        data={
            "name": "Casey Coach",
            "email": "casey@alpha.example",
            "role": "therapist",
            "csrf_token": stale,
        },
    )

    assert response.status_code == 400


def test_the_change_password_page_renders_with_its_token(client, world):
    _sign_in(client, world.a.admin.email)

    response = client.get("/account/password")

    assert response.status_code == 200
    assert csrf_token(response.get_data(as_text=True))


def test_accepting_an_invitation_needs_the_token_from_its_form(app, client, world, rows):
    _sign_in(client, world.a.admin.email)
    page_token = csrf_token(client.get("/centre/staff").get_data(as_text=True))
    created = client.post(
        "/centre/staff/invite",
        data={
            "name": "Casey Coach",
            "email": "casey@alpha.example",
            "role": "therapist",
            "csrf_token": page_token,
        },
        follow_redirects=True,
    )
    link = f"/invite/{invite_token(created.get_data(as_text=True))}"
    invitee = app.test_client()
    passphrase = "pushing past the last lamp post"

    refused = invitee.post(link, data={"password": passphrase, "confirm": passphrase})
    assert refused.status_code == 400
    assert rows.user("casey@alpha.example") is None

    form_token = csrf_token(invitee.get(link).get_data(as_text=True))
    accepted = invitee.post(
        link, data={"password": passphrase, "confirm": passphrase, "csrf_token": form_token}
    )
    assert accepted.status_code == 302
    assert rows.user("casey@alpha.example") is not None

"""Over-long input gets a clear validation message, never a server error."""

from __future__ import annotations

from tests.auth.helpers import invite_token, is_signed_in
from tests.helpers import PASSWORD


def _assert_refused_with(response, message: str) -> None:
    assert response.status_code < 500
    assert response.status_code != 302
    page = response.get_data(as_text=True)
    assert "There is a problem with what was entered" in page
    assert message in page


def test_a_300_character_email_gets_a_clear_validation_error(client, world, rows):
    email = "a" * 288 + "@alpha.example"
    assert len(email) > 300

    response = client.post("/login", data={"email": email, "password": PASSWORD})

    _assert_refused_with(response, "Email: Field cannot be longer than 254 characters.")
    assert not is_signed_in(client)


def test_a_10000_character_password_gets_a_clear_validation_error(client, world, rows):
    email = world.a.therapist.email

    response = client.post("/login", data={"email": email, "password": "p" * 10_000})

    _assert_refused_with(response, "Password: Field cannot be longer than 128 characters.")
    assert not is_signed_in(client)
    # Refused before any password check: it counts as no attempt at all.
    assert rows.user(email).failed_logins == 0


def test_a_password_of_exactly_128_characters_is_checked_normally(client, world, rows):
    email = world.a.therapist.email

    response = client.post("/login", data={"email": email, "password": "p" * 128})

    assert response.status_code == 401
    assert rows.user(email).failed_logins == 1


def test_a_10000_character_new_password_on_an_invitation_gets_a_clear_error(app, client, world):
    client.post("/login", data={"email": world.a.admin.email, "password": PASSWORD})
    created = client.post(
        "/centre/staff/invite",
        data={"name": "Casey Coach", "email": "casey@alpha.example", "role": "therapist"},
        follow_redirects=True,
    )
    link = f"/invite/{invite_token(created.get_data(as_text=True))}"

    response = app.test_client().post(
        link, data={"password": "p" * 10_000, "confirm": "p" * 10_000}
    )

    assert response.status_code == 422
    assert "Field cannot be longer than 128 characters." in response.get_data(as_text=True)


def test_an_over_long_name_or_email_on_an_invitation_gets_a_clear_error(client, world, rows):
    client.post("/login", data={"email": world.a.admin.email, "password": PASSWORD})

    response = client.post(
        "/centre/staff/invite",
        data={"name": "N" * 500, "email": "c" * 300 + "@alpha.example", "role": "therapist"},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Full name: Field cannot be longer than 120 characters." in page
    assert "Field cannot be longer than 254 characters." in page
    assert rows.invites() == []

"""Sessions end when they should: sign-out, password change, deactivation; fresh at sign-in."""

from __future__ import annotations

from tests.auth.helpers import HOST, client_with_cookie, cookie_value, is_signed_in, login_as
from tests.helpers import PASSWORD

NEW_PASSWORD = "a brand new passphrase for the track"


def test_sign_out_only_accepts_post(client, auth, world):
    auth.login(world.a.therapist.email)

    response = client.get("/logout")

    assert response.status_code == 405
    assert is_signed_in(client)


def test_sign_out_ends_the_session_and_sends_the_person_to_sign_in(client, auth, world):
    auth.login(world.a.therapist.email)

    response = auth.logout()

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You have signed out on this device." in client.get("/login").get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_session_cookie_copied_before_sign_out_opens_nothing_afterwards(app, client, auth, world):
    auth.login(world.a.therapist.email)
    stolen = cookie_value(client, "session")
    assert is_signed_in(client_with_cookie(app, "session", stolen))  # the copy works... for now

    auth.logout()

    assert not is_signed_in(client_with_cookie(app, "session", stolen))


def test_a_remember_me_cookie_copied_before_sign_out_opens_nothing_afterwards(
    app, client, auth, world
):
    auth.login(world.a.therapist.email, remember=True)
    remembered = cookie_value(client, "remember_token")
    # With no session at all, the remember-me cookie alone signs the browser in...
    assert is_signed_in(client_with_cookie(app, "remember_token", remembered))

    auth.logout()

    # ...but not once its owner has signed out.
    assert not is_signed_in(client_with_cookie(app, "remember_token", remembered))


def test_sign_out_clears_the_remember_me_cookie_in_the_browser(client, auth, world):
    auth.login(world.a.therapist.email, remember=True)
    assert cookie_value(client, "remember_token")

    auth.logout()

    assert client.get_cookie("remember_token", domain=HOST) is None


def test_without_remember_me_no_remember_cookie_is_set(client, auth, world):
    auth.login(world.a.therapist.email)

    assert client.get_cookie("remember_token", domain=HOST) is None


def test_a_password_change_signs_out_other_devices_but_not_this_one(app, world, rows):
    email = world.a.therapist.email
    laptop = login_as(app, email, PASSWORD)
    phone = login_as(app, email, PASSWORD, remember=True)
    phone_remember = cookie_value(phone, "remember_token")

    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(client_with_cookie(app, "remember_token", phone_remember))


def test_admin_deactivating_a_person_ends_their_open_session(app, world, rows):
    therapist = login_as(app, world.a.therapist.email, PASSWORD, remember=True)
    remembered = cookie_value(therapist, "remember_token")
    admin = login_as(app, world.a.admin.email, PASSWORD)
    assert is_signed_in(therapist)

    response = admin.post(f"/centre/users/{world.a.therapist.id}/deactivate")

    assert response.status_code == 302
    assert rows.user(world.a.therapist.email).active is False
    assert not is_signed_in(therapist)
    assert not is_signed_in(client_with_cookie(app, "remember_token", remembered))


def test_an_admin_of_another_centre_cannot_deactivate_and_gets_404(app, world, rows):
    therapist = login_as(app, world.a.therapist.email, PASSWORD)
    other_admin = login_as(app, world.b.admin.email, PASSWORD)

    response = other_admin.post(f"/centre/users/{world.a.therapist.id}/deactivate")

    assert response.status_code == 404
    assert rows.user(world.a.therapist.email).active is True
    assert is_signed_in(therapist)


def test_sign_in_starts_a_fresh_session_with_nothing_carried_over(client, auth, world):
    with client.session_transaction() as before:
        before["planted"] = "set before sign-in"
    cookie_before = cookie_value(client, "session")

    auth.login(world.a.therapist.email)

    assert cookie_value(client, "session") != cookie_before
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["_user_id"].startswith(f"{world.a.therapist.id}:")


def test_signing_in_as_someone_else_replaces_the_previous_identity(app, client, auth, world):
    auth.login(world.a.therapist.email)
    auth.logout()

    auth.login(world.a.admin.email)

    with client.session_transaction() as sess:
        assert sess["_user_id"].startswith(f"{world.a.admin.id}:")
    assert client.get("/centre/staff").status_code == 200


def test_a_forged_session_user_id_opens_nothing(app, client, auth, world):
    auth.login(world.a.therapist.email)
    with client.session_transaction() as sess:
        # An old version number, as a cookie from before a sign-out would carry.
        sess["_user_id"] = f"{world.a.therapist.id}:0"

    assert not is_signed_in(client)

"""Invitations: an admin creates a single-use, expiring link; the invitee sets a password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from heartbeat.auth import services
from heartbeat.auth.models import Role
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from tests.auth.helpers import HOST, cookie_value, invite_token, is_signed_in, login_as
from tests.helpers import PASSWORD

NEW_EMAIL = "casey.coach@alpha.example"
NEW_PASSWORD = "pushing past the last lamp post"


def _invite(admin_client, *, email: str = NEW_EMAIL, role: str = "therapist", name="Casey Coach"):
    return admin_client.post(
        "/centre/staff/invite",
        data={"name": name, "email": email, "role": role},
        follow_redirects=True,
    )


def _accept(client, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        f"/invite/{token}", data={"password": password, "confirm": confirm or password}
    )


@pytest.fixture
def admin(app, world):
    return login_as(app, world.a.admin.email, PASSWORD)


@pytest.fixture
def token(admin) -> str:
    response = _invite(admin)
    assert response.status_code == 200
    return invite_token(response.get_data(as_text=True))


# --- creating -------------------------------------------------------------------------------------


def test_an_admin_inviting_a_therapist_sees_the_invitation_link(admin, rows, world):
    response = _invite(admin)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Invitation ready" in page
    link_token = invite_token(page)
    assert f"http://heartbeat.test/invite/{link_token}" in page
    (invite,) = rows.invites()
    assert invite.email == NEW_EMAIL
    assert invite.role == Role.THERAPIST
    assert invite.centre_id == world.a.centre.id
    assert invite.created_by_id == world.a.admin.id
    # Only a digest of the secret is kept: the link itself is not in the database.
    assert link_token not in invite.token_hash


def test_the_invitation_expires_after_the_configured_hours(app, admin, rows):
    before = datetime.now(UTC)

    _invite(admin)

    (invite,) = rows.invites()
    hours = timedelta(hours=app.config["HEARTBEAT_INVITE_HOURS"])
    assert before + hours - timedelta(seconds=5) <= invite.expires_at
    assert invite.expires_at <= datetime.now(UTC) + hours


def test_the_invited_email_is_stored_in_lower_case(admin, rows):
    _invite(admin, email="Casey.COACH@Alpha.Example")

    assert rows.invites()[0].email == NEW_EMAIL


def test_inviting_an_email_that_already_has_an_account_here_is_refused_clearly(admin, rows, world):
    response = _invite(admin, email=world.a.therapist.email.upper())

    assert response.status_code == 422
    assert f"{world.a.therapist.email} already has an account here." in response.get_data(
        as_text=True
    )
    assert rows.invites() == []
    # An account at another centre is not the inviter's to know of (test_invite_privacy.py).


def test_an_invitation_with_a_malformed_email_is_refused(admin, rows):
    response = _invite(admin, email="not-an-email")

    assert response.status_code == 422
    assert "Invalid email address." in response.get_data(as_text=True)
    assert rows.invites() == []


@pytest.mark.parametrize("who", ["therapist", "participant"])
def test_only_an_admin_may_invite_staff(app, world, rows, who):
    member = getattr(world.a, who)
    client = login_as(app, member.email, PASSWORD)

    response = _invite(client)

    assert response.status_code == 403
    assert rows.invites() == []


def test_an_anonymous_visitor_cannot_invite_and_is_sent_to_sign_in(client, world, rows):
    response = client.post(
        "/centre/staff/invite", data={"name": "Casey", "email": NEW_EMAIL, "role": "therapist"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert rows.invites() == []


def test_a_role_outside_the_choices_is_refused(admin, rows):
    response = _invite(admin, role="operator")

    assert response.status_code == 422
    assert rows.invites() == []


# --- accepting ------------------------------------------------------------------------------------


def test_the_invitation_link_shows_the_set_password_form(app, token):
    response = app.test_client().get(f"/invite/{token}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Welcome, Casey Coach" in page
    assert NEW_EMAIL in page
    assert 'name="password"' in page
    assert 'name="confirm"' in page


def test_accepting_creates_the_account_with_the_invited_role_and_centre_and_signs_in(
    app, token, rows, world
):
    invitee = app.test_client()

    response = _accept(invitee, token)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = rows.user(NEW_EMAIL)
    assert user is not None
    assert user.name == "Casey Coach"
    assert user.role == Role.THERAPIST
    assert user.centre_id == world.a.centre.id
    assert user.active
    assert user.is_operator is False
    assert user.password_hash.startswith("$argon2id$")
    assert is_signed_in(invitee)
    assert rows.invites()[0].used_at is not None
    # The new password works on its own from now on.
    assert is_signed_in(login_as(app, NEW_EMAIL, NEW_PASSWORD))


def test_an_admin_invitation_makes_an_admin(app, admin, rows, world):
    token = invite_token(_invite(admin, role="admin").get_data(as_text=True))

    _accept(app.test_client(), token)

    user = rows.user(NEW_EMAIL)
    assert user.role == Role.ADMIN
    assert user.centre_id == world.a.centre.id


def test_a_used_link_answers_410_and_changes_nothing(app, token, rows):
    _accept(app.test_client(), token)
    user_count = rows.user_count()
    hash_after_first_use = rows.user(NEW_EMAIL).password_hash

    again = app.test_client()
    assert again.get(f"/invite/{token}").status_code == 410
    response = _accept(again, token, "someone else's different passphrase")

    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)
    assert rows.user_count() == user_count
    assert rows.user(NEW_EMAIL).password_hash == hash_after_first_use
    assert not is_signed_in(again)


def test_an_expired_link_answers_410(app, token, rows):
    invite = rows.invites()[0]
    rows.update_invite(invite.id, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    user_count = rows.user_count()
    invitee = app.test_client()

    assert invitee.get(f"/invite/{token}").status_code == 410
    response = _accept(invitee, token)

    assert response.status_code == 410
    assert "This invitation has expired" in response.get_data(as_text=True)
    assert rows.user_count() == user_count
    assert rows.user(NEW_EMAIL) is None


def test_a_garbled_token_answers_404(app, token):
    client = app.test_client()

    assert client.get("/invite/not-a-real-token").status_code == 404
    assert client.get(f"/invite/{token[:-6]}").status_code == 404
    assert client.get(f"/invite/x{token}").status_code == 404


def test_a_token_signed_with_another_key_answers_404(app, token, rows):
    forged = URLSafeTimedSerializer("some other secret", salt="heartbeat.invite").dumps("nonce")
    invitee = app.test_client()

    assert invitee.get(f"/invite/{forged}").status_code == 404
    assert _accept(invitee, forged).status_code == 404
    assert rows.user(NEW_EMAIL) is None


def test_a_correctly_signed_token_for_no_invitation_answers_404(app, token):
    unknown = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="heartbeat.invite").dumps(
        "a nonce nobody issued"
    )

    assert app.test_client().get(f"/invite/{unknown}").status_code == 404


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "Use at least 12 characters."),
        ("password1234", "password1234", "This password is too common"),
        ("x" * 129, "x" * 129, "Field cannot be longer than 128 characters."),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords differ."),
    ],
)
def test_a_weak_password_gets_422_and_no_account_is_made(
    app, token, rows, password, confirm, message
):
    invitee = app.test_client()

    response = _accept(invitee, token, password, confirm)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert rows.user(NEW_EMAIL) is None
    assert rows.invites()[0].used_at is None
    assert not is_signed_in(invitee)
    # The link still works for a better attempt.
    assert _accept(invitee, token).status_code == 302


def test_a_password_equal_to_the_invited_email_name_is_refused(app, admin, rows):
    token = invite_token(
        _invite(admin, email="wheelchair.racer@alpha.example").get_data(as_text=True)
    )

    response = _accept(app.test_client(), token, "Wheelchair.Racer")

    assert response.status_code == 422
    assert "Do not use your email address as your password." in response.get_data(as_text=True)
    assert rows.user("wheelchair.racer@alpha.example") is None


def test_an_invitation_for_an_email_that_got_an_account_meanwhile_is_refused(
    app, admin, token, rows, world
):
    # The address got its account another way (here: created directly, as the CLI does) while
    # the invitation waited: the link refuses to make a second account.
    with app.app_context():
        centre = db.session.get(Centre, world.b.centre.id)
        services.create_user(
            email=NEW_EMAIL, name="Casey", role=Role.THERAPIST, centre=centre, password=None
        )
        db.session.commit()
    second = token

    response = _accept(app.test_client(), second, "another decent passphrase here")

    assert response.status_code == 422
    assert "already has a Heartbeat Miles account" in response.get_data(as_text=True)
    assert rows.user_count() == 10  # the nine people of the world, plus Casey once


def test_opening_an_invitation_while_signed_in_signs_that_browser_out(app, world, token):
    browser = login_as(app, world.a.participant.email, PASSWORD, remember=True)
    assert cookie_value(browser, "remember_token")

    response = browser.get(f"/invite/{token}")

    assert response.status_code == 200
    assert browser.get_cookie("remember_token", domain=HOST) is None
    assert not is_signed_in(browser)


# --- withdrawing ----------------------------------------------------------------------------------


def test_an_admin_can_withdraw_a_pending_invitation_and_the_link_then_answers_410(
    app, admin, token, rows
):
    invite = rows.invites()[0]

    response = admin.post(f"/centre/invites/{invite.id}/revoke")

    assert response.status_code == 302
    assert rows.invites()[0].revoked_at is not None
    invitee = app.test_client()
    gone = invitee.get(f"/invite/{token}")
    assert gone.status_code == 410
    assert "This invitation was withdrawn" in gone.get_data(as_text=True)
    assert _accept(invitee, token).status_code == 410
    assert rows.user(NEW_EMAIL) is None


def test_a_withdrawn_invitation_leaves_the_pending_list(admin, token, rows):
    pending = f"&lt;{NEW_EMAIL}&gt; as therapist"
    assert pending in admin.get("/centre/staff").get_data(as_text=True)

    admin.post(f"/centre/invites/{rows.invites()[0].id}/revoke")

    assert pending not in admin.get("/centre/staff").get_data(as_text=True)


def test_a_used_invitation_cannot_be_withdrawn(app, admin, token, rows):
    _accept(app.test_client(), token)
    invite = rows.invites()[0]

    response = admin.post(f"/centre/invites/{invite.id}/revoke", follow_redirects=True)

    assert "Only a pending invitation can be withdrawn." in response.get_data(as_text=True)
    assert rows.invites()[0].revoked_at is None
    assert is_signed_in(login_as(app, NEW_EMAIL, NEW_PASSWORD))


def test_an_admin_of_another_centre_cannot_withdraw_it_and_gets_404(app, world, token, rows):
    other_admin = login_as(app, world.b.admin.email, PASSWORD)
    invite = rows.invites()[0]

    response = other_admin.post(f"/centre/invites/{invite.id}/revoke")

    assert response.status_code == 404
    assert rows.invites()[0].revoked_at is None
    assert app.test_client().get(f"/invite/{token}").status_code == 200


def test_a_therapist_cannot_withdraw_an_invitation(app, world, token, rows):
    therapist = login_as(app, world.a.therapist.email, PASSWORD)

    response = therapist.post(f"/centre/invites/{rows.invites()[0].id}/revoke")

    assert response.status_code == 403
    assert rows.invites()[0].revoked_at is None

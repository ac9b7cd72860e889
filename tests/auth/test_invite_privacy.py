"""Inviting an address never tells the inviter it has an account at another centre.

The attacker probe: a centre-B admin inviting a centre-A therapist's address, or a centre-B
therapist inviting a centre-A participant's, was told "… already has an account". Now both get
exactly the answer a new address gets; the address's owner alone learns, by email, that the
invitation cannot be used, and the link refuses to make a second account. Within the inviter's
own centre the helpful message stays: it shows nothing the inviter cannot see already.
"""

from __future__ import annotations

import re

import pytest

from tests.auth.helpers import invite_token, login_as
from tests.helpers import PASSWORD
from tests.participants.conftest import Helpers

NEW_EMAIL = "casey.new@example.org"
PASSPHRASE = "a passphrase long enough for anyone"


@pytest.fixture
def app_config(mail_config):
    return mail_config


def _normalised(page: str, email: str, name: str) -> str:
    """The page with what legitimately differs (address, name, link, expiry, clock) blanked out."""
    page = page.replace(email, "EMAIL")
    if name:
        page = page.replace(name, "NAME")
    page = re.sub(r"/invite/[^\"<\s]+", "/invite/TOKEN", page)
    page = re.sub(r"expires on [^.]+", "expires on WHEN", page)  # the centre's clock and zone
    # The idle timer counts whole seconds and the CSRF token is signed with the time: both tick.
    page = re.sub(r'data-seconds-left="\d+"', 'data-seconds-left="N"', page)
    page = re.sub(r'data-idle-left="\d+"', 'data-idle-left="N"', page)
    page = re.sub(r'data-csrf-token="[^"]+"', 'data-csrf-token="CSRF"', page)
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "CSRF", page)


def _signed_in(app, email: str):
    client = login_as(app, email, PASSWORD)
    client.get("/home")  # the welcome message is shown once, here, not on the page compared
    return client


def _staff_invite(client, email: str, name: str = "Casey New"):
    return client.post(
        "/centre/staff/invite",
        data={"name": name, "email": email, "role": "therapist"},
        follow_redirects=True,
    )


def _portal_invite(app, world, client, email: str):
    participant_id = Helpers(app).enrol(world.b, email="someone@example.org")
    return client.post(
        f"/participants/{participant_id}/invite", data={"email": email}, follow_redirects=True
    )


def test_an_admin_inviting_an_address_of_another_centre_gets_the_new_address_answer(
    app, world, rows, mailbox
):
    admin_b = _signed_in(app, world.b.admin.email)
    taken = world.a.therapist.email

    new = _staff_invite(admin_b, NEW_EMAIL)
    existing = _staff_invite(admin_b, taken)

    assert new.status_code == existing.status_code == 200
    assert _normalised(existing.get_data(as_text=True), taken, "Casey New") == _normalised(
        new.get_data(as_text=True), NEW_EMAIL, "Casey New"
    )
    assert "already" not in existing.get_data(as_text=True)
    assert [invite.email for invite in rows.invites()] == [NEW_EMAIL, taken]


def test_a_therapist_inviting_a_participant_address_of_another_centre_gets_the_same_answer(
    app, world, rows, mailbox
):
    therapist_b = _signed_in(app, world.b.therapist.email)
    taken = world.a.participant.email

    new = _portal_invite(app, world, therapist_b, NEW_EMAIL)
    existing = _portal_invite(app, world, therapist_b, taken)

    assert new.status_code == existing.status_code == 200
    new_page = _normalised(new.get_data(as_text=True), NEW_EMAIL, "")
    existing_page = _normalised(existing.get_data(as_text=True), taken, "")
    # The two participants enrolled for the test differ only by id in the Done link.
    assert re.sub(r"/participants/\d+", "/participants/N", existing_page) == re.sub(
        r"/participants/\d+", "/participants/N", new_page
    )
    assert "already" not in existing.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "therapist"])
def test_only_the_owner_of_the_address_learns_the_invitation_cannot_be_used(
    app, world, mailbox, role
):
    inviter = login_as(app, getattr(world.b, role).email, PASSWORD)
    taken = world.a.participant.email
    if role == "admin":
        _staff_invite(inviter, taken)
    else:
        _portal_invite(app, world, inviter, taken)

    (message,) = mailbox.wait_for(1)
    assert message["To"] == taken
    body = mailbox.body(message)
    assert "already has a Heartbeat Miles account" in body
    assert "cannot be used" in body
    assert "/invite/" not in body  # no link that would only fail


def test_the_link_of_such_an_invitation_refuses_and_leaves_the_account_alone(
    app, world, rows, mailbox
):
    admin_b = login_as(app, world.b.admin.email, PASSWORD)
    taken = world.a.therapist.email
    token = invite_token(_staff_invite(admin_b, taken).get_data(as_text=True))
    before = rows.user(taken)

    response = app.test_client().post(
        f"/invite/{token}", data={"password": PASSPHRASE, "confirm": PASSPHRASE}
    )

    assert response.status_code == 422
    assert "already has a Heartbeat Miles account" in response.get_data(as_text=True)
    after = rows.user(taken)
    assert (after.centre_id, after.password_hash, after.role) == (
        before.centre_id,
        before.password_hash,
        before.role,
    )
    assert rows.invites()[0].used_at is None


def test_a_new_address_still_gets_the_invitation_email_with_its_link(app, world, mailbox):
    admin_b = login_as(app, world.b.admin.email, PASSWORD)

    _staff_invite(admin_b, NEW_EMAIL)

    (message,) = mailbox.wait_for(1)
    assert message["To"] == NEW_EMAIL
    assert "/invite/" in mailbox.body(message)


@pytest.mark.parametrize("who", ["therapist", "participant", "admin"])
def test_inviting_an_address_of_your_own_centre_still_says_so(app, world, rows, mailbox, who):
    admin_a = login_as(app, world.a.admin.email, PASSWORD)
    email = getattr(world.a, who).email

    response = _staff_invite(admin_a, email.upper())

    assert response.status_code == 422
    assert f"{email} already has an account here." in response.get_data(as_text=True)
    assert rows.invites() == []
    assert mailbox.messages == []


def test_an_operator_sees_any_account_as_they_can_anyway(app, world, rows, mailbox):
    operator = login_as(app, world.operator.email, PASSWORD)

    response = operator.post(
        f"/operator/centres/{world.b.centre.id}/invite",
        data={"name": "Ada Admin", "email": world.a.therapist.email, "role": "admin"},
    )

    assert response.status_code == 422
    assert "already has an account." in response.get_data(as_text=True)
    assert rows.invites() == []

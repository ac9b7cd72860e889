"""The password rules hold on every way a password is set: at least 12 characters, very common
ones refused, long passphrases (up to 128) welcome, and whatever was accepted signs in.

The rules themselves are tested in tests/auth/test_passwords.py; this checks that no path that
sets a password (accepting an invitation, changing it, the create-user command) skips them.
"""

from __future__ import annotations

import pytest

from heartbeat.auth import services as account_services
from heartbeat.auth.models import Role, User
from heartbeat.auth.passwords import MAX_LENGTH, MIN_LENGTH
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from tests.auth.helpers import login_as
from tests.helpers import PASSWORD

REFUSED = {
    "eleven characters": "river-push1",
    "common": "password1234",
    "common whatever its case": "PassWord1234",
    "one character repeated": "a" * 20,
    "over the maximum": "p" * 40 + "q" * (MAX_LENGTH + 1 - 40),
}
ACCEPTED = {
    "exactly twelve": "river-push-1",
    "sixty-four characters": "a long sentence about pushing the rims on a cold morning track!!",
    "the maximum": ("push the rims " * 10)[:MAX_LENGTH],
    "non-latin and emoji": "пушить колёса 🏁 每天",
}


def test_the_limits_are_what_the_policy_says():
    assert MIN_LENGTH == 12
    assert MAX_LENGTH >= 64
    assert len(ACCEPTED["sixty-four characters"]) == 64
    assert len(REFUSED["eleven characters"]) == 11


def _invite_token(app, centre_id: int, inviter_id: int, email: str) -> str:
    with app.app_context():
        issued = account_services.create_invite(
            centre=db.session.get(Centre, centre_id),
            inviter=db.session.get(User, inviter_id),
            email=email,
            name="New Person",
            role=Role.THERAPIST,
            now=utcnow(),
        )
        db.session.commit()
        return issued.token


@pytest.mark.parametrize("what", sorted(REFUSED))
def test_accepting_an_invitation_refuses_a_weak_password(app, client, world, what):
    token = _invite_token(app, world.a.centre.id, world.a.admin.id, "new@alpha.example")
    password = REFUSED[what]
    response = client.post(f"/invite/{token}", data={"password": password, "confirm": password})
    assert response.status_code == 422
    with app.app_context():
        assert account_services.find_user_by_email("new@alpha.example") is None


@pytest.mark.parametrize("what", sorted(ACCEPTED))
def test_accepting_an_invitation_takes_a_good_password_which_then_signs_in(
    app, client, world, what
):
    token = _invite_token(app, world.a.centre.id, world.a.admin.id, "new@alpha.example")
    password = ACCEPTED[what]
    response = client.post(f"/invite/{token}", data={"password": password, "confirm": password})
    assert response.status_code == 302
    login_as(app, "new@alpha.example", password)


@pytest.mark.parametrize("what", sorted(REFUSED))
def test_changing_the_password_refuses_a_weak_one(app, world, what):
    browser = login_as(app, world.a.therapist.email, PASSWORD)
    password = REFUSED[what]
    response = browser.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": password, "confirm": password},
    )
    assert response.status_code == 422
    login_as(app, world.a.therapist.email, PASSWORD)  # the old one still works


@pytest.mark.parametrize("what", ["eleven characters", "common"])
def test_the_create_user_command_refuses_a_weak_password(app, runner, world, what):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "cli@alpha.example",
            "--role",
            "therapist",
            "--centre",
            "alpha",
        ],
        input=REFUSED[what] + "\n",
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output or "too common" in result.output
    with app.app_context():
        assert account_services.find_user_by_email("cli@alpha.example") is None

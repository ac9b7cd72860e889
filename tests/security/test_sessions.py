"""Sessions and re-authentication, beyond what tests/auth covers.

tests/auth/test_sessions.py and test_mfa.py already prove: a fresh session at sign-in with
nothing carried over, sign-out / password change / deactivation ending every copy of the session
and remember-me cookies, the idle timeout, the absolute lifetime and the password asked again
before two-factor changes. Here: the cookies an attacker could have planted or copied *before*
sign-in (fixation, also half-way through two-factor sign-in), the idle timeout with remember-me,
turning two-factor on signing out other devices, and the password asked before erasing a
participant's data.
"""

from __future__ import annotations

import time

import pyotp
import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from tests.auth.helpers import (
    HOST,
    client_with_cookie,
    cookie_value,
    is_signed_in,
    login_as,
    setup_secret,
)
from tests.helpers import PASSWORD
from tests.participants.conftest import Helpers
from tests.security.world import changed_tables, table_digests


def _plant_session(client) -> str:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    return cookie_value(client, "session")


def test_a_session_cookie_planted_before_sign_in_is_not_signed_in_afterwards(app, client, world):
    planted = _plant_session(client)

    response = client.post("/login", data={"email": world.a.admin.email, "password": PASSWORD})

    assert response.status_code == 302
    assert cookie_value(client, "session") != planted
    assert is_signed_in(client)
    assert not is_signed_in(client_with_cookie(app, "session", planted))


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_MFA_REQUIRED_ROLES": "therapist"}])
def test_half_way_through_two_factor_the_cookie_opens_nothing_and_is_replaced(app, client, world):
    email = world.a.therapist.email
    enrolling = login_as(app, email, PASSWORD)
    secret = setup_secret(enrolling.get("/account/two-factor").get_data(as_text=True))
    code = pyotp.TOTP(secret).now()
    assert enrolling.post("/account/two-factor", data={"code": code}).status_code == 200

    _plant_session(client)
    client.post("/login", data={"email": email, "password": PASSWORD})
    half_way = cookie_value(client, "session")
    assert not is_signed_in(client_with_cookie(app, "session", half_way))
    assert client.get("/participants").headers["Location"].startswith("/login")

    # The code that enrolled is spent: as if a minute had passed since.
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.email == email).values(mfa_last_step=User.mfa_last_step - 2)
        )
        db.session.commit()
    assert client.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302

    assert is_signed_in(client)
    assert cookie_value(client, "session") != half_way
    assert not is_signed_in(client_with_cookie(app, "session", half_way))


def test_the_idle_timeout_also_drops_the_remember_me_cookie(app, world):
    browser = login_as(app, world.a.therapist.email, PASSWORD, remember=True)
    assert cookie_value(browser, "remember_token")
    with browser.session_transaction() as session:
        session["last_seen"] = int(time.time()) - 31 * 60

    response = browser.get("/participants")

    assert response.headers["Location"].startswith("/login")
    assert browser.get_cookie("remember_token", domain=HOST) is None
    assert not is_signed_in(browser)


def test_turning_two_factor_on_signs_out_every_other_device(app, world):
    email = world.a.therapist.email
    laptop = login_as(app, email, PASSWORD)
    phone = login_as(app, email, PASSWORD, remember=True)
    remembered = cookie_value(phone, "remember_token")

    secret = setup_secret(laptop.get("/account/two-factor").get_data(as_text=True))
    enabled = laptop.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert enabled.status_code == 200

    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(client_with_cookie(app, "remember_token", remembered))


# --- re-authentication before sensitive changes ------------------------------------------------


@pytest.fixture
def enrolled(app, world) -> int:
    return Helpers(app).enrol(world.a)


def test_erasing_a_participant_asks_for_the_admins_password(app, world, enrolled):
    admin = login_as(app, world.a.admin.email, PASSWORD)
    page = admin.get(f"/participants/{enrolled}/erase").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page
    assert "Type their full name to confirm" in page  # the typed name stays too

    for password in ("", "not my password", PASSWORD + " "):
        response = admin.post(
            f"/participants/{enrolled}/erase",
            data={"confirm_name": "Ada Lovelace", "password": password},
        )
        assert response.status_code == 422, password
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
        assert Helpers(app).participant(enrolled).erased_at is None

    wrong_name = admin.post(
        f"/participants/{enrolled}/erase", data={"confirm_name": "Ada", "password": PASSWORD}
    )
    assert wrong_name.status_code == 422
    assert Helpers(app).participant(enrolled).erased_at is None

    done = admin.post(
        f"/participants/{enrolled}/erase",
        data={"confirm_name": "Ada Lovelace", "password": PASSWORD},
    )
    assert done.status_code == 302
    erased: Participant = Helpers(app).participant(enrolled)
    assert erased.erased_at is not None


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/account/password",
            {"current_password": "wrong", "password": "x" * 20, "confirm": "x" * 20},
        ),
        ("/account/two-factor/off", {"password": "wrong"}),
        ("/account/two-factor/recovery-codes", {"password": "wrong"}),
    ],
)
def test_account_changes_refuse_a_wrong_password_and_change_nothing(app, world, url, data):
    browser = login_as(app, world.a.therapist.email, PASSWORD)
    secret = setup_secret(browser.get("/account/two-factor").get_data(as_text=True))
    browser.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    before = table_digests(app)

    response = browser.post(url, data=data)

    assert response.status_code == 422
    assert changed_tables(before, table_digests(app)) == []
    assert is_signed_in(browser)

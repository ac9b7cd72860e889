"""Two-factor sign-in (TOTP + recovery codes), who must use it, and the session clocks."""

from __future__ import annotations

import json
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from heartbeat.auth.models import SignInGuard, User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from tests.auth.helpers import cookie_value, setup_secret
from tests.helpers import PASSWORD


@pytest.fixture
def app_config():
    return {"HEARTBEAT_MFA_REQUIRED_ROLES": "admin,operator"}


def _sign_in(client, email: str):
    return client.post("/login", data={"email": email, "password": PASSWORD})


def _setup_secret(client) -> str:
    return setup_secret(client.get("/account/two-factor").get_data(as_text=True))


def _enrol(client) -> tuple[str, list[str]]:
    secret = _setup_secret(client)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))
    return secret, codes


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(
            sa.select(User).where(User.email == email).execution_options(all_centres=True)
        ).one()
        db.session.expunge(user)
        return user


def _time_passes(app, email: str) -> None:
    """As if a minute went by: the code used at enrolment is no longer the last one accepted."""
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.email == email)
            .values(mfa_last_step=User.mfa_last_step - 2)
            .execution_options(all_centres=True)
        )
        db.session.commit()


def test_an_admin_must_set_up_two_factor_before_anything_else(client, world):
    response = _sign_in(client, world.a.admin.email)
    assert response.headers["Location"] == "/account/two-factor"

    response = client.get("/centre/staff")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"

    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "data:image/svg+xml" in page  # the QR code, served inline, nothing fetched
    assert "Set up two-factor sign-in" in page


def test_a_wrong_code_does_not_turn_two_factor_on(client, world, app):
    _sign_in(client, world.a.admin.email)
    _setup_secret(client)
    response = client.post("/account/two-factor", data={"code": "000000"})
    assert response.status_code == 422
    assert "did not match" in response.get_data(as_text=True)
    assert not _user(app, world.a.admin.email).mfa_enabled


def test_enrolment_shows_ten_recovery_codes_once_and_stores_the_secret_encrypted(
    client, world, app
):
    _sign_in(client, world.a.admin.email)
    secret, codes = _enrol(client)
    assert len(codes) == 10
    user = _user(app, world.a.admin.email)
    assert user.mfa_enabled
    assert secret not in user.mfa_secret  # encrypted at rest
    assert client.get("/centre/staff").status_code == 200


def _session_contents(app, client) -> tuple[str, dict]:
    raw = cookie_value(client, app.config["SESSION_COOKIE_NAME"])
    return raw, app.session_interface.get_signing_serializer(app).loads(raw)


def test_the_secret_being_set_up_stays_on_the_server_encrypted(client, world, app):
    _sign_in(client, world.a.admin.email)

    secret = _setup_secret(client)

    raw, session = _session_contents(app, client)
    assert secret not in raw
    assert secret not in json.dumps(session)
    pending = _user(app, world.a.admin.email).mfa_pending_secret
    assert pending and secret not in pending  # encrypted at rest, like the final secret
    # The same secret on every visit until the first code proves the app has it.
    assert _setup_secret(client) == secret


def test_enrolment_moves_the_pending_secret_into_place(client, world, app):
    _sign_in(client, world.a.admin.email)

    secret, _ = _enrol(client)

    user = _user(app, world.a.admin.email)
    assert user.mfa_pending_secret is None
    assert user.mfa_secret and secret not in user.mfa_secret
    raw, session = _session_contents(app, client)
    assert secret not in raw and secret not in json.dumps(session)


def test_sign_in_with_two_factor_needs_the_code_and_refuses_a_replay(client, world, app):
    _sign_in(client, world.a.admin.email)
    secret, _ = _enrol(client)
    client.post("/logout")
    _time_passes(app, world.a.admin.email)

    response = _sign_in(client, world.a.admin.email)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/centre/staff").status_code == 302  # not signed in yet

    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 401
    # Counted against this browser (a device the account signed in from before).
    with app.app_context():
        assert db.session.scalar(sa.select(SignInGuard.failures)) == 1

    code = pyotp.TOTP(secret).now()
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/centre/staff").status_code == 200

    client.post("/logout")
    _sign_in(client, world.a.admin.email)
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 401


def test_a_recovery_code_works_once(client, world):
    _sign_in(client, world.a.admin.email)
    _, codes = _enrol(client)
    client.post("/logout")

    _sign_in(client, world.a.admin.email)
    response = client.post("/login/code", data={"code": codes[0].upper()})
    assert response.status_code == 302
    assert "9 recovery codes left" in client.get("/account").get_data(as_text=True)
    client.post("/logout")

    _sign_in(client, world.a.admin.email)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 401
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 302


def test_repeated_wrong_codes_lock_this_browser_out(client, world, app):
    _sign_in(client, world.a.admin.email)
    secret, _ = _enrol(client)
    client.post("/logout")
    _sign_in(client, world.a.admin.email)
    for _ in range(5):
        client.post("/login/code", data={"code": "999999"})
    user = _user(app, world.a.admin.email)
    assert user.locked_until is not None
    _time_passes(app, world.a.admin.email)
    # Even the right code is refused from here now.
    refused = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 401


def test_the_second_step_without_a_password_first_goes_back_to_sign_in(client, world):
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_a_therapist_signs_in_with_a_password_alone_and_may_opt_in(client, world):
    response = _sign_in(client, world.a.therapist.email)
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    _enrol(client)
    page = client.get("/account").get_data(as_text=True)
    assert "Turn off" in page


def test_turning_two_factor_off_asks_for_the_password(client, world, app):
    _sign_in(client, world.a.therapist.email)
    _enrol(client)
    assert client.post("/account/two-factor/off", data={"password": "wrong"}).status_code == 422
    assert _user(app, world.a.therapist.email).mfa_enabled
    response = client.post("/account/two-factor/off", data={"password": PASSWORD})
    assert response.status_code == 302
    assert not _user(app, world.a.therapist.email).mfa_enabled


def test_an_admin_cannot_turn_required_two_factor_off(client, world, app):
    _sign_in(client, world.a.admin.email)
    _enrol(client)
    client.post("/account/two-factor/off", data={"password": PASSWORD})
    assert _user(app, world.a.admin.email).mfa_enabled


def test_a_centre_can_require_two_factor_for_all_its_staff(client, world, app):
    with app.app_context():
        db.session.execute(
            sa.update(Centre)
            .where(Centre.id == world.a.centre.id)
            .values(mfa_required_for_staff=True)
        )
        db.session.commit()
    response = _sign_in(client, world.a.therapist.email)
    assert response.headers["Location"] == "/account/two-factor"
    # Participants are not staff: the centre rule does not reach them.
    other = app.test_client()
    assert _sign_in(other, world.a.participant.email).headers["Location"] == "/"


def test_the_operator_must_use_two_factor(client, world):
    response = _sign_in(client, world.operator.email)
    assert response.headers["Location"] == "/account/two-factor"


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_MFA_REQUIRED_ROLES": ""}])
def test_an_empty_setting_turns_the_requirement_off(client, world, app_config):
    response = _sign_in(client, world.a.admin.email)
    assert response.headers["Location"] == "/"


# --- the session clocks -------------------------------------------------------------------------


def _age_session(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


def test_an_idle_session_is_signed_out(client, world):
    _sign_in(client, world.a.therapist.email)
    assert client.get("/account").status_code == 200
    _age_session(client, last_seen=31 * 60)
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "left idle" in client.get("/login").get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_participant_has_a_longer_idle_limit_than_staff(client, world):
    _sign_in(client, world.a.participant.email)
    _age_session(client, last_seen=45 * 60)
    assert client.get("/account").status_code == 200


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, world):
    _sign_in(client, world.a.therapist.email)
    _age_session(client, signed_in_at=13 * 3600)
    response = client.get("/account")
    assert response.status_code == 302
    assert "long session" in client.get("/login").get_data(as_text=True)


def test_keep_alive_resets_the_idle_clock_but_polling_does_not(client, world):
    _sign_in(client, world.a.therapist.email)
    _age_session(client, last_seen=20 * 60)
    client.get("/account", headers={"X-Heartbeat-Background": "1"})
    with client.session_transaction() as session:
        assert time.time() - session["last_seen"] >= 20 * 60 - 5
    assert client.post("/session/keep-alive").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["last_seen"] < 5


def test_signed_in_pages_carry_the_idle_warning(client, world):
    _sign_in(client, world.a.therapist.email)
    page = client.get("/account").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in page
    assert 'id="idle-warning"' in page


def test_a_code_posted_before_any_secret_was_shown_stores_nothing(client, world, app):
    _sign_in(client, world.a.admin.email)

    response = client.post("/account/two-factor", data={"code": "123456"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
    assert _user(app, world.a.admin.email).mfa_pending_secret is None

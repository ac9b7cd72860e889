"""Sign-out ends this device's session only; "Sign out everywhere" is its own, confirmed and
audited action; the 413 page says the limit and leads back (issue 14, item 15)."""

from __future__ import annotations

import io
import json
import logging

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.extensions import db
from heartbeat.logs import JsonLineFormatter
from tests.auth.helpers import client_with_cookie, cookie_value, is_signed_in, login_as
from tests.helpers import PASSWORD
from tests.participants.conftest import Helpers


def _sign_out(client):
    return client.post("/logout")


def test_signing_out_on_one_device_leaves_the_others_signed_in(app, world):
    email = world.a.therapist.email
    clinic_computer = login_as(app, email, PASSWORD)
    phone = login_as(app, email, PASSWORD, remember=True)
    phone_remember = cookie_value(phone, "remember_token")

    response = _sign_out(clinic_computer)

    assert response.status_code == 302
    assert not is_signed_in(clinic_computer)
    assert is_signed_in(phone)
    assert is_signed_in(client_with_cookie(app, "remember_token", phone_remember))


def test_the_signed_out_devices_copied_cookies_open_nothing(app, world):
    device = login_as(app, world.a.therapist.email, PASSWORD, remember=True)
    session_copy = cookie_value(device, "session")
    remember_copy = cookie_value(device, "remember_token")
    other = login_as(app, world.a.therapist.email, PASSWORD)

    _sign_out(device)

    assert not is_signed_in(client_with_cookie(app, "session", session_copy))
    assert not is_signed_in(client_with_cookie(app, "remember_token", remember_copy))
    assert is_signed_in(other)


def test_sign_out_everywhere_asks_first_and_is_on_the_account_page(app, world):
    client = login_as(app, world.a.therapist.email, PASSWORD)

    account = client.get("/account").get_data(as_text=True)
    confirm = client.get("/account/sign-out-everywhere")

    assert 'href="/account/sign-out-everywhere"' in account
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "Sign out everywhere?" in page
    assert 'method="post" action="/account/sign-out-everywhere"' in page
    assert is_signed_in(client)  # opening the confirmation changes nothing


def test_sign_out_everywhere_ends_every_device_and_is_audited(app, world):
    email = world.a.therapist.email
    laptop = login_as(app, email, PASSWORD)
    phone = login_as(app, email, PASSWORD, remember=True)
    phone_remember = cookie_value(phone, "remember_token")

    response = laptop.post("/account/sign-out-everywhere")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "signed out on every device" in laptop.get("/login").get_data(as_text=True)
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(client_with_cookie(app, "remember_token", phone_remember))
    with app.app_context():
        (event,) = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "account.sign_out_everywhere")
        ).all()
        assert (event.actor_id, event.entity_type, event.entity_id) == (
            world.a.therapist.id,
            "user",
            world.a.therapist.id,
        )
    # The trail reads it in words.
    trail = login_as(app, world.a.admin.email, PASSWORD).get("/audit").get_data(as_text=True)
    assert "Signed out on every device" in trail


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 10 * 1024 * 1024}])
def test_the_413_page_states_the_limit_leads_back_and_is_logged(app, world):
    capture = _Capture()
    logging.getLogger("heartbeat").addHandler(capture)
    try:
        client = login_as(app, world.a.therapist.email, PASSWORD)
        url = f"/participants/{Helpers(app).enrol(world.a)}/sessions/upload"
        big = io.BytesIO(b"0" * (11 * 1024 * 1024))
        response = client.post(
            url, data={"file": (big, "ride.gpx")}, content_type="multipart/form-data"
        )
    finally:
        logging.getLogger("heartbeat").removeHandler(capture)

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Files up to 10 MB can be sent." in page
    assert f'<a class="button" href="{url}">Back to the form</a>' in page
    logged = [line for line in capture.lines if line.get("logger") == "heartbeat.request"]
    assert [(line["path"], line["status"]) for line in logged][-1] == (url, 413)
    assert logged[-1]["user_id"] == world.a.therapist.id


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLineFormatter())
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))

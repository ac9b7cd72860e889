"""Forgot your password: end to end through the in-process SMTP server (tests/mailbox.py).

The same answer, in the same time, whatever the address; a single-use, short-lived link stored
as a digest; the password policy; every other session ended; audited; rate limited. Without a
mail server, an admin makes a link for a person of their centre, shown once.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import PasswordReset, Role
from heartbeat.db import utcnow
from heartbeat.extensions import db
from tests.auth.helpers import Rows
from tests.helpers import PASSWORD, add_user, signed_in

RESET_LINK = re.compile(r"https?://[^/\s]+(/reset/[A-Za-z0-9_\-]+)")
NEW_PASSWORD = "a brand new passphrase for the track"
ANSWER_MS = 500  # the floor; what the work behind a known address takes stays well under it


@pytest.fixture
def app_config(mail_config):
    return {**mail_config, "HEARTBEAT_RESET_ANSWER_MS": ANSWER_MS}


def _ask(client, email: str):
    started = time.monotonic()
    response = client.post("/login/forgot", data={"email": email})
    return response, time.monotonic() - started


def _link_in(mailbox, count: int = 1) -> str:
    message = mailbox.wait_for(count)[count - 1]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    path = RESET_LINK.search(text).group(1)
    assert path in html
    return path


def _password_works(app, email: str, password: str) -> bool:
    return (
        app.test_client().post("/login", data={"email": email, "password": password}).status_code
        == 302
    )


def test_the_reset_journey_end_to_end(app, world, mailbox):
    email = world.a.therapist.email
    other_device = signed_in(app, world.a.therapist)
    assert other_device.get("/account").status_code == 200
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/forgot"' in login_page

    response, _ = _ask(client, email)
    assert response.status_code == 200
    assert "If that address belongs to an account" in response.get_data(as_text=True)
    path = _link_in(mailbox)
    (message,) = mailbox.messages
    assert message["To"] == email and message["List-Unsubscribe"] is None
    with app.app_context():  # only the digest of the secret is stored
        stored = db.session.scalars(sa.select(PasswordReset)).one()
        assert path.rsplit("/", 1)[1] not in stored.token_hash

    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422  # the policy; the link still works
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")

    assert _password_works(app, email, NEW_PASSWORD)
    assert not _password_works(app, email, PASSWORD)
    assert other_device.get("/account").status_code == 302  # signed out everywhere
    again = client.post(path, data={"password": NEW_PASSWORD + "!", "confirm": NEW_PASSWORD + "!"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.entity_type == "user")
        ).all()
    assert actions == ["password.reset"]


def test_the_same_answer_in_the_same_time_whatever_the_address(app, world, mailbox):
    client = app.test_client()
    # Warm up both paths first (templates compiled, connections open), as a live server is.
    _ask(client, world.a.admin.email)
    _ask(client, "warming-up@example.org")
    mailbox.wait_for(1)
    mailbox.messages.clear()
    known, known_s = _ask(client, world.a.therapist.email)
    unknown, unknown_s = _ask(client, "nobody-here@example.org")
    inactive_email = world.b.therapist.email
    Rows(app).update_user(inactive_email, active=False)
    inactive, inactive_s = _ask(client, inactive_email)

    def body(response) -> str:
        text = response.get_data(as_text=True)
        return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "CSRF", text)

    assert known.status_code == unknown.status_code == inactive.status_code == 200
    assert body(known) == body(unknown) == body(inactive)
    floor = ANSWER_MS / 1000
    assert min(known_s, unknown_s, inactive_s) >= floor
    assert abs(known_s - unknown_s) < 0.15 and abs(inactive_s - unknown_s) < 0.15
    assert len(mailbox.wait_for(2, timeout=1.0)) == 1  # only the real, active account


def test_an_expired_link_and_a_deactivated_account_are_refused(app, world, mailbox):
    email = world.a.participant.email
    client = app.test_client()
    _ask(client, email)
    path = _link_in(mailbox)
    Rows(app).update_user(email, active=False)
    assert client.get(path).status_code == 410
    Rows(app).update_user(email, active=True)
    assert client.get(path).status_code == 200
    with app.app_context():
        db.session.execute(
            sa.update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    expired = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert client.get("/reset/not-a-real-link").status_code == 404
    assert _password_works(app, email, PASSWORD)


def test_a_new_link_retires_the_earlier_one(app, world, mailbox):
    client = app.test_client()
    _ask(client, world.a.admin.email)
    first = _link_in(mailbox, 1)
    _ask(client, world.a.admin.email)
    second = _link_in(mailbox, 2)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_an_address_with_unusual_but_valid_characters(app, world, mailbox):
    address = "o'brien+miles.test@sub-domain.example.co.uk"
    with app.app_context():
        add_user(db.session.merge(world.a.centre), address, Role.THERAPIST)
        db.session.commit()
    client = app.test_client()
    _ask(client, address.upper())
    path = _link_in(mailbox)
    assert mailbox.messages[0]["To"] == address
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert _password_works(app, address, NEW_PASSWORD)


def test_an_admin_makes_a_link_shown_once_when_there_is_no_mail_server(app, world, mailbox):
    admin = signed_in(app, world.a.admin)
    therapist = Rows(app).user(world.a.therapist.email)
    # With a mail server the person asks for one themselves.
    refused = admin.post(f"/centre/users/{therapist.id}/reset-link")
    assert refused.status_code == 302
    app.config["HEARTBEAT_SMTP_HOST"] = ""
    try:
        assert "Reset link" in admin.get("/centre/staff").get_data(as_text=True)
        shown = admin.post(f"/centre/users/{therapist.id}/reset-link")
        assert shown.status_code == 200
        path = RESET_LINK.search(shown.get_data(as_text=True)).group(1)
        other = Rows(app).user(world.b.therapist.email)
        assert admin.post(f"/centre/users/{other.id}/reset-link").status_code == 404
        therapist_client = signed_in(app, world.a.therapist)
        admin_row = Rows(app).user(world.a.admin.email)
        assert therapist_client.post(f"/centre/users/{admin_row.id}/reset-link").status_code == 403
        client = app.test_client()
        done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert done.status_code == 302
    finally:
        app.config["HEARTBEAT_SMTP_HOST"] = "127.0.0.1"
    assert _password_works(app, world.a.therapist.email, NEW_PASSWORD)
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_type == "user")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["password.reset_link", "password.reset"]


def test_an_admin_makes_a_participants_link_from_their_records(app, world, mailbox):
    from tests.participants.conftest import Helpers

    helpers = Helpers(app)
    pid = helpers.enrol(world.a)
    helpers.link(pid, world.a.participant)
    admin = signed_in(app, world.a.admin)
    app.config["HEARTBEAT_SMTP_HOST"] = ""
    try:
        page = admin.get(f"/participants/{pid}/records").get_data(as_text=True)
        assert "Make a password reset link for" in page
        shown = admin.post(
            f"/centre/users/{world.a.participant.id}/reset-link", data={"participant_id": pid}
        )
        body = shown.get_data(as_text=True)
        assert shown.status_code == 200 and f"/participants/{pid}/records" in body
        path = RESET_LINK.search(body).group(1)
        done = app.test_client().post(
            path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert done.status_code == 302
    finally:
        app.config["HEARTBEAT_SMTP_HOST"] = "127.0.0.1"
    assert _password_works(app, world.a.participant.email, NEW_PASSWORD)


def test_the_reset_link_stays_out_of_the_log_and_the_cache(app, world, mailbox, caplog):
    client = app.test_client()
    _ask(client, world.a.therapist.email)
    path = _link_in(mailbox)
    secret = path.rsplit("/", 1)[1]
    with caplog.at_level("INFO", logger="heartbeat.request"):
        page = client.get(path)
    assert page.headers["Cache-Control"] == "no-store"
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert "/reset/[redacted]" in logged and secret not in logged

"""The outbox: stored, sent in the background through a real SMTP server (tests/mailbox.py),
retried with backoff while the server is down, then shown as failed; nothing is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.outbox import sending, services
from heartbeat.outbox.models import EmailKind, EmailState, OutboxEmail
from tests.conftest import count_queries
from tests.helpers import signed_in
from tests.mailbox import _free_port


@pytest.fixture
def app_config(mail_config):
    return {**mail_config, "HEARTBEAT_OUTBOX_MAX_ATTEMPTS": 3, "HEARTBEAT_OUTBOX_RETRY_SECONDS": 60}


def _emails(app) -> list[OutboxEmail]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(OutboxEmail)
                .options(sa.orm.undefer(OutboxEmail.body_text))
                .order_by(OutboxEmail.id)
                .execution_options(all_centres=True, populate_existing=True)
            )
        )


def _queue_quietly(app, world, *, to="pat@example.org") -> int:
    """Queue an invitation-like email without waking the sender (the test drives it)."""
    with app.test_request_context():
        email = services.queue_email(
            kind=EmailKind.INVITATION,
            to=to,
            subject="Your invitation",
            template="invitation",
            context={"name": "Pat", "inviter": "Sam", "centre": "A", "hours": 48, "link": "x"},
            centre_id=world.a.centre.id,
        )
        assert email is not None
        db.session.info.pop(services.WAKE_FLAG)
        db.session.commit()
        return email.id


def test_an_invitation_goes_through_the_outbox_with_text_and_html(app, world, mailbox):
    admin = signed_in(app, world.a.admin)
    response = admin.post(
        "/centre/staff/invite",
        data={"name": "Casey New", "email": "casey@example.org", "role": "therapist"},
    )
    assert response.status_code == 302  # to the "Invitation ready" page
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "casey@example.org"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "/invite/" in text and "/invite/" in html
    assert '<html lang="en">' in html and "<title>" in html
    # Essential: no unsubscribe link.
    assert message["List-Unsubscribe"] is None
    sending.wait_until_idle()
    (stored,) = _emails(app)
    assert stored.state == EmailState.SENT and stored.sent_at is not None
    assert stored.body_text == ""  # dropped once sent
    assert stored.kind == EmailKind.INVITATION and stored.centre_id == world.a.centre.id


def test_a_server_that_is_down_is_retried_with_backoff_then_shown_as_failed(app, world, mailbox):
    email_id = _queue_quietly(app, world)
    port = app.config["HEARTBEAT_SMTP_PORT"]
    app.config["HEARTBEAT_SMTP_PORT"] = _free_port()  # nothing listens there
    try:
        now = utcnow()
        with app.app_context():
            first = sending.send_due(now)
            assert first.retrying == [email_id]
            # Not due again until the backoff has passed: 60 s, then 120 s.
            assert sending.send_due(now + timedelta(seconds=59)).retrying == []
            assert sending.send_due(now + timedelta(seconds=61)).retrying == [email_id]
            assert sending.send_due(now + timedelta(seconds=61 + 119)).retrying == []
            third = sending.send_due(now + timedelta(seconds=61 + 121))
            assert third.failed == [email_id]
    finally:
        app.config["HEARTBEAT_SMTP_PORT"] = port
    (stored,) = _emails(app)
    assert stored.state == EmailState.FAILED and stored.attempts == 3
    assert "could not be reached" in stored.last_error
    assert stored.body_text  # kept, so it can be sent later
    assert mailbox.messages == []

    admin = signed_in(app, world.a.admin)
    page = admin.get("/centre/emails").get_data(as_text=True)
    assert "Failed" in page and "pat@example.org" in page and "could not be reached" in page
    # The server is back: the admin tries it again, and it arrives.
    response = admin.post(f"/centre/emails/{email_id}/retry")
    assert response.status_code == 302
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "pat@example.org"
    sending.wait_until_idle()
    assert _emails(app)[0].state == EmailState.SENT


def test_a_refused_address_fails_at_once(app, world, mailbox):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such user here"

    mailbox.handle_RCPT = refuse
    email_id = _queue_quietly(app, world, to="nobody@example.org")
    with app.app_context():
        assert sending.send_due(utcnow()).failed == [email_id]


def test_admins_see_only_their_own_centres_emails_in_bounded_queries(app, world, mailbox):
    for number in range(30):
        _queue_quietly(app, world, to=f"person{number}@example.org")
    admin_b = signed_in(app, world.b.admin)
    assert "person1@example.org" not in admin_b.get("/centre/emails").get_data(as_text=True)
    assert admin_b.post("/centre/emails/1/retry").status_code == 404
    admin_a = signed_in(app, world.a.admin)
    with count_queries(app) as statements:
        page = admin_a.get("/centre/emails").get_data(as_text=True)
    assert len(statements) <= 12
    assert "person29@example.org" in page and "Email pages" in page  # paginated
    assert signed_in(app, world.a.therapist).get("/centre/emails").status_code == 403


def test_without_a_mail_server_nothing_is_queued(app, world):
    app.config["HEARTBEAT_SMTP_HOST"] = ""
    try:
        with app.test_request_context():
            assert (
                services.queue_email(
                    kind=EmailKind.INVITATION,
                    to="x@example.org",
                    subject="s",
                    template="invitation",
                    context={},
                    centre_id=world.a.centre.id,
                )
                is None
            )
    finally:
        app.config["HEARTBEAT_SMTP_HOST"] = "127.0.0.1"

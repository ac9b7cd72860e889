"""Each person's email choices (account page) and RFC 8058 one-click unsubscribe."""

from __future__ import annotations

import re

import pytest

from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind
from heartbeat.outbox.services import preferences_of, unsubscribe_token
from tests.helpers import signed_in


@pytest.fixture
def app_config(mail_config):
    return {**mail_config, "WTF_CSRF_ENABLED": True}


def _choice(app, user_id: int, column: str):
    with app.app_context():
        return getattr(preferences_of(user_id), column)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_the_account_page_sets_the_choices(app, world):
    therapist = signed_in(app, world.a.therapist)
    page = therapist.get("/account/emails").get_data(as_text=True)
    assert "Save email choices" in page and "Day of the digest" in page
    assert "When I reach a milestone" not in page  # a participant's choice, not staff's
    response = therapist.post(
        "/account/emails",
        data={"csrf_token": _csrf(page), "digest_weekday": "4", "digest_hour": "17"},
    )
    assert response.status_code == 302
    assert _choice(app, world.a.therapist.id, "digest") is False  # unticked
    assert _choice(app, world.a.therapist.id, "digest_weekday") == 4
    assert _choice(app, world.a.therapist.id, "digest_hour") == 17
    # Without the CSRF token nothing changes.
    therapist.post("/account/emails", data={"digest": "y", "digest_weekday": "1"})
    assert _choice(app, world.a.therapist.id, "digest_weekday") == 4

    participant = signed_in(app, world.a.participant)
    page = participant.get("/account/emails").get_data(as_text=True)
    assert "When I reach a milestone" in page and "Day of the digest" not in page


def test_one_click_unsubscribe_needs_no_session_and_no_csrf_token(app, world):
    with app.app_context():
        ticket = unsubscribe_token(world.a.participant.id, EmailKind.MILESTONE)
    client = app.test_client()
    # A link scanner's GET only asks.
    page = client.get(f"/email/unsubscribe/{ticket}")
    assert page.status_code == 200 and "Stop these emails?" in page.get_data(as_text=True)
    assert _choice(app, world.a.participant.id, "milestones") is True
    # The mail client's POST (RFC 8058): List-Unsubscribe=One-Click, no cookie, no token.
    response = client.post(f"/email/unsubscribe/{ticket}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _choice(app, world.a.participant.id, "milestones") is False
    assert _choice(app, world.a.participant.id, "certificates") is True  # only that kind


@pytest.mark.parametrize(
    "ticket", ["nonsense", "eyJ1IjoxLCJrIjoiaW52aXRhdGlvbiJ9.forged", "x" * 300]
)
def test_a_forged_or_garbled_ticket_is_not_found(app, world, ticket):
    assert app.test_client().post(f"/email/unsubscribe/{ticket}").status_code == 404


def test_essential_emails_cannot_be_unsubscribed(app, world):
    with app.app_context():
        ticket = unsubscribe_token(world.a.participant.id, EmailKind.PASSWORD_RESET)
        db.session.rollback()
    assert app.test_client().post(f"/email/unsubscribe/{ticket}").status_code == 404


def test_a_ticket_for_an_account_that_no_longer_exists_is_not_found(app, world):
    with app.app_context():
        ticket = unsubscribe_token(987654, EmailKind.DIGEST)
    assert app.test_client().post(f"/email/unsubscribe/{ticket}").status_code == 404

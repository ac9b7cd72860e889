"""The reset journey in a real browser, through the in-process SMTP server: "Forgot your
password?" on sign-in, the emailed link, a new password, signed in with it; the link used twice.

A second live server on the same database sends its email to ``tests/mailbox.py``'s server; the
journey's person is made here, so no other browser test's password changes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from heartbeat.auth.models import Role
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from tests.e2e.conftest import make_live_app, serve
from tests.helpers import add_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EMAIL = "reset.journey+miles@alpha.example"
NEW_PASSWORD = "a fresh start on the back straight"
LINK = re.compile(r"https?://\S+?(/reset/[A-Za-z0-9_\-]+)")


@pytest.fixture
def mail_server(live_database_url, tmp_path, mailbox):
    app = make_live_app(
        live_database_url,
        tmp_path / "instance",
        HEARTBEAT_SMTP_HOST="127.0.0.1",
        HEARTBEAT_SMTP_PORT=mailbox.port,
        HEARTBEAT_SMTP_STARTTLS=False,
        HEARTBEAT_SMTP_FROM="miles@heartbeat.test",
        HEARTBEAT_RESET_ANSWER_MS=100,
    )
    with app.app_context():
        alpha = db.session.query(Centre).filter_by(slug="alpha").one()
        if db.session.query(Centre).count() and not _exists(EMAIL):
            add_user(alpha, EMAIL, Role.THERAPIST)
            db.session.commit()
        db.session.remove()
    with serve(app) as url:
        yield url


def _exists(email: str) -> bool:
    from heartbeat.auth.services import find_user_by_email

    return find_user_by_email(email) is not None


def test_a_forgotten_password_is_reset_from_the_email(page: Page, shot, mail_server, mailbox):
    page.goto(mail_server + "/login")
    shot(page, "sign-in page with the forgot link")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?", level=1)).to_be_visible()
    shot(page, "forgot your password")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If that address belongs to an account")
    shot(page, "check your email")

    (message,) = mailbox.wait_for(1)
    assert message["To"] == EMAIL
    path = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    page.goto(mail_server + path)
    expect(page.get_by_role("heading", name="Choose a new password", level=1)).to_be_visible()
    shot(page, "choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status").first).to_contain_text("Your password has been changed")
    shot(page, "sign in after the reset")

    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    shot(page, "signed in with the new password")

    page.goto(mail_server + path)
    expect(page.get_by_role("heading", name="This link does not work", level=1)).to_be_visible()
    expect(page.get_by_text("already been used")).to_be_visible()
    shot(page, "the link used twice")

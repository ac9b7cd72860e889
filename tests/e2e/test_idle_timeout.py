"""WCAG 2.2.1 (timing adjustable): before the idle timeout signs someone out, a dialog warns them
and lets them stay signed in with one key press.

A second live server on the same database has the staff idle limit shortened to 24 seconds (the
warning shows 6 seconds before the end). Two people sign in: one answers the warning and is still
signed in after the original limit has passed; the other ignores it and is signed out.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import a11y
from tests.e2e.conftest import PEOPLE, SCREENSHOT_DIR, Person, make_live_app, serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

IDLE_MINUTES = 0.4  # 24 seconds


@pytest.fixture(scope="module")
def idle_server(live_database_url, tmp_path_factory):
    app = make_live_app(
        live_database_url,
        tmp_path_factory.mktemp("idle-instance"),
        HEARTBEAT_IDLE_MINUTES_STAFF=IDLE_MINUTES,
    )
    with serve(app) as url:
        yield url


def _sign_in(page: Page, shot, base: str, person: Person) -> float:
    page.goto(base + "/login")
    shot(page, "sign-in page")
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + "/home")
    signed_in_at = time.monotonic()
    expect(page.locator("body")).to_have_attribute("data-idle-seconds", "24")
    return signed_in_at


def test_the_idle_warning_lets_people_stay_signed_in(page, new_page, shot, idle_server):
    stays, leaves = page, new_page()
    stays_since = _sign_in(stays, shot, idle_server, PEOPLE.therapist)
    _sign_in(leaves, shot, idle_server, PEOPLE.admin)
    shot(stays, "home before the warning")
    shot(leaves, "admin home before the warning")

    dialog = stays.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=30_000)
    warned_after = time.monotonic() - stays_since
    assert 12 <= warned_after <= 24, f"the warning came {warned_after:.1f}s after signing in"
    expect(dialog).to_contain_text("you will be signed out in")
    expect(dialog).to_contain_text(re.compile(r"\d seconds"))
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()  # a modal dialog: focus moves into it
    violations = a11y.scan(stays)
    assert not violations, a11y.describe(violations)
    stays.screenshot(path=str(SCREENSHOT_DIR / "idle-timeout--warning-dialog.png"))

    with stays.expect_response(lambda r: r.url.endswith("/session/keep-alive")) as answer:
        stays.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(dialog).to_be_hidden()

    # The other person ignored their warning: signed out, and told why.
    sign_in_page = re.compile(re.escape(idle_server) + r"/login\?next=")
    expect(leaves).to_have_url(sign_in_page, timeout=30_000)
    expect(leaves.get_by_role("status")).to_contain_text(
        "signed out because the page was left idle"
    )
    shot(leaves, "signed out after ignoring the warning")

    # Past the original limit, the one who stayed is still signed in.
    time.sleep(max(0.0, stays_since + 24 + 3 - time.monotonic()))
    stays.reload()
    expect(stays).to_have_url(idle_server + "/home")
    expect(stays.get_by_role("button", name="Sign out")).to_be_visible()
    shot(stays, "still signed in after the limit")

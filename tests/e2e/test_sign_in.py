"""Signing in, out and up in a real browser: the form, the navigation each role gets, the keyboard.

Every page visited is screenshotted at 1280px and 360px wide into tests/artifacts/screenshots/.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from heartbeat.auth.views import SIGN_IN_FAILED
from tests.e2e.conftest import PEOPLE, Person

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NEW_PASSWORD = "steady pushes beat the hill every time"  # 38 characters, not a common one


def _main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def _fill_sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)


def _sign_in(page: Page, shot, person: Person) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    shot(page, "sign-in page")
    _fill_sign_in(page, person.email, person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|#|$)"))


def _expect_nav(page: Page, visible: list[str], absent: list[str]) -> None:
    nav = _main_nav(page)
    for label in visible:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in absent:
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)


# --- each kind of user ----------------------------------------------------------------------------

ROLES = {
    # who: (person, where they land, the whole main navigation, links they must not get, header)
    "admin": (
        PEOPLE.admin,
        "/home",
        ["Home", "Caseload", "To verify", "Certificates", "Centre", "My account"],
        ["My progress", "All centres", "Staff", "Centre settings", "Dashboard", "Audit trail"],
        "Admin · Centre ALPHA",
    ),
    "therapist": (
        PEOPLE.therapist,
        "/home",
        ["Home", "Caseload", "To verify", "Certificates", "My account"],
        ["Centre", "Staff", "Centre settings", "Branding", "My progress", "All centres"],
        "Therapist · Centre ALPHA",
    ),
    "participant": (
        PEOPLE.participant,
        "/home",
        ["My progress", "My account"],
        ["Home", "Staff", "Centre settings", "All centres"],
        "Pat · Centre ALPHA",
    ),
    "operator": (
        PEOPLE.operator,
        "/operator/centres",
        ["All centres", "My account"],
        ["Home", "Staff", "Centre settings", "My progress"],
        "Operator",
    ),
    "admin-of-centre-b": (
        PEOPLE.admin_b,
        "/home",
        ["Home", "Caseload", "To verify", "Certificates", "Centre", "My account"],
        ["My progress", "All centres", "Staff", "Centre settings", "Dashboard", "Audit trail"],
        "Admin · Centre BRAVO",
    ),
}


@pytest.mark.parametrize("who", list(ROLES))
def test_each_kind_of_user_signs_in_and_sees_their_navigation(page, shot, live_server, who):
    person, landing, nav_labels, absent, header = ROLES[who]

    _sign_in(page, shot, person)

    expect(page).to_have_url(live_server + landing)
    expect(
        page.get_by_role("status").filter(has_text=f"Welcome back, {person.name}.")
    ).to_be_visible()
    _expect_nav(page, nav_labels, absent)
    assert _main_nav(page).get_by_role("link").all_inner_texts() == nav_labels
    expect(page.locator(".site-header .who")).to_have_text(header)
    shot(page, f"signed in as {who}")


def test_operator_signs_in_and_gets_the_all_centres_link(page, shot, live_server):
    """The operator's navigation, checked on a page that does not depend on their landing page."""
    _sign_in(page, shot, PEOPLE.operator)
    expect(page).to_have_url(live_server + "/operator/centres")
    shot(page, "operator landing page")

    page.goto("/account")

    expect(page.get_by_role("heading", name="My account", level=1)).to_be_visible()
    _expect_nav(page, ["All centres", "My account"], ["Home", "Staff", "Centre settings"])
    assert _main_nav(page).get_by_role("link").all_inner_texts() == ["All centres", "My account"]
    expect(page.get_by_role("main")).to_contain_text("(platform operator)")
    shot(page, "operator account page")


def test_sign_out_returns_to_the_sign_in_page(page, shot, live_server):
    _sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home")

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(live_server + "/login")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have signed out on this device.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(_main_nav(page)).to_have_count(0)
    shot(page, "signed out")

    page.goto("/home")  # the session really is over
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/login\?next=%2Fhome$"))
    expect(page.get_by_role("status")).to_contain_text("Please sign in to see that page.")
    shot(page, "home after sign-out asks to sign in")


# --- failures -------------------------------------------------------------------------------------


def _failed_attempt(page: Page, shot, email: str, password: str, label: str) -> str:
    page.goto("/login")
    shot(page, f"sign-in page before {label}")
    _fill_sign_in(page, email, password)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/login")
    ) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 401
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # The email is echoed back into its field; everything else must be identical.
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    shot(page, label)
    html = page.locator("main").inner_html().replace(email, "EMAIL")
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1TOKEN"', html)


def test_wrong_password_and_unknown_email_show_the_same_generic_message(page, shot):
    wrong_password = _failed_attempt(
        page, shot, PEOPLE.admin_b.email, "not the right password at all", "wrong password"
    )
    message = page.get_by_role("alert").inner_text()
    assert "That email and password did not work" in message
    assert " ".join(message.split()) == f"Problem: {SIGN_IN_FAILED}"

    unknown_email = _failed_attempt(
        page, shot, "nobody.here@alpha.example", "not the right password at all", "unknown email"
    )

    assert page.get_by_role("alert").inner_text() == message
    assert unknown_email == wrong_password  # nothing tells the two cases apart


# --- the form itself ------------------------------------------------------------------------------


def test_fields_offer_autocomplete_and_the_password_can_be_pasted(page, shot, live_server):
    page.goto("/login")
    shot(page, "sign-in page")
    email = page.get_by_label("Email", exact=True)
    password = page.get_by_label("Password", exact=True)

    expect(email).to_have_attribute("autocomplete", "username")
    expect(email).to_have_attribute("type", "email")
    expect(password).to_have_attribute("autocomplete", "current-password")
    expect(password).to_have_attribute("type", "password")

    # Nothing cancels a paste (password managers and pasting from a vault must work).
    accepted = password.evaluate(
        """el => {
            const data = new DataTransfer();
            data.setData("text/plain", "x");
            return el.dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true})
            );
        }"""
    )
    assert accepted, "a paste into the password field was cancelled"

    email.fill(PEOPLE.participant.email)
    password.focus()
    page.keyboard.insert_text(PEOPLE.participant.password)  # what a paste puts in, all at once
    expect(password).to_have_value(PEOPLE.participant.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server + "/home")
    _expect_nav(page, ["My progress"], ["Staff"])
    shot(page, "signed in after pasting the password")


def test_keyboard_alone_reaches_the_skip_link_first_and_signs_in(page, shot, live_server):
    page.goto("/login")
    shot(page, "sign-in page")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "skip link is off-screen"
    shot(page, "skip link focused")
    expect(skip).to_be_focused()

    page.keyboard.press("Enter")  # follow the skip link: focus moves to <main>
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    page.keyboard.type(PEOPLE.therapist.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PEOPLE.therapist.password)
    page.keyboard.press("Enter")

    # The #main the skip link added stays on the URL through the redirects; that is fine.
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/home(#main)?$"))
    _expect_nav(page, ["Home"], ["Staff"])
    shot(page, "signed in by keyboard")


# --- invitations ----------------------------------------------------------------------------------


def test_admin_invites_a_therapist_who_sets_a_password_and_is_signed_in(
    page, new_page, shot, live_server
):
    name = "Robin Rimsworth"
    email = f"robin.{uuid.uuid4().hex[:8]}@alpha.example"
    _sign_in(page, shot, PEOPLE.admin)
    shot(page, "admin home")

    _main_nav(page).get_by_role("link", name="Centre", exact=True).click()
    expect(page).to_have_url(live_server + "/centre")
    expect(page.get_by_role("heading", name="Running Centre ALPHA", level=1)).to_be_visible()
    shot(page, "centre hub")
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page).to_have_url(live_server + "/centre/staff")
    expect(page.get_by_role("heading", name="Staff", level=1)).to_be_visible()
    shot(page, "staff page")

    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Role").select_option(label="Therapist or coach")
    page.get_by_role("button", name="Create invitation").click()

    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    link_field = page.get_by_label("Invitation link")
    link = link_field.input_value()
    assert re.fullmatch(re.escape(live_server) + r"/invite/[^/?#\s]+", link), link
    shot(page, "invitation ready")

    invitee = new_page()  # someone else, on another device: no cookies shared with the admin
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    expect(invitee.get_by_role("main")).to_contain_text("therapist")
    shot(invitee, "accept invitation")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("Repeat the new password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Create my account").click()

    expect(invitee).to_have_url(live_server + "/home")
    expect(invitee.get_by_role("status")).to_contain_text(f"Welcome to Heartbeat Miles, {name}.")
    expect(invitee.locator(".site-header .who")).to_have_text(f"{name} · Centre ALPHA")
    _expect_nav(invitee, ["Home", "My account"], ["Staff", "Centre settings", "My progress"])
    shot(invitee, "new therapist signed in")

    page.get_by_role("link", name="Done").click()  # the admin now sees them on the staff list
    expect(page).to_have_url(live_server + "/centre/staff")
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("Active")
    expect(page.get_by_text("No invitations waiting.")).to_be_visible()
    shot(page, "staff page with the new therapist")

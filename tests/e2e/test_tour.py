"""Every other page, for every role: so each is screenshotted and scanned too.

The journeys cover the main path; this tour opens what is left (the Centre hub's pages, the To
verify tabs, accounts, error pages, a form with errors) and adds one more small journey: a
participant logs a session themself and a therapist verifies it from To verify.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PEOPLE
from tests.e2e.journeys import main_nav, sign_in
from tests.e2e.test_journeys import STORY, _needs_participant_account

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# (link on the Centre hub, its page's h1)
HUB_PAGES = [
    ("Dashboard", "Dashboard"),
    ("Ladder", "The ladder"),
    ("Staff", "Staff"),
    ("Centre settings", "Centre settings"),
    ("Branding", "Certificate design"),
    ("Audit trail", "Audit trail"),
    ("Jobs", "Jobs"),
    ("Session CSV import", "Import sessions from a CSV file"),
    ("Participant import", "Import participants from CSV"),
]


def _check_centre_page(page: Page, shot, link: str, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link", name="Centre")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Centre")).to_have_attribute(
        "aria-current", "true"
    )
    shot(page, f"centre: {link}")


def test_admin_tours_every_centre_page(page, shot, live_server):
    sign_in(page, shot, PEOPLE.admin)
    shot(page, "admin home")
    main_nav(page).get_by_role("link", name="Centre", exact=True).click()
    shot(page, "centre hub")
    hub = page.get_by_role("list", name="Centre pages")
    hrefs = {
        link: hub.get_by_role("link", name=link, exact=True).get_attribute("href")
        for link, _ in HUB_PAGES
    }
    for link, heading in HUB_PAGES:
        page.goto(hrefs[link])
        _check_centre_page(page, shot, link, heading)

    page.goto("/ladder")
    shot(page, "the ladder again")
    page.get_by_role("link", name="Add a stage").click()
    expect(page.get_by_role("heading", name="Add a stage", level=1)).to_be_visible()
    trail = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")
    expect(trail).to_have_text(["Centre", "Ladder"])
    shot(page, "add a stage")

    main_nav(page).get_by_role("link", name="To verify").click()
    expect(page.get_by_role("heading", name="Awards waiting for verification")).to_be_visible()
    tabs = page.get_by_role("navigation", name="To verify")
    expect(tabs.get_by_role("link", name="Awards")).to_have_attribute("aria-current", "page")
    shot(page, "to verify: awards")
    tabs.get_by_role("link", name="Self-reported sessions").click()
    expect(page.get_by_role("heading", name="Sessions waiting for verification")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="To verify")).to_have_attribute(
        "aria-current", "true"
    )
    shot(page, "to verify: sessions")

    main_nav(page).get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="My account", level=1)).to_be_visible()
    shot(page, "admin account")
    account_pages = page.get_by_role("navigation", name="Pages of my account")
    account_pages.get_by_role("link", name="Emails").click()
    expect(page.get_by_role("heading", name="Emails you get", level=1)).to_be_visible()
    shot(page, "admin account: emails")
    account_pages.get_by_role("link", name="Apps and calendars").click()
    expect(page.get_by_role("heading", name="Apps and calendars", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Make token")).to_be_visible()
    shot(page, "admin account: apps and calendars")

    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    shot(page, "404 page")


def test_a_form_with_mistakes_summarises_them_and_ties_each_to_its_field(page, shot, live_server):
    sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home")
    page.goto("/participants/new")
    shot(page, "empty enrolment form")
    page.get_by_label("Date of birth").fill("2031-01-01")
    page.get_by_role("button", name="Enrol").click()

    summary = page.get_by_role("alert").filter(has_text="There are problems")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # app.js moves focus to it (WCAG 3.3.1)
    # The summary is the first thing in the main content, and each item links to its field.
    first_link = summary.get_by_role("link").first
    target = first_link.get_attribute("href")
    field = page.locator(target)
    error_id = field.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("Error:")
    expect(field).to_have_attribute("aria-invalid", "true")
    shot(page, "enrolment form with errors")
    first_link.click()
    expect(field).to_be_focused()
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0

    page.goto("/centre/staff")  # a therapist on an admin page
    expect(page.get_by_role("heading", name="You don't have access to this")).to_be_visible()
    shot(page, "403 page")
    page.goto("/account/password")
    expect(page.get_by_role("heading", name="Change your password", level=1)).to_be_visible()
    shot(page, "change password")


def test_a_participant_logs_a_session_and_a_therapist_verifies_it_from_to_verify(
    page, new_page, shot, live_server
):
    _needs_participant_account(new_page, shot, live_server)
    admin = new_page()
    sign_in(admin, shot, PEOPLE.admin)
    shot(admin, "admin home")
    admin.goto("/centre/settings")
    shot(admin, "centre settings")
    allow = admin.get_by_label("Participants may log their own sessions")
    if not allow.is_checked():
        allow.check()
        admin.get_by_role("button", name="Save settings").click()
        expect(admin.get_by_role("status")).to_contain_text("Centre settings saved.")
        shot(admin, "centre settings saved")

    sign_in(page, shot, STORY.participant)
    expect(page.get_by_role("heading", name="Hello, Dae", level=1)).to_be_visible()
    shot(page, "participant home")
    page.get_by_role("region", name="Your sessions").get_by_role(
        "link", name="Log a session"
    ).click()
    expect(page.get_by_role("heading", name="Log a session", level=1)).to_be_visible()
    shot(page, "participant logs a session")
    page.get_by_label("Date", exact=True).fill(STORY.yesterday.isoformat())
    page.get_by_label("Start time").fill("17:45")
    page.get_by_label("Kind of session").select_option(label="Rollers / trainer")
    page.get_by_label("Distance (km)").fill("8")
    page.get_by_label("Time", exact=True).fill("35:00")
    page.get_by_label("RPE: how hard it felt (Borg CR10)").select_option("4")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_contain_text("therapist")
    expect(page.get_by_role("region", name="Your sessions")).to_contain_text(
        "waiting for a therapist"
    )
    shot(page, "participant's session waiting")

    therapist = new_page()
    sign_in(therapist, shot, STORY.therapist)
    shot(therapist, "therapist home")
    main_nav(therapist).get_by_role("link", name="To verify").click()
    shot(therapist, "awards to verify")
    therapist.get_by_role("navigation", name="To verify").get_by_role(
        "link", name="Self-reported sessions"
    ).click()
    row = therapist.get_by_role("row").filter(has_text=STORY.participant_name)
    expect(row).to_contain_text("Rollers / trainer")
    shot(therapist, "sessions waiting for verification")
    row.get_by_role("checkbox").check()
    therapist.get_by_role("button", name="Verify the ticked sessions").click()
    expect(therapist.get_by_role("status")).to_contain_text("1 session verified")
    expect(therapist.get_by_text(re.compile("Nothing is waiting"))).to_be_visible()
    shot(therapist, "nothing left to verify")

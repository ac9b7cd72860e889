"""Journey 2 again with the keyboard alone: a new therapist accepts the invitation, enrols a
participant, logs a session, uploads a GPX file, verifies a milestone and issues its certificate.

No mouse: no clicks, no filling of fields from outside. Only Tab, Shift+Tab, Enter and Space, and
typing into the field that has focus (a file is chosen in the file dialog that Space opens). After
every Tab the focused element must have moved, show a visible focus indicator, be on screen and
not be covered (see keyboard.py). The admin's invitation is prepared the ordinary way first.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PEOPLE
from tests.e2e.journeys import OTHER_GPX_FILE, PASSWORD, invitation_link, sign_in, unique
from tests.e2e.keyboard import Keyboard, KeyboardTrap, field_formats

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def formats(browser) -> tuple[str, bool]:
    return field_formats(browser)


def _admin_invites(page: Page, shot, base_url: str, name: str, email: str) -> str:
    sign_in(page, shot, PEOPLE.admin)
    shot(page, "admin home")
    page.goto("/centre/staff")
    shot(page, "staff page")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Role").select_option(label="Therapist or coach")
    page.get_by_role("button", name="Create invitation").click()
    link = invitation_link(page, base_url)
    shot(page, "invitation ready")
    return link


def test_a_therapist_does_journey_two_with_the_keyboard_alone(
    page, new_page, shot, live_server, formats
):
    run = unique("")
    name, email = "Kit Keyes", f"kit.{run}@alpha.example"
    link = _admin_invites(new_page(), shot, live_server, name, email)
    page.bring_to_front()  # the keyboard's page is the one in front, as for a person
    order, clock_24h = formats
    keys = Keyboard(page, date_order=order, clock_24h=clock_24h)
    main = page.get_by_role("main")

    # --- accept the invitation: the skip link comes first -----------------------------------
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    shot(page, "invitation, by keyboard")
    keys.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    keys.tab_to(page.get_by_label("New password", exact=True))
    keys.type(PASSWORD)
    keys.tab_to(page.get_by_label("Repeat the new password", exact=True))
    keys.type(PASSWORD)
    keys.tab_to(page.get_by_role("button", name="Create my account"))
    keys.follow()
    expect(page).to_have_url(live_server + "/home")
    shot(page, "home, by keyboard")

    # --- enrol a participant ------------------------------------------------------------------
    nav = page.get_by_role("navigation", name="Main")
    keys.tab_to(nav.get_by_role("link", name="Caseload"))
    keys.follow()
    expect(page.get_by_role("heading", name="My caseload", level=1)).to_be_visible()
    shot(page, "caseload, by keyboard")
    keys.tab_to(main.get_by_role("link", name="Enrol a participant"))
    keys.follow()
    expect(page.get_by_role("heading", name="Enrol a participant", level=1)).to_be_visible()
    shot(page, "enrolment form, by keyboard")

    family = "Kowalska"
    keys.tab_to(page.get_by_label("Given name"))
    keys.type("Zofia")
    keys.tab_to(page.get_by_label("Family name"))
    keys.type(family)
    keys.tab_to(page.get_by_label("Date of birth"))
    keys.type_date(date(1988, 7, 9))
    keys.tab_to(page.get_by_label("Impairment category"))
    keys.type("Spinal")
    keys.tab_to(page.get_by_label("Spinal-cord injury level"))
    keys.type("L1")
    keys.tab_to(page.get_by_label("Racing class"))
    keys.type("T54")
    # Joined last week: yesterday's session below is in the programme, not history.
    keys.tab_to(page.get_by_label("Enrolment date"))
    keys.type_date(date.today() - timedelta(days=7))
    consent = page.get_by_label("Processing of their personal and health data")
    keys.tab_to(consent)
    keys.space()
    expect(consent).to_be_checked()
    keys.tab_to(page.get_by_role("button", name="Enrol"))
    keys.follow()
    display = f"Zofia {family}"
    expect(page.get_by_role("heading", name=display, level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"{display} is enrolled.")
    expect(page.get_by_label("Impairment category")).to_have_count(0)
    expect(main).to_contain_text("Spinal-cord injury, level L1")
    expect(main).to_contain_text("T54")
    profile_url = page.url
    shot(page, "profile, by keyboard")

    # --- log a session ------------------------------------------------------------------------
    _open_section(keys, page, "Sessions")
    shot(page, "no sessions yet, by keyboard")
    keys.tab_to(main.get_by_role("link", name="Log a session"))
    keys.follow()
    expect(page.get_by_role("heading", name=re.compile(r"^Log a session"), level=1)).to_be_visible()
    shot(page, "session form, by keyboard")
    keys.tab_to(page.get_by_label("Date", exact=True))
    keys.type_date(date.today() - timedelta(days=1))
    keys.tab_to(page.get_by_label("Start time"))
    keys.type_time(time(9, 30))
    keys.tab_to(page.get_by_label("Kind of session"))
    keys.type("Track")
    keys.tab_to(page.get_by_label("Distance (km)"))
    keys.type("5.3")
    keys.tab_to(page.get_by_label("Time", exact=True))
    keys.type("25:05")
    # Back up one field with Shift+Tab to check the distance, then on to the effort.
    keys.tab_to(page.get_by_label("Distance (km)"), backwards=True)
    expect(page.get_by_label("Distance (km)")).to_have_value("5.3")
    keys.tab_to(page.get_by_label("RPE: how hard it felt (Borg CR10)"))
    keys.type("7")
    keys.tab_to(page.get_by_role("button", name="Save session"))
    keys.follow()
    expect(page.get_by_role("status")).to_contain_text(f"Session saved for {display}.")
    expect(main).to_contain_text("5.3 km")
    shot(page, "session saved, by keyboard")

    # --- upload a GPX file --------------------------------------------------------------------
    keys.tab_to(main.get_by_role("link", name=f"All sessions of {display}"))
    keys.follow()
    shot(page, "training log, by keyboard")
    keys.tab_to(main.get_by_role("link", name="Upload a device file"))
    keys.follow()
    shot(page, "upload form, by keyboard")
    keys.tab_to(page.get_by_label("Device file (GPX, TCX or FIT)"))
    # Chromium opens a file dialog only for the tab in front; other tests' pages may have been.
    page.bring_to_front()
    # A loaded CI machine can take more than Playwright's default 5 s to show the dialog.
    with page.expect_file_chooser(timeout=20_000) as chooser:
        keys.space()  # opens the file dialog, as it does for a person
    chooser.value.set_files(OTHER_GPX_FILE)
    keys.tab_to(page.get_by_label("Kind of session"))
    keys.type("Road")
    expect(page.get_by_label("Kind of session")).to_have_value("road")
    # The file is from 2010, before enrolment: say it is history (Space ticks the box).
    history = page.get_by_label("This is history from before enrolment")
    keys.tab_to(history)
    keys.space()
    expect(history).to_be_checked()
    keys.tab_to(page.get_by_role("button", name="Upload and save"))
    keys.follow()
    expect(page.get_by_role("status")).to_contain_text("The file is saved as a session")
    expect(page.get_by_role("img", name="Route preview")).to_be_visible()
    shot(page, "uploaded session, by keyboard")

    # --- verify the 5K and issue its certificate ----------------------------------------------
    keys.tab_to(main.get_by_role("link", name=f"All sessions of {display}"))
    keys.follow()
    shot(page, "training log again, by keyboard")
    _open_section(keys, page, "Progress")
    expect(page).to_have_url(profile_url + "/progress")
    shot(page, "progress with awards, by keyboard")
    awards = page.get_by_role("region", name="Awards")
    five_k = awards.get_by_label("5K", exact=True)
    keys.tab_to(five_k)
    keys.space()
    expect(five_k).to_be_checked()
    keys.tab_to(awards.get_by_role("button", name="Verify ticked awards"))
    keys.follow()
    expect(page.get_by_role("status")).to_contain_text("Verified 1 award: “5K”.")
    shot(page, "award verified, by keyboard")
    # The verified awards are where focus is (``#awards``): the sub-navigation is back up.
    _open_section(keys, page, "Certificates", backwards=True)
    shot(page, "certificates section, by keyboard")
    certificates = page.get_by_role("region", name="Certificates")
    keys.tab_to(certificates.get_by_role("button", name=re.compile(r"^Issue certificate\W+5K$")))
    keys.follow()
    heading = page.get_by_role("heading", name=re.compile(r"^5K certificate"), level=1)
    expect(heading).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("issued for 5K")
    shot(page, "certificate issued, by keyboard")

    # Focus went to a good many places and never stuck; record how many for the run's log.
    assert keys.presses > 50 and len(set(keys.visited)) > 30, (keys.presses, keys.visited)
    print(f"keyboard journey: {keys.presses} focus moves, all visible and uncovered")


def _open_section(keys: Keyboard, page, name: str, *, backwards: bool = False) -> None:
    """Tabs to a section of the participant's record in its sub-navigation and follows it
    (``backwards`` with Shift+Tab, when focus is further down the page)."""
    nav = page.get_by_role("navigation", name=re.compile(r"^Sections of .+ record$"))
    keys.tab_to(nav.get_by_role("link", name=name, exact=True), backwards=backwards)
    keys.follow()
    expect(nav.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")


# --- the checks themselves can fail -----------------------------------------------------------

_PAGE = """<!doctype html><html lang="en"><head><style>{style}</style></head><body>
<header>{header}</header><a href="#one" id="first">First</a>
<p style="margin-top: {gap}px"><a href="#two" id="second">Second</a></p>
<button id="third">Third</button><script>{script}</script></body></html>"""


def _scratch(browser, *, style="", header="", gap=10, script=""):
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    page.set_content(_PAGE.format(style=style, header=header, gap=gap, script=script))
    return context, page


@pytest.mark.parametrize(
    ("case", "page_setup", "error", "message"),
    [
        (
            "no focus style",
            {"style": "*:focus { outline: none; box-shadow: none; }"},
            AssertionError,
            "looks the same focused and unfocused",
        ),
        (
            "a sticky header covers it",
            {
                "style": "header { position: fixed; top: 0; left: 0; right: 0; height: 600px; "
                "background: #fff; z-index: 5; }",
            },
            AssertionError,
            "covered by something else",
        ),
        (
            "a trap",
            {
                "script": "document.getElementById('first').addEventListener('keydown', "
                "e => { if (e.key === 'Tab') e.preventDefault(); });"
            },
            KeyboardTrap,
            "focus stayed on",
        ),
    ],
)
def test_the_keyboard_checks_catch_hidden_or_trapped_focus(
    browser, case, page_setup, error, message
):
    context, page = _scratch(browser, **page_setup)
    try:
        keys = Keyboard(page)
        with pytest.raises(error, match=message):
            keys.tab_to(page.locator("#third"))
    finally:
        context.close()


def test_the_keyboard_checks_pass_a_plain_page(browser):
    context, page = _scratch(browser, gap=2000)  # the second link starts below the fold
    try:
        keys = Keyboard(page)
        keys.tab_to(page.locator("#third"))
        assert keys.visited[:2] == ['a#first "First"', 'a#second "Second"']
    finally:
        context.close()

"""Records people can trust (issue 14), end to end in a real browser.

One journey through the faults a walkthrough found, each now refused or resolved where it
arose:

- a family-first name (王小明, written without a space) is recorded as such and prints so on the
  public check page (item 7);
- two colleagues edit the same participant: the second gets the conflict page, which keeps the
  colleague's new phone number and their own change (item 1);
- a session dated before birth is refused; one from before enrolment is saved only when marked
  as history, and the award it reaches waits for the therapist to confirm it and its date
  (item 2);
- the certificate's sentence reads as a sentence after the name on the check page (item 6);
- a second staff invitation to the same email is refused (item 12).

Every page is screenshotted at 1280 and 360 px and scanned with axe-core (see conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from heartbeat.participants.names import NameOrder
from tests.e2e.conftest import PEOPLE
from tests.e2e.journeys import invitation_link, main_nav, open_section, sign_in, unique

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GIVEN, FAMILY = "小明", "王"
FULL_NAME = "王小明"  # family name first, no space between Chinese name parts
BORN = date(1994, 3, 12)


def _enrol_a_family_first_participant(page: Page, shot) -> str:
    """Enrols 王小明 (family name first); returns the address of their record."""
    main_nav(page).get_by_role("link", name="Caseload", exact=True).click()
    shot(page, "caseload")
    page.get_by_role("link", name="Enrol a participant").click()
    shot(page, "enrolment form")
    page.get_by_label("Given name").fill(GIVEN)
    page.get_by_label("Family name").fill(FAMILY)
    name_order = page.get_by_label("Name order")
    expect(name_order).to_have_value("given_first")  # the default
    name_order.select_option(label=NameOrder.FAMILY_FIRST.label)
    page.get_by_label("Date of birth").fill(BORN.isoformat())
    page.get_by_label("Enrolment date").fill((date.today() - timedelta(days=7)).isoformat())
    page.get_by_label("Phone", exact=True).fill("01632 960001")
    page.get_by_label("Impairment category").select_option("amputation")
    page.get_by_label("Racing class").select_option("T54")
    page.get_by_label("Processing of their personal and health data").check()
    page.get_by_label("Certificate verification page shows their name").check()
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("heading", name=FULL_NAME, level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"{FULL_NAME} is enrolled.")
    shot(page, "family-first name enrolled")
    return page.url


def _two_colleagues_edit_the_same_record(therapist: Page, admin: Page, shot, record: str) -> None:
    """Item 1: the second save is rebased on the first, field by field."""
    therapist.goto(record + "/edit")
    expect(therapist.get_by_label("Phone", exact=True)).to_have_value("01632 960001")
    shot(therapist, "therapist opens the edit form")
    admin.goto(record + "/edit")
    shot(admin, "admin opens the same edit form")

    # The admin saves a new phone number first.
    admin.get_by_label("Phone", exact=True).fill("01632 960777")
    admin.get_by_role("button", name="Save changes").click()
    expect(admin.get_by_role("status")).to_contain_text("Details saved.")
    shot(admin, "admin saved the new phone number")

    # The therapist, on the older page, changes only the target milestone.
    therapist.get_by_label("Target milestone").fill("First 5K")
    therapist.get_by_role("button", name="Save changes").click()
    panel = therapist.get_by_role("alert").filter(has_text="Someone else changed")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Their changes, now in the form: Phone")
    expect(panel).to_contain_text("Your changes, kept in the form: Target milestone")
    # The colleague's number is in the form now, and the therapist's change is still there.
    expect(therapist.get_by_label("Phone", exact=True)).to_have_value("01632 960777")
    expect(therapist.get_by_label("Target milestone")).to_have_value("First 5K")
    shot(therapist, "conflict page keeps both changes")
    therapist.get_by_role("button", name="Save changes").click()
    expect(therapist.get_by_role("status")).to_contain_text("Details saved.")
    shot(therapist, "both changes saved")

    open_section(therapist, "Records")
    details = therapist.get_by_role("region", name="Details")
    expect(details).to_contain_text("01632 960777")
    expect(details).to_contain_text(FULL_NAME)
    expect(therapist.get_by_role("region", name="Goal")).to_contain_text("First 5K")
    shot(therapist, "records with both changes")


def _log(page: Page, day: date, *, km: str, history: bool = False) -> None:
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Kind of session").select_option(label="Track")
    page.get_by_label("Distance (km)").fill(km)
    page.get_by_label("Time", exact=True).fill("26:00")
    page.get_by_label("RPE: how hard it felt (Borg CR10)").select_option("5")
    history_box = page.get_by_label("This is history from before enrolment")
    if history:
        history_box.check()
    else:
        history_box.uncheck()
    page.get_by_role("button", name="Save session").click()


def _sessions_before_birth_and_before_enrolment(page: Page, shot, record: str) -> None:
    """Item 2: before birth refused; before enrolment only as confirmed history."""
    page.goto(record)
    shot(page, "overview before any session")
    open_section(page, "Sessions")
    shot(page, "no sessions yet")
    page.get_by_role("link", name="Log a session").click()
    shot(page, "session form")

    _log(page, date(1980, 1, 1), km="5.2")
    expect(page.get_by_role("main")).to_contain_text("is before the participant was born")
    shot(page, "a session before birth is refused")

    before_enrolment = date.today() - timedelta(days=20)
    _log(page, before_enrolment, km="5.2")
    expect(page.get_by_role("main")).to_contain_text("is before enrolment")
    shot(page, "a session before enrolment asks whether it is history")

    _log(page, before_enrolment, km="5.2", history=True)
    expect(page.get_by_role("status")).to_contain_text(f"Session saved for {FULL_NAME}.")
    expect(page.get_by_role("main")).to_contain_text("History from before enrolment")
    shot(page, "the history session saved")

    # The 5K it reaches is not dated by it: it waits for the therapist, with a date to confirm.
    page.goto(record + "/progress")
    awards = page.get_by_role("region", name="Awards")
    expect(awards.get_by_role("heading", name=re.compile("^From history"))).to_be_visible()
    waiting = awards.get_by_role("listitem").filter(has_text="5K").first
    enrolled = (date.today() - timedelta(days=7)).isoformat()
    expect(waiting.get_by_label(re.compile(r"^Date of the award"))).to_have_value(enrolled)
    shot(page, "the award from history waits for confirmation")
    waiting.get_by_role("button", name=re.compile(r"^Confirm with this date\W+5K$")).click()
    expect(page.get_by_role("status")).to_contain_text("5K")
    shot(page, "the award from history confirmed")


def _sign_off_and_issue_a_certificate(page: Page, shot) -> str:
    """Signs off "Chair fitted" and issues its certificate; returns its check page's address."""
    ladder = page.get_by_role("region", name="Ladder")
    ladder.get_by_role("link", name="sign it off").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Sign off .Chair fitted."))
    ).to_be_visible()
    shot(page, "sign-off form")
    page.get_by_label("Chair make").fill("Top End")
    page.get_by_label("Chair model").fill("Eliminator OSR")
    page.get_by_role("button", name="Sign it off").click()
    expect(page.get_by_role("status")).to_contain_text("is signed off")
    shot(page, "chair fitted signed off")

    open_section(page, "Certificates")
    shot(page, "certificates section")
    page.get_by_role("button", name=re.compile(r"^Issue certificate\W+Chair fitted$")).click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Chair fitted certificate"))
    ).to_be_visible()
    shot(page, "chair fitted certificate issued")
    link = page.get_by_role("link", name=re.compile(r"verify\W+HM-")).get_attribute("href")
    assert link is not None
    return link


def _a_stranger_checks_it(page: Page, shot, verify_url: str) -> None:
    """Items 6 and 7: the name family first, the milestone a sentence after it."""
    response = page.goto(verify_url)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Valid certificate", level=1)).to_be_visible()
    facts = page.get_by_role("region", name="What it records")
    awarded_to = facts.get_by_role("definition").nth(1)
    expect(awarded_to).to_have_text(FULL_NAME)
    milestone = facts.get_by_role("definition").nth(2)
    expect(milestone).to_have_text(
        f"Chair fitted: {FULL_NAME} had a racing chair fitted and transferred in and out of it"
        " safely."
    )
    shot(page, "check page with a family-first name")


def _a_second_invitation_to_the_same_email_is_refused(page: Page, shot, base_url: str) -> None:
    """Item 12: one waiting invitation per email."""
    main_nav(page).get_by_role("link", name="Centre", exact=True).click()
    shot(page, "centre hub")
    page.get_by_role("link", name="Staff", exact=True).click()
    shot(page, "staff page")
    email = f"{unique('rosa')}@alpha.example"
    for attempt in (1, 2):
        page.get_by_label("Full name").fill("Rosa Marín")
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Role").select_option(label="Therapist or coach")
        page.get_by_role("button", name="Create invitation").click()
        if attempt == 1:
            invitation_link(page, base_url)
            shot(page, "first invitation ready")
            page.get_by_role("link", name="Done").click()
            shot(page, "staff page with the invitation waiting")
    expect(page.get_by_role("main")).to_contain_text(f"An invitation to {email} is already waiting")
    shot(page, "a second invitation to the same email is refused")


def test_records_people_can_trust_from_enrolment_to_the_public_check_page(
    page, new_page, shot, live_server
):
    sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home")
    record = _enrol_a_family_first_participant(page, shot)

    admin = new_page()
    sign_in(admin, shot, PEOPLE.admin)
    shot(admin, "admin home")
    _two_colleagues_edit_the_same_record(page, admin, shot, record)

    _sessions_before_birth_and_before_enrolment(page, shot, record)
    verify_url = _sign_off_and_issue_a_certificate(page, shot)
    _a_stranger_checks_it(new_page(), shot, verify_url)

    _a_second_invitation_to_the_same_email_is_refused(admin, shot, live_server)

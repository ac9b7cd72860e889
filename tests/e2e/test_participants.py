"""A therapist's day with a new participant, and the participant's first look, in a real browser.

The therapist enrols someone, imports a second person from CSV, edits the first, adds a shared
note and invites them to the portal; the participant accepts, signs in and sees only their own
record: another participant's address answers 404. Every page is screenshotted at two widths.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PEOPLE, Person
from tests.e2e.journeys import open_my_page, open_section

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PORTAL_PASSWORD = "rims and gloves and a long push home"


def _sign_in(page: Page, shot, person: Person) -> None:
    page.goto("/login")
    shot(page, "sign-in page")
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|#|$)"))


def _participant_id(page: Page) -> int:
    match = re.search(r"/participants/(\d+)(?:[?#].*)?$", page.url)
    assert match, page.url
    return int(match.group(1))


def test_therapist_enrols_edits_notes_and_invites_and_the_participant_sees_only_their_record(
    page, new_page, shot, live_server
):
    family = f"Lovelace{uuid.uuid4().hex[:6]}"
    other_family = f"Hopper{uuid.uuid4().hex[:6]}"
    email = f"ada.{uuid.uuid4().hex[:8]}@alpha.example"
    _sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home")

    # --- the caseload and enrolment --------------------------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("heading", name="My caseload", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Needs attention", level=2)).to_be_visible()
    shot(page, "caseload")

    page.get_by_role("link", name="Enrol a participant").click()
    expect(page.get_by_role("heading", name="Enrol a participant", level=1)).to_be_visible()
    shot(page, "enrolment form")
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Preferred name").fill("Addie")
    page.get_by_label("Date of birth").fill("1990-05-31")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Impairment category").select_option("sci")
    page.get_by_label("Spinal-cord injury level").fill("T4")
    page.get_by_label("Racing class").select_option("T53")
    page.get_by_label("Processing of their personal and health data").check()
    page.get_by_role("button", name="Enrol").click()

    expect(page.get_by_role("heading", name=f"Addie {family}", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Addie {family} is enrolled.")
    expect(page.get_by_role("note").filter(has_text="Heart rate")).to_be_visible()  # T4
    ada_id = _participant_id(page)
    shot(page, "profile after enrolment")

    # --- a second participant, from a CSV file ---------------------------------------------------
    page.goto("/participants/import")
    expect(page.get_by_role("heading", name="Import participants from CSV")).to_be_visible()
    shot(page, "import page")
    csv_text = (
        "given_name,family_name,date_of_birth,impairment,racing_class,classification_status,"
        "enrolled_on,therapist_email,consent_data_processing,consent_recorded_on\r\n"
        f"Grace,{other_family},1985-12-09,amputation,T54,N,2025-01-10,"
        f"{PEOPLE.therapist.email},yes,2025-01-10\r\n"
    )
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv_text.encode("utf-8")}
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 1 participant.")
    row_link = page.get_by_role("table").get_by_role("link", name=f"{other_family}, Grace")
    expect(row_link).to_be_visible()
    shot(page, "caseload after the import")
    other_id = int(re.search(r"/participants/(\d+)$", row_link.get_attribute("href")).group(1))

    # --- edit, note, invitation ---------------------------------------------------------------
    page.goto(f"/participants/{ada_id}")
    shot(page, "profile again")
    page.get_by_role("link", name="Edit details").click()
    expect(page.get_by_role("heading", name=f"Edit Addie {family}")).to_be_visible()
    shot(page, "edit form")
    page.get_by_label("Target milestone").fill("First 5K")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Details saved.")
    expect(page.get_by_role("main")).to_contain_text("First 5K")
    shot(page, "profile after the edit")

    # Notes live in the record's "Records" section.
    open_section(page, "Records")
    shot(page, "records section")
    page.get_by_label("Note", exact=True).fill("Lovely smooth pushes today. Keep the elbows in!")
    page.get_by_label("Share with the participant").check()
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_contain_text("Note added and shared")
    shot(page, "profile with a shared note")

    page.get_by_role("link", name="Invite to their page").click()
    expect(page.get_by_label("Their email")).to_have_value(email)
    shot(page, "portal invitation form")
    page.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    link = page.get_by_label("Invitation link").input_value()
    assert re.fullmatch(re.escape(live_server) + r"/invite/[^/?#\s]+", link), link
    shot(page, "invitation ready")

    # --- the participant, on their own device ----------------------------------------------------
    ada = new_page()
    ada.goto(link)
    expect(ada.get_by_role("heading", name=re.compile(r"^Welcome"))).to_be_visible()
    shot(ada, "participant accepts the invitation")
    ada.get_by_label("New password", exact=True).fill(PORTAL_PASSWORD)
    ada.get_by_label("Repeat the new password", exact=True).fill(PORTAL_PASSWORD)
    ada.get_by_role("button", name="Create my account").click()
    expect(ada.get_by_role("button", name="Sign out")).to_be_visible()
    shot(ada, "participant signed in")

    ada.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    expect(ada.get_by_role("heading", name="Hello, Addie", level=1)).to_be_visible()
    expect(ada.get_by_role("main")).not_to_contain_text(other_family)
    shot(ada, "participant's today page")

    # Their name, goal and shared notes are on "About me".
    open_my_page(ada, "About me")
    main = ada.get_by_role("main")
    expect(main).to_contain_text(f"Ada {family}")
    expect(main).to_contain_text("First 5K")
    expect(main).to_contain_text("Keep the elbows in!")
    expect(main).not_to_contain_text(other_family)
    shot(ada, "participant sees their own page")

    # Another participant's page: not found, and nothing of them on it.
    response = ada.goto(f"/participants/{other_id}")
    assert response is not None and response.status == 404
    expect(ada.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    expect(ada.get_by_role("main")).not_to_contain_text(other_family)
    shot(ada, "another participant's page is not found")

    # Their own staff address brings them back to their page; the caseload stays closed.
    ada.goto(f"/participants/{ada_id}")
    expect(ada).to_have_url(live_server + "/me")
    shot(ada, "own record sends them to their page")
    response = ada.goto("/participants")
    assert response is not None and response.status == 403
    shot(ada, "the caseload is closed to participants")

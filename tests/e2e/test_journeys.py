"""The whole product in a real browser, as five people use it, one journey each.

1. An admin sets up the certificate design (uploading a logo) and invites a therapist.
2. The therapist accepts, enrols a participant, logs a session, uploads a GPX file, verifies a
   milestone, issues its certificate and invites the participant to their page.
3. The participant accepts, sees the celebration, their ladder, charts and certificate, and
   downloads the certificate (a PDF).
4. The admin prints the month's certificates as one PDF through a background job.
5. A stranger, signed in nowhere, opens the certificate's verify link and sees it is valid.

Every page is screenshotted at 1280 and 360 px and scanned with axe-core (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PEOPLE, SCREENSHOT_DIR, Person
from tests.e2e.journeys import (
    GPX_FILE,
    PASSWORD,
    Story,
    assert_pdf,
    invitation_link,
    main_nav,
    open_my_page,
    open_section,
    png_logo,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STORY = Story()


# --- 1. the admin ---------------------------------------------------------------------------------


def admin_sets_up_branding_and_invites_a_therapist(page: Page, shot, base_url: str) -> None:
    sign_in(page, shot, PEOPLE.admin)
    shot(page, "admin home")

    main_nav(page).get_by_role("link", name="Centre", exact=True).click()
    expect(page.get_by_role("heading", name="Running Centre ALPHA", level=1)).to_be_visible()
    shot(page, "centre hub")

    page.get_by_role("link", name="Branding", exact=True).click()
    expect(page.get_by_role("heading", name="Certificate design", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Centre")
    shot(page, "certificate design")
    page.get_by_label("Programme name").fill("Alpha adaptive racing programme")
    page.get_by_label("Main colour").fill("#0b5563")
    page.get_by_label("Accent colour").fill("#7a4d00")
    page.get_by_label("Signatory's name").fill("Dr Ana Souza")
    page.get_by_label("Signatory's title").fill("Head of therapy")
    page.get_by_label("Logo", exact=True).set_input_files(
        {"name": "alpha-logo.png", "mimeType": "image/png", "buffer": png_logo()}
    )
    page.get_by_role("button", name="Save the design").click()
    expect(page.get_by_role("status").filter(has_text="Certificate design saved")).to_be_visible()
    expect(page.get_by_text("A PNG logo is on file.")).to_be_visible()
    expect(page.get_by_label("Programme name")).to_have_value("Alpha adaptive racing programme")
    shot(page, "certificate design saved with a logo")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Centre").click()
    expect(page).to_have_url(base_url + "/centre")
    shot(page, "centre hub again")
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", name="Staff", level=1)).to_be_visible()
    shot(page, "staff page")

    # Plain names read well in the screenshots; each run has a database of its own.
    therapist = Person(f"tess.{STORY.run}@alpha.example", "Tess Wheeler", PASSWORD)
    page.get_by_label("Full name").fill(therapist.name)
    page.get_by_label("Email", exact=True).fill(therapist.email)
    page.get_by_label("Role").select_option(label="Therapist or coach")
    page.get_by_role("button", name="Create invitation").click()
    STORY.therapist_invite = invitation_link(page, base_url)
    STORY.therapist = therapist
    shot(page, "therapist invitation ready")

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("region", name="Pending invitations")).to_contain_text(therapist.email)
    shot(page, "staff page with the invitation waiting")


def _needs_therapist_invite(new_page, shot, base_url: str) -> None:
    if STORY.therapist_invite is None:
        admin_sets_up_branding_and_invites_a_therapist(new_page(), shot, base_url)


# --- 2. the therapist -----------------------------------------------------------------------------


def therapist_enrols_logs_verifies_and_issues(page: Page, shot, base_url: str) -> None:
    therapist = STORY.therapist
    assert therapist is not None and STORY.therapist_invite is not None
    page.goto(STORY.therapist_invite)
    expect(page.get_by_role("heading", name=f"Welcome, {therapist.name}")).to_be_visible()
    shot(page, "therapist accepts the invitation")
    page.get_by_label("New password", exact=True).fill(therapist.password)
    page.get_by_label("Repeat the new password", exact=True).fill(therapist.password)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(base_url + "/home")
    shot(page, "therapist's first home page")

    # Enrol a participant.
    main_nav(page).get_by_role("link", name="Caseload", exact=True).click()
    expect(page.get_by_role("heading", name="My caseload", level=1)).to_be_visible()
    shot(page, "empty caseload")
    page.get_by_role("link", name="Enrol a participant").click()
    shot(page, "enrolment form")
    family = "Okafor"
    page.get_by_label("Given name").fill("Adaeze")
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Preferred name").fill("Dae")
    page.get_by_label("Date of birth").fill("1994-03-12")
    page.get_by_label("Enrolment date").fill(STORY.enrolled.isoformat())
    page.get_by_label("Email", exact=True).fill(f"dae.{STORY.run}@alpha.example")
    page.get_by_label("Impairment category").select_option("sci")
    page.get_by_label("Spinal-cord injury level").fill("T10")
    page.get_by_label("Racing class").select_option("T54")
    page.get_by_label("Goal").fill("Push the Alpha 10K next spring")
    page.get_by_label("Processing of their personal and health data").check()
    page.get_by_label("Certificate verification page shows their name").check()
    page.get_by_role("button", name="Enrol").click()
    name = f"Dae {family}"
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"{name} is enrolled.")
    STORY.participant_name, STORY.participant_full_name = name, f"Adaeze {family}"
    STORY.participant_url = page.url
    shot(page, "new participant's profile")

    # Log yesterday's 5.2 km track session: the 5K stage, reached yesterday.
    open_section(page, "Sessions")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    shot(page, "the participant's sessions, none yet")
    page.get_by_role("link", name="Log a session").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Log a session"), level=1)).to_be_visible()
    shot(page, "session form")
    page.get_by_label("Date", exact=True).fill(STORY.yesterday.isoformat())
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("Kind of session").select_option(label="Track")
    page.get_by_label("Distance (km)").fill("5.2")
    page.get_by_label("Time", exact=True).fill("24:10")
    page.get_by_label("RPE: how hard it felt (Borg CR10)").select_option("6")
    page.get_by_label("Pain (0 to 10)").select_option("2")
    page.get_by_label("Where it hurt").select_option(label="Shoulder")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_contain_text(f"Session saved for {name}.")
    shot(page, "the session logged")

    # Upload a GPX file from 2010, years before enrolment: a 4.58 km road push. It is refused
    # until marked as history (the file is kept), and history never dates a milestone.
    page.get_by_role("link", name=f"All sessions of {name}").click()
    shot(page, "training log")
    page.get_by_role("link", name="Upload a device file").click()
    shot(page, "upload form")
    page.get_by_label("Device file (GPX, TCX or FIT)").set_input_files(GPX_FILE)
    page.get_by_label("Kind of session").select_option(label="Road")
    page.get_by_role("button", name="Upload and save").click()
    expect(page.get_by_role("alert")).to_contain_text("5 Aug 2010 is before enrolment")
    shot(page, "upload asks whether the file is history")
    page.get_by_label("This is history from before enrolment").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The file is saved as a session")
    expect(page.get_by_role("main")).to_contain_text("History from before enrolment")
    expect(page.get_by_role("img", name="Route preview")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("4.6 km")
    shot(page, "the uploaded session with its route")

    # Verify the 5K award (on the progress section), then issue its certificate.
    page.goto(STORY.participant_url)
    shot(page, "overview with the sessions")
    open_section(page, "Progress")
    awards = page.get_by_role("region", name="Awards")
    expect(awards.get_by_role("heading", name="Waiting for verification")).to_be_visible()
    shot(page, "profile with awards waiting")
    awards.get_by_label("5K", exact=True).check()
    awards.get_by_role("button", name="Verify ticked awards").click()
    expect(page.get_by_role("status")).to_contain_text("Verified 1 award: “5K”.")
    shot(page, "profile after verifying 5K")
    open_section(page, "Certificates")
    shot(page, "certificates section with the award waiting")
    page.get_by_role("button", name=re.compile(r"^Issue certificate\W+5K$")).click()
    heading = page.get_by_role("heading", name=re.compile(r"^5K certificate"), level=1)
    expect(heading).to_be_visible()
    flash = page.get_by_role("status").filter(has_text="issued for 5K").inner_text()
    serial = re.search(r"HM-\d{4}(?:-[0-9A-Z]{4}){3}", flash).group(0)
    verify_link = page.get_by_role("link", name=re.compile(r"verify\W+HM-"))
    STORY.verify_url = verify_link.get_attribute("href")
    assert STORY.verify_url == f"{base_url}/verify/{serial}", STORY.verify_url
    STORY.certificate_serial, STORY.certificate_url = serial, page.url
    STORY.certificate_title = "5K"
    shot(page, "the certificate issued")

    # The caseload now lists them, with their awards among what needs attention.
    main_nav(page).get_by_role("link", name="Caseload", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text(f"{family}, Dae")
    shot(page, "caseload with the new participant")

    # Invite the participant to their own page.
    page.get_by_role("table").get_by_role("link", name=f"{family}, Dae").click()
    shot(page, "profile from the caseload")
    open_section(page, "Certificates")
    expect(page.get_by_role("region", name="Certificates")).to_contain_text(serial)
    shot(page, "profile with the certificate")
    page.get_by_role("link", name="Invite to their page").click()
    expect(page.get_by_label("Their email")).to_have_value(f"dae.{STORY.run}@alpha.example")
    shot(page, "participant invitation form")
    page.get_by_role("button", name="Create invitation").click()
    STORY.participant_invite = invitation_link(page, base_url)
    STORY.participant = Person(f"dae.{STORY.run}@alpha.example", name, PASSWORD)
    shot(page, "participant invitation ready")


def _needs_certificate(new_page, shot, base_url: str) -> None:
    if STORY.participant_invite is None:
        _needs_therapist_invite(new_page, shot, base_url)
        therapist_enrols_logs_verifies_and_issues(new_page(), shot, base_url)


def participant_accepts(page: Page, shot, base_url: str) -> None:
    page.goto(STORY.participant_invite)
    expect(page.get_by_role("heading", name=re.compile(r"^Welcome"))).to_be_visible()
    shot(page, "participant accepts the invitation")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the new password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(base_url + "/home")
    STORY.notes["participant accepted"] = True


def _needs_participant_account(new_page, shot, base_url: str) -> None:
    _needs_certificate(new_page, shot, base_url)
    if not STORY.notes.get("participant accepted"):
        page = new_page()
        participant_accepts(page, shot, base_url)
        shot(page, "participant's first page")


# --- the tests ------------------------------------------------------------------------------------


def test_1_admin_sets_up_branding_with_a_logo_and_invites_a_therapist(page, shot, live_server):
    admin_sets_up_branding_and_invites_a_therapist(page, shot, live_server)


def test_2_therapist_accepts_enrols_logs_uploads_verifies_and_issues_a_certificate(
    page, new_page, shot, live_server
):
    _needs_therapist_invite(new_page, shot, live_server)
    therapist_enrols_logs_verifies_and_issues(page, shot, live_server)


def test_3_participant_accepts_sees_ladder_charts_certificate_and_downloads_it(
    page, new_page, shot, live_server
):
    _needs_certificate(new_page, shot, live_server)
    participant_accepts(page, shot, live_server)

    # Their home is their progress page, with the new milestone celebrated at the top.
    expect(page.get_by_role("heading", name="Hello, Dae", level=1)).to_be_visible()
    celebration = page.get_by_role("region", name="Well done, Dae!")
    expect(celebration).to_contain_text("You reached 5K")
    expect(celebration).to_contain_text("You completed a continuous 5 km push.")
    expect(main_nav(page).get_by_role("link", name="My progress")).to_have_attribute(
        "aria-current", "true"
    )
    shot(page, "participant home with the celebration")

    # Their ladder and charts are one tap away, on "My progress".
    open_my_page(page, "My progress")
    ladder = page.get_by_role("list", name="Your ladder, first stage first")
    expect(ladder.get_by_role("listitem")).to_have_count(9)
    expect(ladder.get_by_role("listitem").filter(has_text="5K")).to_contain_text("Reached")
    charts = page.get_by_role("region", name="Your progress in charts")
    expect(charts.get_by_role("img").first).to_be_visible()
    # Each chart has its numbers as a table too (a text alternative, not by colour alone).
    charts.get_by_text("Distance per week: the numbers as a table").click()
    expect(charts.get_by_role("table").first).to_be_visible()
    shot(page, "participant's progress page")

    open_my_page(page, "My certificates")
    certificates = page.get_by_role("region", name="Your certificates")
    expect(certificates).to_contain_text(STORY.certificate_serial)
    shot(page, "participant's certificates")
    with page.expect_download() as download:
        certificates.get_by_role("link", name="Download PDF of your 5K certificate").click()
    data = assert_pdf(download.value)
    assert STORY.certificate_serial.encode() in data or len(data) > 10_000

    main_nav(page).get_by_role("link", name="My progress").click()
    expect(page).to_have_url(live_server + "/me")
    expect(main_nav(page).get_by_role("link", name="My progress")).to_have_attribute(
        "aria-current", "page"
    )
    shot(page, "participant's today page")
    page.get_by_role("link", name="All your sessions").click()
    expect(page.get_by_role("heading", name="Your sessions", level=1)).to_be_visible()
    shot(page, "participant's sessions")


def test_4_admin_prints_the_months_certificates_and_downloads_the_pdf(
    page, new_page, shot, live_server
):
    _needs_certificate(new_page, shot, live_server)
    sign_in(page, shot, PEOPLE.admin)
    shot(page, "admin home")
    main_nav(page).get_by_role("link", name="Certificates", exact=True).click()
    expect(page.get_by_role("heading", name="Certificate register", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=STORY.certificate_serial)
    expect(row).to_contain_text("Not printed")
    shot(page, "certificate register")

    page.get_by_role("link", name="Print a batch of certificates").click()
    expect(page.get_by_role("heading", name="Print certificates", level=1)).to_be_visible()
    shot(page, "print a batch")
    page.get_by_label("Issued this month").check()
    page.get_by_role("button", name="Make the PDF").click()

    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/jobs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("certificates")
    download_link = page.get_by_role("link", name="Download the result")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("[data-job-outcome]")).not_to_be_empty()
    expect(page.get_by_role("progressbar")).to_be_hidden()
    shot(page, "the batch is ready")
    with page.expect_download() as download:
        download_link.click()
    assert_pdf(download.value)

    page.goto("/certificates")
    row = page.get_by_role("row").filter(has_text=STORY.certificate_serial)
    expect(row).to_contain_text("Printed")
    expect(row).not_to_contain_text("Not printed")
    shot(page, "register after printing")

    # The register prints as a plain table: no header, filters, buttons or tick boxes.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("search")).to_be_hidden()
    expect(page.get_by_role("table")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Serial")).to_be_visible()
    expect(page.locator("th.pick")).to_be_hidden()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOT_DIR / "journeys-register-printed.pdf"), format="A4")
    page.screenshot(path=str(SCREENSHOT_DIR / "journeys-register-print-view.png"), full_page=True)
    page.emulate_media(media="screen")


def test_5_a_stranger_opens_the_verify_link_and_sees_a_valid_certificate(
    page, new_page, shot, live_server
):
    _needs_certificate(new_page, shot, live_server)
    response = page.goto(STORY.verify_url)  # nobody signed in: a fresh browser context
    assert response is not None and response.status == 200
    result = page.get_by_role("status").filter(has_text="Valid certificate")
    expect(page.get_by_role("heading", name="Valid certificate", level=1)).to_be_visible()
    expect(result).to_contain_text("Centre ALPHA issued it")
    facts = page.get_by_role("region", name="What it records")
    expect(facts).to_contain_text(STORY.certificate_serial)
    expect(facts).to_contain_text(STORY.participant_name or "")
    expect(facts).to_contain_text("5K")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    shot(page, "public check page: valid")

    # The same answer by typing the serial into the check form, in lower case.
    page.get_by_role("link", name="Check a certificate").click()
    shot(page, "check a certificate form")
    page.get_by_label("Serial").fill(STORY.certificate_serial.lower())
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("heading", name="Valid certificate", level=1)).to_be_visible()
    shot(page, "checked by serial")


def test_the_participant_summary_prints_without_forms_or_navigation(
    page, new_page, shot, live_server
):
    _needs_certificate(new_page, shot, live_server)
    sign_in(page, shot, STORY.therapist)
    shot(page, "therapist home")
    page.goto(STORY.participant_url)
    expect(page.get_by_role("heading", name=STORY.participant_name, level=1)).to_be_visible()
    shot(page, "participant profile")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    # Each section prints as a summary: no navigation, sub-navigation or buttons.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    sections_nav = page.get_by_role("navigation", name=re.compile(r"^Sections of"))
    expect(sections_nav).to_be_hidden()
    expect(page.get_by_role("link", name="Edit details")).to_be_hidden()
    expect(page.get_by_role("region", name="At a glance")).to_be_visible()
    expect(page.get_by_role("region", name="Progress")).to_be_visible()
    page.pdf(path=str(SCREENSHOT_DIR / "journeys-participant-summary-printed.pdf"), format="A4")
    page.screenshot(
        path=str(SCREENSHOT_DIR / "journeys-participant-summary-print-view.png"), full_page=True
    )
    page.emulate_media(media="screen")

    open_section(page, "Sessions")
    shot(page, "participant's sessions")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Log a session")).to_be_hidden()
    expect(page.get_by_role("table")).to_be_visible()
    page.emulate_media(media="screen")

    open_section(page, "Progress")
    shot(page, "participant's progress")
    page.emulate_media(media="print")
    expect(page.get_by_role("region", name="Ladder")).to_be_visible()
    page.emulate_media(media="screen")

    open_section(page, "Records")
    shot(page, "participant's records")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Add note")).to_be_hidden()
    expect(page.get_by_label("Note", exact=True)).to_be_hidden()
    expect(page.get_by_role("region", name="Details")).to_be_visible()
    page.pdf(path=str(SCREENSHOT_DIR / "journeys-participant-records-printed.pdf"), format="A4")
    page.emulate_media(media="screen")

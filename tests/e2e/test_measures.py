"""A participant completes the WUSPI on a 390 px phone: once by touch (tapping the answer tiles),
once with the keyboard only (Tab, the arrow keys, Enter). Every answer tile is at least 44 px in
both directions, and the answers are saved as they go."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from heartbeat.auth.models import Role
from heartbeat.extensions import db
from heartbeat.measures.services import ensure_built_in
from tests.e2e.conftest import Person, enrol_t4_at_alpha, make_live_app
from tests.helpers import add_user

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def _participant(live_database_url, tmp_path_factory) -> Person:
    email = f"wuspi.{uuid.uuid4().hex[:8]}@alpha.example"
    app = make_live_app(live_database_url, tmp_path_factory.mktemp("wuspi"))
    with app.app_context():
        centre, therapist, participant = enrol_t4_at_alpha("Wren", "Pusher", date(1988, 3, 14))
        ensure_built_in(centre.id)  # centres made here skip create_centre and its event
        user = add_user(centre, email, Role.PARTICIPANT)
        db.session.flush()
        participant.user_id = user.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return Person(email, "Wren")


def _phone(e2e, *, touch: bool) -> Page:
    context = e2e.browser.new_context(
        base_url=e2e.base_url,
        viewport=PHONE,
        has_touch=touch,
        is_mobile=touch,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(5_000)
    context.set_default_navigation_timeout(10_000)
    page = context.new_page()
    e2e.shots.watch(page)
    e2e.contexts.append(context)
    e2e.pages.append(page)
    return page


def _sign_in(page: Page, shot, person: Person) -> None:
    page.goto("/login")
    shot(page, "sign-in page")
    page.set_viewport_size(PHONE)
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|#|$)"))


def _start(page: Page, shot) -> None:
    page.goto("/me/measures")
    shot(page, "my questionnaires")
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name=re.compile(r"^Start")).first.click()
    expect(page.get_by_text("Question 1 of 15")).to_be_visible()


def _tiles_are_big(page: Page) -> None:
    for box in page.locator("label.tile").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect()).map(r => [r.width, r.height])"
    ):
        assert box[0] >= 44 and box[1] >= 44, box


def test_a_participant_completes_the_wuspi_by_touch_on_a_phone(
    e2e, shot, live_database_url, tmp_path_factory
):
    person = _participant(live_database_url, tmp_path_factory)
    page = _phone(e2e, touch=True)
    _sign_in(page, shot, person)
    shot(page, "portal with a questionnaire waiting")
    page.set_viewport_size(PHONE)
    _start(page, shot)
    for number in range(1, 16):
        expect(page.get_by_text(f"Question {number} of 15")).to_be_visible()
        shot(page, f"wuspi question {number} by touch")
        page.set_viewport_size(PHONE)
        _tiles_are_big(page)
        assert page.locator('input[type="range"]').count() == 0
        page.locator("label.tile", has_text=re.compile(rf"^\s*{number % 11}")).first.tap()
        if number == 8:
            # Leave and come back: the answers so far were saved.
            page.goto("/me/measures")
            shot(page, "my questionnaires half done")
            page.set_viewport_size(PHONE)
            page.get_by_role("button", name=re.compile("Continue")).tap()
            expect(page.get_by_text("Question 8 of 15")).to_be_visible()
            shot(page, "wuspi continued at question 8")
            page.set_viewport_size(PHONE)
            page.locator("label.tile", has_text=re.compile(r"^\s*8")).first.tap()
        page.get_by_role("button", name=re.compile("Save and")).tap()
    expect(page.get_by_role("heading", name=re.compile("Check your answers"))).to_be_visible()
    shot(page, "wuspi review")
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Submit").tap()
    expect(page.get_by_text("Thank you")).to_be_visible()
    shot(page, "wuspi result")


def test_a_participant_completes_the_wuspi_with_the_keyboard_only(
    e2e, shot, live_database_url, tmp_path_factory
):
    person = _participant(live_database_url, tmp_path_factory)
    page = _phone(e2e, touch=False)
    _sign_in(page, shot, person)
    shot(page, "portal before the keyboard run")
    _start(page, shot)
    for number in range(1, 16):
        expect(page.get_by_text(f"Question {number} of 15")).to_be_visible()
        shot(page, f"wuspi question {number} by keyboard")
        page.set_viewport_size(PHONE)
        # Tab into the answers (the first radio), arrow to the answer, Tab to the button, Enter.
        page.locator("#answer-0").focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert page.locator("#answer-3").is_checked()
        page.keyboard.press("Tab")  # the radios are one stop: on to the button
        focused = page.evaluate("document.activeElement.textContent")
        assert "Save and" in focused, focused
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Check your answers"))).to_be_visible()
    shot(page, "wuspi review by keyboard")
    page.get_by_role("button", name="Submit").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Total: 45.0")).to_be_visible()
    shot(page, "wuspi result by keyboard")

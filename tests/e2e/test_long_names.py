"""A name of 80 characters without a space (the longest the record takes) wraps instead of
widening the page: the caseload, the profile and the participant's own portal fit a 390 px phone
and a 1280 px desktop without sideways scrolling, and no table grows wider than its box."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import ConsentKind
from heartbeat.participants.services import enrol
from tests.e2e.conftest import PEOPLE, Person, make_live_app
from tests.helpers import add_user

pytestmark = pytest.mark.e2e

WIDTHS = (390, 1280)

# The page and every scroll box (a table's wrapper) no wider than their own box.
_OVERFLOW_JS = """() => {
    const root = document.documentElement;
    const boxes = [...document.querySelectorAll(".table-wrap")]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.className}: ${el.scrollWidth}px in ${el.clientWidth}px`);
    return {page: root.scrollWidth, window: window.innerWidth, boxes};
}"""


@pytest.fixture(scope="module")
def long_named(live_database_url, tmp_path_factory) -> tuple[int, Person, str]:
    """A participant of centre A with an 80-character family name, and their portal account."""
    family = ("Wolfeschlegelsteinhausenbergerdorff" + uuid.uuid4().hex * 2)[:80]
    email = f"long.{uuid.uuid4().hex[:8]}@alpha.example"
    app = make_live_app(live_database_url, tmp_path_factory.mktemp("long-names"))
    with app.app_context():
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "alpha")).one()
        therapist = db.session.scalars(
            sa.select(User).where(User.email == PEOPLE.therapist.email)
        ).one()
        user = add_user(centre, email, Role.PARTICIPANT)
        user.name = family
        participant = enrol(
            centre_id=centre.id,
            actor=therapist,
            details={
                "given_name": "Ann",
                "family_name": family,
                "date_of_birth": date(1990, 5, 31),
                "enrolled_on": date(2025, 1, 10),
                "impairment": "amputation",
                "racing_class": "T54",
                "classification_status": "N",
                "therapist_id": therapist.id,
            },
            consents={ConsentKind.DATA_PROCESSING: True},
            consent_recorded_on=date(2025, 1, 10),
            today=date.today(),
        )
        db.session.flush()
        participant.user_id = user.id
        participant_id = participant.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return participant_id, Person(email, family), family


def _sign_in(page: Page, shot, person: Person) -> None:
    page.goto("/login")
    shot(page, "sign-in page")
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|#|$)"))


def _fits(page: Page, what: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        found = page.evaluate(_OVERFLOW_JS)
        assert found["page"] <= width, f"{what} at {width}px: the page is {found['page']}px wide"
        assert not found["boxes"], f"{what} at {width}px: {found['boxes']}"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_long_name_wraps_on_the_caseload_the_profile_and_the_portal(
    page, new_page, shot, long_named
):
    participant_id, person, family = long_named
    _sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home")

    page.goto("/participants?scope=all&sort=-enrolled")
    expect(page.get_by_role("table").get_by_role("link", name=re.compile(family))).to_be_visible()
    _fits(page, "the caseload")
    shot(page, "caseload with a long name")

    page.goto(f"/participants/{participant_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(family)
    _fits(page, "the profile")
    shot(page, "profile with a long name")

    portal = new_page()
    _sign_in(portal, shot, person)
    shot(portal, "portal home")
    portal.goto("/me")
    expect(portal.get_by_text(family).first).to_be_visible()
    _fits(portal, "the portal")
    shot(portal, "portal with a long name")

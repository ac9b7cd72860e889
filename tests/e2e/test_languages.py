"""Languages in a real browser: a therapist switches to Spanish and a participant to French on
My account, and every page of their journeys is then in that language: ``<html lang>``, no
English message left (``tests/languages.py``: text people or the centre's seeding stored is
theirs), and the usual checks of every page (axe-core, reflow at 320 px, one h1, unique titles)
on the translated pages."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from babel.support import Translations
from playwright.sync_api import Page, expect

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.devtools import i18n as tools
from heartbeat.extensions import db
from heartbeat.participants.models import ConsentKind
from heartbeat.participants.services import enrol
from heartbeat.training import services as training
from heartbeat.training.models import SessionKind, SessionSource
from tests.e2e.conftest import Person, make_live_app
from tests.e2e.journeys import sign_in
from tests.helpers import add_user
from tests.languages import english_on, stored_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def said(language: str, message: str) -> str:
    return Translations.load(str(tools.CATALOGUES), [language]).gettext(message)


@pytest.fixture(scope="module")
def readers(live_database_url, tmp_path_factory):
    """A therapist of their own and their participant, with a portal login and a session."""
    tag = uuid.uuid4().hex[:6]
    app = make_live_app(live_database_url, tmp_path_factory.mktemp("languages"))
    with app.app_context():
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "alpha")).one()
        therapist = add_user(centre, f"lengua.{tag}@alpha.example", Role.THERAPIST)
        login = add_user(centre, f"langue.{tag}@alpha.example", Role.PARTICIPANT)
        db.session.flush()
        participant = enrol(
            centre_id=centre.id,
            actor=therapist,
            details={
                "given_name": "Inés",
                "family_name": f"Lengua{tag}",
                "date_of_birth": date(1990, 5, 2),
                "enrolled_on": date.today() - timedelta(days=60),
                "impairment": "sci",
                "sci_level": "T10",
                "racing_class": "T53",
                "classification_status": "N",
                "therapist_id": therapist.id,
            },
            consents={ConsentKind.DATA_PROCESSING: True},
            consent_recorded_on=date.today() - timedelta(days=60),
            today=date.today(),
        )
        participant.user_id = login.id
        db.session.flush()
        training.log_session(
            participant,
            actor=db.session.get(User, therapist.id),
            values={
                "started_at": utcnow() - timedelta(hours=5),
                "kind": SessionKind.TRACK,
                "distance_m": 3200.0,
                "moving_time_s": 1260,
                "rpe": 4,
            },
            source=SessionSource.STAFF,
        )
        pid = participant.id
        emails = therapist.email, login.email
        db.session.commit()
        stored = stored_text(app)
        db.session.remove()
        db.engine.dispose()
    return Person(emails[0], "Lengua"), Person(emails[1], "Langue"), pid, stored


def choose_language(page: Page, shot, language: str, name: str) -> None:
    shot(page, "home, in English")
    page.goto("/account")
    group = page.get_by_role("group", name="Show pages in")
    expect(group.get_by_label("My centre's language")).to_be_checked()
    shot(page, "account page: language")
    group.get_by_label(name).check()
    page.get_by_role("button", name="Save language").click()
    message = said(language, "Your pages are now in %(language)s.") % {"language": name}
    expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot(page, f"account page in {name}")


def assert_in(page: Page, language: str, stored: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    left = [p for p in english_on(page.content(), language) if p not in stored]
    assert not left, f"English left on {page.url}: {left}"


def test_a_therapist_switches_to_spanish_and_reads_every_page_of_their_journey_in_it(
    page: Page, shot, readers
) -> None:
    therapist, _, pid, stored = readers
    sign_in(page, shot, therapist)
    choose_language(page, shot, "es", "Español")
    for url, what in [
        ("/", "home"),
        ("/participants", "caseload"),
        (f"/participants/{pid}", "participant overview"),
        (f"/participants/{pid}/sessions", "sessions"),
        (f"/participants/{pid}/progress", "progress"),
        (f"/participants/{pid}/records", "records"),
        (f"/participants/{pid}/certificates", "certificates"),
        (f"/participants/{pid}/plan", "plan"),
        (f"/participants/{pid}/measures", "outcome measures"),
        ("/sessions/waiting", "sessions waiting"),
    ]:
        response = page.goto(url)
        assert response is not None and response.ok, url
        assert_in(page, "es", stored)
        shot(page, f"{what} in Spanish")
    # A form's errors are Spanish too.
    page.goto(f"/participants/{pid}/sessions/new")
    shot(page, "session form in Spanish")
    page.get_by_role("button", name=said("es", "Save session")).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_in(page, "es", stored)
    shot(page, "session form errors in Spanish")


def test_a_participant_switches_to_french_and_reads_their_own_pages_in_it(
    page: Page, shot, readers
) -> None:
    _, participant, _, stored = readers
    sign_in(page, shot, participant)
    choose_language(page, shot, "fr", "Français")
    for url, what in [
        ("/me", "today"),
        ("/me/progress", "my progress"),
        ("/me/sessions", "my sessions"),
        ("/me/plan", "my plan"),
        ("/me/certificates", "my certificates"),
        ("/me/measures", "my questionnaires"),
        ("/me/about", "about me"),
        ("/account/emails", "my emails"),
    ]:
        response = page.goto(url)
        assert response is not None and response.ok, url
        assert_in(page, "fr", stored)
        shot(page, f"{what} in French")

"""Training plans in a real browser: a therapist assigns a plan, records a squad session for
eight people in one submit, and the participant sees this week's plan first on a 390 px phone."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import ConsentKind
from heartbeat.participants.services import enrol
from heartbeat.plans.services.templates import seed_default_templates
from tests.e2e.conftest import PEOPLE, Person, make_live_app
from tests.e2e.journeys import sign_in
from tests.helpers import add_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def squad(live_database_url, tmp_path_factory) -> tuple[list[int], Person, str]:
    """Eight participants of centre A (the first with a portal login) and the default plans."""
    tag = uuid.uuid4().hex[:6]
    email = f"plan.{tag}@alpha.example"
    app = make_live_app(live_database_url, tmp_path_factory.mktemp("plans"))
    with app.app_context():
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "alpha")).one()
        therapist = db.session.scalars(
            sa.select(User).where(User.email == PEOPLE.therapist.email)
        ).one()
        seed_default_templates(centre.id)
        user = add_user(centre, email, Role.PARTICIPANT)
        ids = []
        for n in range(8):
            participant = enrol(
                centre_id=centre.id,
                actor=therapist,
                details={
                    "given_name": f"Racer{n}",
                    "family_name": f"Squad{tag}",
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
            if n == 0:
                participant.user_id = user.id
            ids.append(participant.id)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids, Person(email, "Racer0"), f"Squad{tag}"


def test_assign_a_plan_record_a_squad_of_eight_and_see_the_week_on_a_phone(
    page: Page, new_page, shot, squad
):
    ids, racer, family = squad
    sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home")

    # --- assign: the Plan section, Assign a plan, the template and date, Assign ---------------
    page.goto(f"/participants/{ids[0]}/plan")
    expect(page.get_by_text("No plan yet.")).to_be_visible()
    shot(page, "plan section without a plan")
    page.get_by_role("link", name="Assign a plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assign a plan")
    shot(page, "assign a plan")
    page.get_by_label("Plan template").select_option(
        label="First 5K in a racing chair, 8 weeks (8 weeks)"
    )
    monday = date.today() - timedelta(days=date.today().weekday())
    page.get_by_label("Starts on").fill(monday.isoformat())
    page.get_by_role("button", name="Assign the plan").click()
    expect(page.get_by_role("status")).to_contain_text("assigned")
    expect(page.get_by_role("heading", name="Week 1", exact=False).first).to_be_visible()
    shot(page, "the plan assigned, week by week")

    # --- a squad session for eight, in one submit ---------------------------------------------
    query = "&".join(f"participant={pid}" for pid in ids)
    page.goto(f"/plans/squad-sessions/new?{query}")
    expect(page.get_by_role("heading", name="Record a squad session", level=1)).to_be_visible()
    shot(page, "squad session form for eight")
    page.get_by_label("Kind of session").select_option("track")
    page.get_by_label("Distance for everyone").fill("2")
    page.get_by_label("Time for everyone").fill("15:00")
    page.get_by_label("RPE for everyone").select_option("5")
    page.get_by_label(f"Distance for Racer3 {family}").fill("2.4")
    page.get_by_role("button", name="Save everyone's sessions").click()
    expect(page.get_by_role("status")).to_contain_text("8 sessions logged, 0 absent")
    shot(page, "squads after the session")

    # --- the participant's week, on a phone ---------------------------------------------------
    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    sign_in(phone, shot, racer)
    shot(phone, "participant's start page")
    phone.goto("/me")
    expect(phone.get_by_role("heading", name="This week's plan")).to_be_visible()
    week = phone.locator("#this-week-plan")
    expect(
        week.get_by_text(re.compile(r"On plan|Partly|Off plan|Nothing planned")).first
    ).to_be_visible()
    expect(week.get_by_text("Done:").first).to_be_visible()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    shot(phone, "this week's plan on a phone")


def test_a_squad_session_planned_ahead_recorded_later_and_a_plan_saved_as_a_template(
    page: Page, new_page, shot, squad
):
    ids, _, family = squad
    sign_in(page, shot, PEOPLE.therapist)
    shot(page, "therapist home, again")
    # --- a saved squad, a session of it planned for tomorrow --------------------------------
    page.goto("/plans/squads/new")
    page.get_by_label("Name").fill(f"Racers {family}")
    page.get_by_label(f"{family}, Racer1").check()
    page.get_by_label(f"{family}, Racer2").check()
    shot(page, "save a squad")
    page.get_by_role("button", name="Save the squad").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    shot(page, "squads with the new squad")
    page.get_by_role("link", name=re.compile(f"Plan a session.*Racers {family}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plan a session")
    tomorrow = date.today() + timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Kind of session").select_option("skills")
    shot(page, "plan a squad session ahead")
    page.get_by_role("button", name="Plan the session").click()
    expect(page.get_by_role("status")).to_contain_text("Planned")
    shot(page, "squads with a session planned")
    # recording it later: the form comes filled in with the squad and the plan
    page.get_by_role("link", name=re.compile(f"Record it.*Racers {family}")).click()
    expect(page.get_by_label("Date")).to_have_value(tomorrow.isoformat())
    expect(page.get_by_label("Kind of session")).to_have_value("skills")
    shot(page, "a planned squad session to record")
    # the squad deleted, after a confirmation
    page.goto("/plans/squads")
    shot(page, "squads, the planned session still listed")
    page.get_by_role("link", name=re.compile(f"Delete.*Racers {family}")).click()
    shot(page, "delete a squad?")
    page.get_by_role("button", name="Delete the squad").click()
    expect(page.get_by_role("status")).to_contain_text("deleted")
    shot(page, "squads after deleting one")

    # --- an admin saves a participant's plan as a template, then deletes the copy ----------
    admin = new_page()
    sign_in(admin, shot, PEOPLE.admin)
    shot(admin, "admin home")
    admin.goto(f"/participants/{ids[0]}/plan")
    shot(admin, "the plan, as an admin sees it")
    admin.get_by_role("link", name="Save as a template").click()
    admin.get_by_label("Name of the new template").fill(f"5K as adjusted {family}")
    shot(admin, "save a plan as a template")
    admin.get_by_role("button", name="Save as a template").click()
    expect(admin.get_by_role("status")).to_contain_text("added to the templates")
    shot(admin, "the template copied from a plan")
    admin.goto("/plans/templates")
    shot(admin, "the template library, retire or delete")
    admin.get_by_role("link", name=re.compile(f"Delete.*5K as adjusted {family}")).click()
    shot(admin, "delete an unused template?")
    admin.get_by_role("button", name="Delete the template").click()
    expect(admin.get_by_role("status")).to_contain_text("deleted")
    shot(admin, "the library after deleting the copy")

"""Issue 18's pages in a browser (each shot is scanned with axe, its title and h1 checked):
an admin chooses the skills a sign-off stage requires; a therapist sees them on the sign-off
page, ticks the Medical Diagnostics Form checklist, and reports a symptom on a session's edit
form, which raises a red flag."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from heartbeat.extensions import db
from heartbeat.progress.models import LadderStage
from heartbeat.training import services as training
from tests.e2e.conftest import PEOPLE, enrol_t4_at_alpha, make_live_app
from tests.e2e.journeys import sign_in

pytestmark = pytest.mark.e2e


def _t4_with_a_session(live_database_url, tmp_path_factory) -> tuple[int, int, int]:
    """A participant at T4 with one session; their id, the session's and Steer and stop's."""
    app = make_live_app(live_database_url, tmp_path_factory.mktemp("pathway"))
    with app.app_context():
        centre, therapist, participant = enrol_t4_at_alpha("Tess", "Path", date(1990, 6, 1))
        session = training.log_session(
            participant,
            actor=therapist,
            values={
                "started_at": datetime(2025, 5, 1, 9, 30, tzinfo=UTC),
                "kind": "track",
                "distance_m": 400.0,
                "moving_time_s": 180,
            },
        )
        steer = db.session.scalars(
            sa.select(LadderStage).where(
                LadderStage.centre_id == centre.id, LadderStage.code == "steer-and-stop"
            )
        ).one()
        ids = (participant.id, session.id, steer.id)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids


def test_skills_on_the_ladder_the_diagnostics_checklist_and_symptoms_on_an_edit(
    e2e, shot, live_database_url, tmp_path_factory
):
    pid, session_id, steer = _t4_with_a_session(live_database_url, tmp_path_factory)

    admin: Page = e2e.new_page()
    sign_in(admin, shot, PEOPLE.admin)
    shot(admin, "admin home")
    admin.goto(f"/ladder/{steer}/edit")
    skills = admin.get_by_role("group", name="Skills required (optional)")
    expect(skills.get_by_label("Turn in place (both ways)")).to_be_checked()
    shot(admin, "a sign-off stage's skills in the ladder editor")
    skills.get_by_label("Go up a low kerb").check()
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_role("status")).to_contain_text("is saved")
    expect(admin.get_by_role("table")).to_contain_text("Go up a low kerb")
    shot(admin, "the ladder with the skills each stage requires")

    therapist: Page = e2e.new_page()
    sign_in(therapist, shot, PEOPLE.therapist)
    shot(therapist, "therapist home")
    therapist.goto(f"/participants/{pid}/stages/{steer}/sign-off")
    required = therapist.get_by_role("region", name="Skills this stage requires")
    expect(required).to_contain_text("Go up a low kerb")
    expect(required).to_contain_text("4 of 4 not recorded as passed")
    shot(therapist, "the sign-off page with the required skills")

    therapist.goto(f"/participants/{pid}/classification")
    form = therapist.get_by_role("group", name="Medical diagnostics form")
    form.get_by_label(re.compile("^The diagnosis")).check()
    form.get_by_label(re.compile("^It is signed by a registered medical doctor")).check()
    shot(therapist, "the medical diagnostics form checklist")
    therapist.get_by_role("button", name="Save the checklist").click()
    expect(therapist.get_by_role("status")).to_contain_text("2 of 9 items done")
    expect(therapist.get_by_role("region", name="Classification")).to_contain_text("2 of 9")
    shot(therapist, "the records with the checklist done so far")

    therapist.goto(f"/sessions/{session_id}/edit")
    symptoms = therapist.get_by_role("group", name="Any of these during or after the session?")
    shot(therapist, "the session edit form with the symptom checklist")
    symptoms.get_by_label("Pounding headache").check()
    expect(therapist.get_by_role("heading", name=re.compile("what to do now"))).to_be_visible()
    therapist.get_by_role("button", name="Save changes").click()
    expect(therapist).to_have_url(re.compile(r"/red-flags/\d+$"))
    expect(therapist.get_by_role("main")).to_contain_text("Pounding headache")
    shot(therapist, "the red flag raised from the edit form")

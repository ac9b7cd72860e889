"""Distances in a person's own units, in a real browser: a therapist of a kilometre centre
chooses miles on My account and reads miles on the session list and the participant's overview,
with its chart; choosing the centre's default again brings kilometres back."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import ConsentKind
from heartbeat.participants.services import enrol
from heartbeat.training import services as training
from heartbeat.training.models import SessionKind, SessionSource
from tests.e2e.conftest import Person, make_live_app
from tests.e2e.journeys import sign_in
from tests.helpers import add_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def reader(live_database_url, tmp_path_factory) -> tuple[Person, int]:
    """A therapist of their own (so no other journey's pages change) and a participant of theirs
    with a 5 km push three hours ago."""
    tag = uuid.uuid4().hex[:6]
    email = f"units.{tag}@alpha.example"
    app = make_live_app(live_database_url, tmp_path_factory.mktemp("units"))
    with app.app_context():
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "alpha")).one()
        therapist = add_user(centre, email, Role.THERAPIST)
        db.session.flush()
        participant = enrol(
            centre_id=centre.id,
            actor=therapist,
            details={
                "given_name": "Milo",
                "family_name": f"Units{tag}",
                "date_of_birth": date(1991, 3, 8),
                "enrolled_on": date.today() - timedelta(days=90),
                "impairment": "amputation",
                "racing_class": "T54",
                "classification_status": "N",
                "therapist_id": therapist.id,
            },
            consents={ConsentKind.DATA_PROCESSING: True},
            consent_recorded_on=date.today() - timedelta(days=90),
            today=date.today(),
        )
        db.session.flush()
        training.log_session(
            participant,
            actor=db.session.get(User, therapist.id),
            values={
                "started_at": utcnow() - timedelta(hours=3),
                "kind": SessionKind.ROAD,
                "distance_m": 5000.0,
                "moving_time_s": 1500,
                "rpe": 5,
            },
            source=SessionSource.STAFF,
        )
        pid = participant.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return Person(email, "Units"), pid


def test_a_therapist_chooses_miles_and_reads_miles_then_goes_back(page: Page, shot, reader) -> None:
    person, pid = reader
    sign_in(page, shot, person)
    shot(page, "a new therapist's home")
    page.goto(f"/participants/{pid}/sessions")
    expect(page.get_by_role("main")).to_contain_text("5.0 km")
    shot(page, "session list in the centre's kilometres")

    page.goto("/account")
    distances = page.get_by_role("group", name="Show distances in")
    expect(distances.get_by_label("My centre's default")).to_be_checked()
    shot(page, "account page: distance units")
    distances.get_by_label("Miles").check()
    page.get_by_role("button", name="Save distance units").click()
    expect(page.get_by_role("status").filter(has_text="Distances are in miles.")).to_be_visible()
    distances = page.get_by_role("group", name="Show distances in")
    expect(distances.get_by_label("Miles")).to_be_checked()
    shot(page, "account page: miles chosen")

    page.goto(f"/participants/{pid}/sessions")
    main = page.get_by_role("main")
    expect(main).to_contain_text("3.1 mi")
    expect(main).not_to_contain_text("5.0 km")
    shot(page, "session list in miles")
    page.goto(f"/participants/{pid}")
    expect(page.get_by_role("main")).to_contain_text("3.1 mi")
    expect(page.locator("main svg text").filter(has_text=" mi").first).to_be_attached()
    shot(page, "overview in miles")

    page.goto("/account")
    page.get_by_role("group", name="Show distances in").get_by_label("My centre's default").check()
    shot(page, "account page: back to the centre's default")
    page.get_by_role("button", name="Save distance units").click()
    expect(page.get_by_role("status")).to_contain_text("centre's default units")
    shot(page, "account page: the centre's default saved")
    page.goto(f"/participants/{pid}/sessions")
    expect(page.get_by_role("main")).to_contain_text("5.0 km")
    shot(page, "session list in kilometres again")

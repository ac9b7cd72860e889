"""The plans pages in another language: every page renders for a reader of Spanish or French,
with the days and months in their language (the words come from the catalogues)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from tests.helpers import signed_in

DAY_NAMES = {"es": "lunes", "fr": "lundi"}


def _speaks(app, user, language: str) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(language=language))
        db.session.commit()


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_staff_pages_render_in_the_readers_language(app, plans, world, language):
    plan_id = plans.assign()
    template_id = plans.template_id()
    planned = plans.planned(plan_id)[0].id
    _speaks(app, world.a.admin, language)
    admin = signed_in(app, world.a.admin)
    pages = [
        "/plans/templates",
        f"/plans/templates/{template_id}",
        "/plans/templates/new",
        f"/plans/templates/{template_id}/edit",
        f"/plans/templates/{template_id}/sessions/new",
        f"/plans/templates/{template_id}/retire",
        f"/participants/{plans.pid}/plan/assign",
        f"/participants/{plans.other_pid}/plan/assign",
        f"/participants/{plans.pid}/unavailable",
        f"/plans/{plan_id}/sessions/new",
        f"/plans/{plan_id}/status?status=ended",
        f"/plans/{plan_id}/status?status=paused",
        f"/plans/{plan_id}/save-as-template",
        f"/planned/{planned}/edit",
        f"/planned/{planned}/delete",
        "/plans/squads",
        "/plans/squads/new",
        "/plans/squad-sessions/new",
        f"/plans/squad-sessions/new?participant={plans.pid}",
    ]
    for url in pages:
        assert admin.get(url).status_code == 200, url
    page = admin.get(f"/participants/{plans.pid}/plan").data.decode()
    assert DAY_NAMES[language] in page


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_participants_plan_and_calendar_render_in_their_language(app, plans, world, language):
    with app.app_context():
        db.session.get(Centre, world.a.centre.id).allow_self_report = True
        db.session.commit()
    plans.link(plans.pid, world.a.participant)
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    plan_id = plans.assign(starts_on=monday - timedelta(weeks=2))
    plans.log(monday - timedelta(weeks=2), distance_m=3000)
    _speaks(app, world.a.participant, language)
    portal = signed_in(app, world.a.participant)
    for url in ["/me", "/me/plan"]:
        page = portal.get(url)
        assert page.status_code == 200, url
        assert DAY_NAMES[language] in page.data.decode()
    due = [p for p in plans.planned(plan_id) if p.on <= today]
    assert portal.get(f"/me/plan/{due[-1].id}/log").status_code == 200
    account = portal.get("/account/connections").data.decode()
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', account)
    assert csrf is not None
    made = portal.post("/account/calendar", data={"csrf_token": csrf.group(1)})
    assert made.status_code == 200
    address = re.search(r'id="feed-address">([^<]+)<', made.data.decode())
    assert address is not None
    # The calendar itself stays in English, whoever reads it.
    feed = portal.get(address.group(1).replace("http://localhost", ""))
    assert feed.status_code == 200 and b"Planned session." in feed.data

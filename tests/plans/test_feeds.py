"""The private calendar feed: made on the account page, shown once, parsed by icalendar,
planned sessions only, revocable, stored hashed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import icalendar
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.plans.models import CalendarFeed, PlannedSession, Squad
from tests.helpers import signed_in


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return found.group(1) if found else ""  # the tests' app may run without CSRF


def _make(client) -> str:
    page = client.get("/account/connections")
    assert b"Calendar feed" in page.data
    made = client.post("/account/calendar", data={"csrf_token": _csrf(page.data.decode())})
    assert made.status_code == 200
    address = re.search(r'id="feed-address">([^<]+)<', made.data.decode()).group(1)
    return "/calendar/" + address.split("/calendar/", 1)[1]


def test_a_participant_subscribes_to_their_plan(app, plans, world):
    plans.link(plans.pid, world.a.participant)
    with app.app_context():
        db.session.execute(
            sa.update(PlannedSession).values(notes="Sore left shoulder: keep it easy")
        )
        db.session.commit()
    today = date.today()
    plans.assign(starts_on=today - timedelta(days=today.weekday()))
    with app.app_context():
        db.session.execute(sa.update(PlannedSession).values(notes="Sore left shoulder"))
        db.session.commit()
    portal = signed_in(app, world.a.participant)
    path = _make(portal)
    assert re.fullmatch(r"/calendar/[A-Za-z0-9_-]{43}\.ics", path)
    token = path.split("/")[-1][:-4]
    with app.app_context():
        feed = db.session.scalars(sa.select(CalendarFeed)).one()
        assert feed.token_hash != token and len(feed.token_hash) == 64  # only the hash is kept
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 40
    text = response.data.decode()
    assert "Sore" not in text and "shoulder" not in text  # no health details
    assert str(events[0]["summary"]).startswith("Skills: ")  # the 5K block starts with skills
    assert "RPE" in str(events[0]["summary"])
    # a new address stops the old one; revoking stops the new one
    second = _make(portal)
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(second).status_code == 200
    page = portal.get("/account/connections")
    revoked = portal.post(
        "/account/calendar/revoke", data={"csrf_token": _csrf(page.data.decode())}
    )
    assert revoked.status_code == 302
    assert anonymous.get(second).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_a_therapist_feed_has_their_squads_weekly(app, plans, world):
    with app.app_context():
        squad = Squad(
            centre_id=world.a.centre.id,
            name="Tuesday track",
            kind="track",
            place="Riverside track",
            meets_weekday=1,
            meets_at="18:30",
            therapist_id=world.a.therapist.id,
        )
        squad.members = []
        db.session.add(squad)
        db.session.commit()
    therapist = signed_in(app, world.a.therapist)
    path = _make(therapist)
    response = app.test_client().get(path)
    calendar = icalendar.Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert "Tuesday track" in str(event["summary"])
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    assert event.decoded("dtstart").weekday() == 1


def test_the_feed_is_in_its_owners_units(app, plans, world):
    """No one is signed in when a calendar reads the feed: it is in the units its owner reads."""
    from heartbeat.auth.models import User

    plans.link(plans.pid, world.a.participant)
    today = date.today()
    plans.assign(starts_on=today - timedelta(days=today.weekday()))
    portal = signed_in(app, world.a.participant)
    path = _make(portal)
    miles = re.compile(r"\d mi\b")
    assert not miles.search(app.test_client().get(path).data.decode())
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.id == world.a.participant.id).values(units="mi")
        )
        db.session.commit()
    assert miles.search(app.test_client().get(path).data.decode())

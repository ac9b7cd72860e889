"""Each person's distance units on their account page: the centre's default, kilometres or miles."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from heartbeat.auth import viewer
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre, Units
from heartbeat.core.units import moment_text
from heartbeat.extensions import db
from tests.helpers import signed_in


def _units(app, user) -> Units | None:
    with app.app_context():
        return db.session.get(User, user.id).units


def _page(client, url: str = "/account") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_account_page_offers_the_centres_default_kilometres_and_miles(app, world):
    page = _page(signed_in(app, world.a.therapist))
    assert 'id="units-title"' in page
    assert "My centre's default" in page and "(kilometres)" in page
    assert "Kilometres" in page and "Miles" in page
    assert 'checked id="units-0"' in page, "the centre's default is chosen until one is made"


@pytest.mark.parametrize("who", ["therapist", "participant", "admin"])
def test_anyone_with_a_centre_chooses_miles_then_goes_back_to_the_default(app, world, who):
    person = getattr(world.a, who)
    client = signed_in(app, person)
    response = client.post("/account/units", data={"units": "mi"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account#units-title")
    assert _units(app, person) == Units.MI
    assert "Distances are in miles." in _page(client)
    client.post("/account/units", data={"units": "km"})
    assert _units(app, person) == Units.KM
    client.post("/account/units", data={"units": ""})
    assert _units(app, person) is None
    assert "centre's default units" in _page(client)


def test_a_unit_not_offered_changes_nothing(app, world):
    client = signed_in(app, world.a.therapist)
    client.post("/account/units", data={"units": "mi"})
    response = client.post("/account/units", data={"units": "furlongs"}, follow_redirects=True)
    assert "That choice could not be saved" in html.unescape(response.get_data(as_text=True))
    assert _units(app, world.a.therapist) == Units.MI


def test_an_operator_belongs_to_no_centre_and_is_offered_no_units(app, world):
    page = _page(signed_in(app, world.operator))
    assert 'id="units-title"' not in page


def test_effective_units_are_the_persons_choice_else_the_centres(app, world):
    with app.app_context():
        centre = db.session.get(Centre, world.a.centre.id)
        person = db.session.get(User, world.a.therapist.id)
        assert viewer.units_for(person, centre) == "km"
        person.units = Units.MI
        assert viewer.units_for(person, centre) == "mi"
        centre.units = Units.MI
        person.units = Units.KM
        assert viewer.units_for(person, centre) == "km"
        person.units = None
        assert viewer.units_for(person, centre) == "mi"
        db.session.rollback()


def test_a_moment_reads_in_the_zone_and_follows_daylight_saving():
    from zoneinfo import ZoneInfo

    la = ZoneInfo("America/Los_Angeles")
    # 8 March 2026: clocks in Los Angeles go forward at 02:00 local (10:00 UTC).
    before = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
    after = datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    assert moment_text(before, la, "%d %b %Y, %H:%M", label=True) == "08 Mar 2026, 01:30 PST"
    assert moment_text(after, la, "%d %b %Y, %H:%M", label=True) == "08 Mar 2026, 03:30 PDT"
    # A naive value is UTC, as everything stored is.
    assert moment_text(before.replace(tzinfo=None), la, "%H:%M") == "01:30"
    assert viewer.local_time(None) == ""

"""Time zones offered by region, canonical names only; a slug made from the name when left blank
(issue 14, item 16)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.centres.services import canonical_timezones, suggest_slug
from heartbeat.extensions import db

NEW_CENTRE = {
    "name": "Riverside Rehab (Nürnberg)",
    "slug": "",
    "timezone": "Europe/Berlin",
    "country": "de",
    "units": "km",
    "paper_size": "A4",
}


def _options(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="timezone".*?</select>', page, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]+)"', select)


def test_the_time_zone_list_has_canonical_zones_grouped_by_region(client, auth, world):
    auth.sign_in(world.operator.email)

    page = client.get("/operator/centres/new").get_data(as_text=True)

    zones = _options(page)
    assert "Europe/London" in zones and "America/New_York" in zones and "UTC" in zones
    assert "Asia/Kolkata" in zones and "Europe/Amsterdam" in zones
    for alias in ("US/Eastern", "GB", "Etc/GMT+5", "Europe/Kiev", "Asia/Calcutta", "Zulu"):
        assert alias not in zones, alias
    assert len(zones) < 450
    assert '<optgroup label="Europe">' in page and '<optgroup label="America">' in page
    assert '<option selected value="Europe/London">London</option>' in page  # the default


def test_a_centre_on_an_old_alias_keeps_it_offered_and_can_save(app, client, auth, world):
    with app.app_context():
        db.session.execute(
            sa.update(Centre).where(Centre.id == world.a.centre.id).values(timezone="US/Eastern")
        )
        db.session.commit()
    auth.sign_in(world.a.admin.email)

    page = client.get("/centre/settings").get_data(as_text=True)
    assert "US/Eastern" in _options(page)
    response = client.post(
        "/centre/settings",
        data={
            "name": "Centre Alpha",
            "timezone": "US/Eastern",
            "country": "US",
            "units": "km",
            "paper_size": "A4",
        },
    )
    assert response.status_code == 302


def test_a_blank_slug_is_made_from_the_name_and_kept_unique(app, client, auth, world):
    auth.sign_in(world.operator.email)

    first = client.post("/operator/centres/new", data=NEW_CENTRE)
    second = client.post("/operator/centres/new", data=NEW_CENTRE)

    assert first.status_code == second.status_code == 302
    with app.app_context():
        slugs = db.session.scalars(
            sa.select(Centre.slug).where(Centre.name == NEW_CENTRE["name"]).order_by(Centre.id)
        ).all()
    assert slugs == ["riverside-rehab-nurnberg", "riverside-rehab-nurnberg-2"]
    assert "its short name for links is riverside-rehab-nurnberg" in client.get(
        "/operator/centres"
    ).get_data(as_text=True)


def test_suggested_slugs(app):
    with app.app_context():
        assert suggest_slug("  St. Mary's — Spinal Unit ") == "st-mary-s-spinal-unit"
        assert suggest_slug("北京康复中心") == "centre"
        assert suggest_slug("A" * 80) == "a" * 55


def test_the_canonical_list_is_real_zone_names():
    import zoneinfo

    zones = canonical_timezones()
    assert set(zones) <= zoneinfo.available_timezones()
    assert all("/" in zone or zone == "UTC" for zone in zones)

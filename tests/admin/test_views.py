"""Centre screens: an admin's settings and staff list, and the operator's centre management."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres.models import Centre, PaperSize, Units
from heartbeat.extensions import db
from tests.helpers import add_user

SETTINGS = {
    "name": "Centre Alpha Renamed",
    "timezone": "Europe/Paris",
    "country": "fr",
    "units": "mi",
    "paper_size": "Letter",
}
NEW_CENTRE = {
    "name": "Harbour Sports Rehab",
    "slug": "harbour",
    "timezone": "America/New_York",
    "country": "us",
    "units": "mi",
    "paper_size": "Letter",
}
STAFF_ROW = re.compile(r'<th scope="row" data-label="Name">')


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def load_centre(app, centre_id: int) -> Centre:
    with app.app_context():
        centre = db.session.get(Centre, centre_id)
        db.session.expunge_all()
        return centre


def centre_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Centre))


def add_therapists(app, centre_world, count: int, start: int = 0) -> None:
    with app.app_context():
        centre = db.session.get(Centre, centre_world.centre.id)
        for number in range(start, start + count):
            add_user(centre, f"coach{number:03d}@{centre.slug}.example", Role.THERAPIST)
        db.session.commit()


# --- centre settings -----------------------------------------------------------------------------


def test_the_settings_form_shows_the_centres_current_values(client, auth, world):
    auth.sign_in(world.a.admin.email)
    page = text(client.get("/centre/settings"))
    assert 'value="Centre ALPHA"' in page
    assert '<option selected value="Europe/London">' in page


def test_an_admin_saves_the_centres_settings(app, client, auth, world):
    auth.sign_in(world.a.admin.email)
    response = client.post("/centre/settings", data=SETTINGS)
    assert response.status_code == 302
    assert response.headers["Location"] == "/centre/settings"
    assert "Centre settings saved." in text(client.get("/centre/settings"))

    centre = load_centre(app, world.a.centre.id)
    assert centre.name == "Centre Alpha Renamed"
    assert centre.timezone == "Europe/Paris"
    assert centre.country == "FR"
    assert centre.units == Units.MI
    assert centre.paper_size == PaperSize.LETTER
    assert load_centre(app, world.b.centre.id).name == "Centre BRAVO"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus_Mons", "Not a valid choice"),
        ("name", "x" * 500, "Field cannot be longer than 120 characters."),
        ("name", "", "This field is required."),
        ("country", "France", "Two letters, e.g. GB."),
        ("units", "furlongs", "Not a valid choice"),
        ("paper_size", "A3", "Not a valid choice"),
    ],
)
def test_invalid_settings_are_refused_and_nothing_is_saved(
    app, client, auth, world, field, value, message
):
    auth.sign_in(world.a.admin.email)
    response = client.post("/centre/settings", data={**SETTINGS, field: value})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    centre = load_centre(app, world.a.centre.id)
    assert (centre.name, centre.timezone, centre.country) == ("Centre ALPHA", "Europe/London", "GB")


def test_a_therapist_cannot_change_the_settings(app, client, auth, world):
    auth.sign_in(world.a.therapist.email)
    assert client.post("/centre/settings", data=SETTINGS).status_code == 403
    assert load_centre(app, world.a.centre.id).name == "Centre ALPHA"


# --- the operator's centres -----------------------------------------------------------------------


def test_the_operator_lists_every_centre(client, auth, world):
    auth.sign_in(world.operator.email)
    page = text(client.get("/operator/centres"))
    assert "Centre ALPHA" in page
    assert "Centre BRAVO" in page


def test_the_operator_creates_a_centre(app, client, auth, world):
    auth.sign_in(world.operator.email)
    response = client.post("/operator/centres/new", data=NEW_CENTRE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/operator/centres"
    with app.app_context():
        centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "harbour")).one()
        assert centre.name == "Harbour Sports Rehab"
        assert centre.country == "US"
        assert centre.timezone == "America/New_York"
        assert centre.units == Units.MI
    assert "Harbour Sports Rehab" in text(client.get("/operator/centres"))


def test_the_operator_cannot_reuse_a_slug(app, client, auth, world):
    auth.sign_in(world.operator.email)
    response = client.post("/operator/centres/new", data={**NEW_CENTRE, "slug": "alpha"})
    assert response.status_code == 422
    assert "A centre with the slug 'alpha' already exists." in text(response)
    assert centre_count(app) == 2


def test_the_operator_cannot_use_a_malformed_slug(app, client, auth, world):
    auth.sign_in(world.operator.email)
    response = client.post("/operator/centres/new", data={**NEW_CENTRE, "slug": "Bad Slug!"})
    assert response.status_code == 422
    assert "Lower-case letters, digits and hyphens only." in text(response)
    assert centre_count(app) == 2


def test_a_centre_admin_cannot_create_centres(app, client, auth, world):
    auth.sign_in(world.a.admin.email)
    assert client.post("/operator/centres/new", data=NEW_CENTRE).status_code == 403
    assert centre_count(app) == 2


def test_the_operator_invites_an_admin_to_a_centre(app, client, auth, world):
    auth.sign_in(world.operator.email)
    response = client.post(
        f"/operator/centres/{world.b.centre.id}/invite",
        data={"name": "Bea Boss", "email": "Bea.Boss@Bravo.example", "role": "admin"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = text(response)
    assert "Invitation ready" in page
    assert "http://heartbeat.test/invite/" in page
    with app.app_context():
        invite = db.session.scalars(sa.select(Invite)).one()
        assert invite.email == "bea.boss@bravo.example"
        assert invite.role == Role.ADMIN
        assert invite.centre_id == world.b.centre.id
        assert invite.created_by_id == world.operator.id


def test_the_operators_invitation_can_only_make_admins(app, client, auth, world):
    auth.sign_in(world.operator.email)
    response = client.post(
        f"/operator/centres/{world.b.centre.id}/invite",
        data={"name": "Terry", "email": "terry@bravo.example", "role": "therapist"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0


def test_inviting_to_a_centre_that_does_not_exist_finds_nothing(client, auth, world):
    auth.sign_in(world.operator.email)
    response = client.post(
        "/operator/centres/9999/invite",
        data={"name": "Nobody", "email": "nobody@example.org", "role": "admin"},
    )
    assert response.status_code == 404


# --- the staff list -------------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_PAGE_SIZE": 5}])
def test_the_staff_list_is_split_into_pages(app, client, auth, world):
    add_therapists(app, world.a, 12)  # with the admin and the therapist: 14 staff, 3 pages
    auth.sign_in(world.a.admin.email)

    first = text(client.get("/centre/staff"))
    assert len(STAFF_ROW.findall(first)) == 5
    assert 'href="/centre/staff?page=2"' in first
    assert "Page 1 of 3 (14 in all)" in first

    last = text(client.get("/centre/staff?page=3"))
    assert len(STAFF_ROW.findall(last)) == 4
    assert 'rel="next"' not in last


def test_the_staff_list_shows_only_staff_of_the_admins_centre(app, client, auth, world):
    add_therapists(app, world.b, 3)
    auth.sign_in(world.a.admin.email)
    page = text(client.get("/centre/staff"))
    assert world.a.therapist.email in page
    assert world.b.therapist.email not in page
    assert "coach000@bravo.example" not in page
    assert world.a.participant.email not in page  # participants are not staff
    assert len(STAFF_ROW.findall(page)) == 2


def test_the_staff_list_runs_the_same_number_of_queries_however_many_staff(
    app, client, auth, world, query_counter
):
    add_therapists(app, world.a, 12)
    auth.sign_in(world.a.admin.email)
    client.get("/centre/staff")  # warm up: first-request work is not what is measured

    with query_counter() as few:
        assert client.get("/centre/staff").status_code == 200
    add_therapists(app, world.a, 48, start=12)
    with query_counter() as many:
        assert client.get("/centre/staff").status_code == 200

    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 10, "\n".join(many)


def test_a_deactivated_member_of_staff_is_listed_as_such(app, client, auth, world):
    auth.sign_in(world.a.admin.email)
    response = client.post(f"/centre/users/{world.a.therapist.id}/deactivate")
    assert response.status_code == 302
    page = text(client.get("/centre/staff"))
    assert "Deactivated" in page
    with app.app_context():
        assert db.session.get(User, world.a.therapist.id).active is False

"""The admin's ladder pages: add, reword, reorder, retire, restore, re-evaluate; who may."""

from __future__ import annotations

import re

import pytest

from tests.helpers import signed_in


def _text(response) -> str:
    return response.get_data(as_text=True)


def _ladder_codes(client) -> list[str]:
    return re.findall(r'data-stage="([^"]+)"', _text(client.get("/ladder")))


def test_an_admin_sees_the_ladder_with_criteria_and_move_buttons(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    response = client.get("/ladder")
    page = _text(response)
    assert response.status_code == 200
    assert _ladder_codes(client)[:3] == ["chair-fitted", "first-push", "steer-and-stop"]
    assert "One continuous push of 5 km" in page
    assert "Signed off by a therapist" in page
    assert 'Move up<span class="visually-hidden">: 5K</span>' in page
    assert 'Move down<span class="visually-hidden">: 5K</span>' in page


def test_adding_a_stage_puts_it_in_place_and_offers_to_re_evaluate(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    assert client.get("/ladder/new").status_code == 200
    response = client.post(
        "/ladder/new",
        data={
            "title": "Two laps",
            "description": "completed a continuous 800 m push",
            "kind": "distance",
            "distance": "0.8",
            "time_limit": "",
            "place": f"after:{progress.stages_a['one-lap']}",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ladder?changed=1")
    page = _text(client.get("/ladder?changed=1"))
    assert "Re-evaluate the centre's awards now" in page
    codes = _ladder_codes(client)
    assert codes.index("two-laps") == codes.index("one-lap") + 1
    assert "One continuous push of 800 m" in page


def test_adding_a_stage_in_miles_at_a_mile_centre(app, progress):
    from heartbeat.centres.models import Centre, Units
    from heartbeat.extensions import db

    with app.app_context():
        db.session.get(Centre, progress.world.a.centre.id).units = Units.MI
        db.session.commit()
    client = signed_in(app, progress.world.a.admin.email)
    client.post(
        "/ladder/new",
        data={
            "title": "Two miles",
            "description": "pushed two miles",
            "kind": "race",
            "distance": "2",
            "time_limit": "30:00",
            "place": "end",
        },
    )
    page = _text(client.get("/ladder"))
    assert "An official race finish of 2 mi within 30:00" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"distance": "five"}, "Enter the distance as a number"),
        ({"distance": "-3"}, "Enter a distance above zero"),
        ({"distance": ""}, "Enter the distance of one continuous push"),
        ({"time_limit": "90 minutes"}, "hours:minutes:seconds"),
        ({"title": ""}, "Enter a title"),
        ({"place": "after:999999"}, "Choose a place from the list"),
    ],
)
def test_bad_stage_input_gets_a_field_error_and_saves_nothing(app, progress, data, message):
    client = signed_in(app, progress.world.a.admin.email)
    response = client.post(
        "/ladder/new",
        data={
            "title": "Two laps",
            "description": "completed a continuous 800 m push",
            "kind": "distance",
            "distance": "0.8",
            "time_limit": "",
            "place": "end",
            **data,
        },
    )
    assert response.status_code == 422
    assert message in _text(response)
    assert "two-laps" not in _ladder_codes(client)


def test_rewording_a_stage(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    stage_id = progress.stages_a["5k"]
    form = _text(client.get(f"/ladder/{stage_id}/edit"))
    assert 'name="version" type="hidden" value="1"' in form
    response = client.post(
        f"/ladder/{stage_id}/edit",
        data={"title": "Five K", "description": "pushed five kilometres", "version": "1"},
    )
    assert response.status_code == 302
    assert progress.stage(stage_id).title == "Five K"


def test_a_stale_reword_is_refused_and_shows_what_changed(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    stage_id = progress.stages_a["5k"]
    client.post(
        f"/ladder/{stage_id}/edit",
        data={"title": "Five K", "description": "completed a continuous 5 km push", "version": "1"},
    )
    response = client.post(
        f"/ladder/{stage_id}/edit",
        data={"title": "5 km", "description": "completed a continuous 5 km push", "version": "1"},
    )
    page = _text(response)
    assert response.status_code == 409
    assert "Someone else changed" in page
    assert "5 km" in page and "Five K" in page
    assert progress.stage(stage_id).title == "Five K"


def test_moving_a_stage_down_and_a_stale_move_refused(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    stage_id = progress.stages_a["5k"]
    response = client.post(f"/ladder/{stage_id}/move", data={"direction": "down", "version": "1"})
    assert response.status_code == 302
    codes = _ladder_codes(client)
    assert codes.index("10k") + 1 == codes.index("5k")
    stale = client.post(f"/ladder/{stage_id}/move", data={"direction": "up", "version": "1"})
    assert stale.status_code == 409
    assert "Someone else changed “5K”" in _text(stale)
    assert _ladder_codes(client) == codes


def test_retiring_asks_first_then_keeps_the_stage_listed_as_retired(app, progress):
    progress.session(distance_m=450)
    progress.evaluate()
    client = signed_in(app, progress.world.a.admin.email)
    stage_id = progress.stages_a["one-lap"]
    confirm = _text(client.get(f"/ladder/{stage_id}/retire"))
    assert "Retire “One lap”?" in confirm
    assert "1 award already made for it stays valid" in confirm
    response = client.post(f"/ladder/{stage_id}/retire", data={"version": "1"})
    assert response.status_code == 302
    assert progress.stage(stage_id).retired
    page = _text(client.get("/ladder"))
    assert 'Put back<span class="visually-hidden">: One lap</span>' in page
    assert "one-lap" in progress.awards()
    restore = client.post(f"/ladder/{stage_id}/restore", data={"version": "2"})
    assert restore.status_code == 302
    assert not progress.stage(stage_id).retired


def _finished_job_page(app, client, response) -> str:
    """Follow a job the response redirected to until it ends; its page."""
    from heartbeat.jobs import services as job_services

    assert response.status_code == 302 and "/jobs/" in response.location
    job_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        job_services.wait(job_id, timeout=30)
    return _text(client.get(f"/jobs/{job_id}"))


def test_re_evaluating_from_the_ladder_reports_the_changes(app, progress):
    progress.session(distance_m=450)
    client = signed_in(app, progress.world.a.admin.email)
    assert "Re-evaluate every participant" in _text(client.get("/ladder/recompute"))
    page = _finished_job_page(app, client, client.post("/ladder/recompute"))
    assert "Awards added</dt><dd>2</dd>" in page
    assert "Ada Lovelace" in page
    again = _finished_job_page(app, client, client.post("/ladder/recompute"))
    assert "Participants with changes</dt><dd>0</dd>" in again


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/ladder/{id}/edit"),
        ("post", "/ladder/{id}/edit"),
        ("post", "/ladder/{id}/move"),
        ("get", "/ladder/{id}/retire"),
        ("post", "/ladder/{id}/retire"),
        ("post", "/ladder/{id}/restore"),
    ],
)
def test_another_centres_stage_is_not_found(app, progress, method, path):
    client = signed_in(app, progress.world.a.admin.email)
    url = path.format(id=progress.stages_b["5k"])
    response = getattr(client, method)(url, data={"version": "1", "direction": "up"})
    assert response.status_code == 404
    assert progress.stage(progress.stages_b["5k"]).version == 1


@pytest.mark.parametrize("who", ["therapist", "participant"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/ladder"),
        ("get", "/ladder/new"),
        ("post", "/ladder/new"),
        ("get", "/ladder/{id}/edit"),
        ("post", "/ladder/{id}/move"),
        ("post", "/ladder/{id}/retire"),
        ("post", "/ladder/recompute"),
        ("get", "/dashboard"),
    ],
)
def test_only_admins_edit_the_ladder(app, progress, who, method, path):
    client = signed_in(app, getattr(progress.world.a, who).email)
    url = path.format(id=progress.stages_a["5k"])
    response = getattr(client, method)(url, data={"version": "1", "direction": "up"})
    assert response.status_code == 403
    assert progress.stage(progress.stages_a["5k"]).version == 1


def test_admins_get_ladder_and_dashboard_links_and_staff_get_awards_to_verify(app, progress):
    admin = _text(signed_in(app, progress.world.a.admin.email).get("/home"))
    therapist = _text(signed_in(app, progress.world.a.therapist.email).get("/home"))
    hub = _text(signed_in(app, progress.world.a.admin.email).get("/centre"))
    assert 'href="/ladder"' in hub and 'href="/dashboard"' in hub
    assert 'href="/awards/pending"' in admin and 'href="/awards/pending"' in therapist
    assert 'href="/ladder"' not in therapist and 'href="/dashboard"' not in therapist

"""Isolation and permissions: other centres' ids answer 404; the audit trail is for admins."""

from __future__ import annotations

import re

import pytest

from tests.helpers import signed_in

GET_PATHS = ["", "/edit", "/equipment", "/consents", "/invite"]


def _whats(html: str) -> list[str]:
    return re.findall(r'<td data-label="What">([^<]+)</td>', html)


POST_PATHS = ["/edit", "/status", "/notes", "/equipment", "/consents", "/invite"]


@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_centre_b_staff_get_404_for_every_route_of_centre_a_participants(app, world, helpers, who):
    a_ids = [helpers.enrol(world.a) for _ in range(3)]
    b_id = helpers.enrol(world.b)
    client = signed_in(app, getattr(world.b, who).email)

    # Sequential ids around centre A's, plus one that does not exist at all.
    for participant_id in [*a_ids, b_id + 1]:
        for path in GET_PATHS:
            url = f"/participants/{participant_id}{path}"
            assert client.get(url).status_code == 404, url
        for path in POST_PATHS:
            url = f"/participants/{participant_id}{path}"
            assert client.post(url, data={"version": "1", "body": "x"}).status_code == 404, url
    # Their own participant opens normally.
    assert client.get(f"/participants/{b_id}").status_code == 200
    # Nothing of centre A's was changed.
    assert all(helpers.participant(i).version == 1 for i in a_ids)


def test_centre_a_participants_never_appear_in_centre_b_lists(app, world, helpers):
    helpers.enrol(world.a, family_name="Alphaonly")
    client = signed_in(app, world.b.admin.email)
    assert "Alphaonly" not in client.get("/participants?scope=all&status=all").get_data(
        as_text=True
    )
    assert "Alphaonly" not in client.get("/audit").get_data(as_text=True)


def test_operator_without_a_centre_cannot_open_participants(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    client = signed_in(app, world.operator.email)
    assert client.get(f"/participants/{participant_id}").status_code == 404


def test_admin_browses_and_filters_the_audit_trail(app, world, helpers):
    participant_id = helpers.enrol(world.a, family_name="Audited")
    client = signed_in(app, world.a.admin.email)
    client.post(
        f"/participants/{participant_id}/notes", data={"body": "Checked the chair", "shared": "y"}
    )

    page = client.get("/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _whats(html) == ["Note added"] + ["Consent recorded"] * 3 + ["Participant enrolled"]
    assert "Audited" in html and "Checked the chair" in html

    notes_only = client.get("/audit?action=note.create").get_data(as_text=True)
    assert _whats(notes_only) == ["Note added"]
    by_entity = client.get(f"/audit?entity=participant&entity_id={participant_id}").get_data(
        as_text=True
    )
    assert _whats(by_entity) == ["Participant enrolled"]


def test_the_audit_trail_is_closed_to_therapists_and_participants(app, world):
    assert signed_in(app, world.a.therapist.email).get("/audit").status_code == 403
    assert signed_in(app, world.a.participant.email).get("/audit").status_code == 403


def test_the_audit_trail_has_no_routes_that_change_it(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/audit")]
    assert [sorted(rule.methods - {"HEAD", "OPTIONS"}) for rule in rules] == [["GET"]]


def test_audit_trail_paginates(app, world, helpers):
    app.config["HEARTBEAT_PAGE_SIZE"] = 3
    helpers.enrol(world.a)  # one create + three consents
    html = signed_in(app, world.a.admin.email).get("/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in html


# --- the routes of imports, exports and data rights ----------------------------------------------

ADMIN_ONLY_POSTS = ["/subject-access", "/erase"]


@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_centre_b_staff_get_404_for_data_rights_routes_of_centre_a(app, world, helpers, who):
    a_id = helpers.enrol(world.a)
    client = signed_in(app, getattr(world.b, who).email)

    assert client.get(f"/participants/{a_id}/erase").status_code == 404
    for path in ADMIN_ONLY_POSTS:
        response = client.post(f"/participants/{a_id}{path}", data={"confirm_name": "Ada Lovelace"})
        assert response.status_code == 404, path
    assert helpers.participant(a_id).given_name == "Ada"
    assert helpers.audit("participant.subject_access") == []


def test_therapists_get_403_for_data_rights_and_admins_get_through(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    therapist = signed_in(app, world.a.therapist.email)
    assert therapist.get(f"/participants/{participant_id}/erase").status_code == 403
    for path in ADMIN_ONLY_POSTS:
        assert therapist.post(f"/participants/{participant_id}{path}").status_code == 403, path

    admin = signed_in(app, world.a.admin.email)
    assert admin.get(f"/participants/{participant_id}/erase").status_code == 200
    assert admin.post(f"/participants/{participant_id}/subject-access").status_code == 200


def test_a_participant_gets_404_for_the_data_rights_routes_of_anyone_else(app, world, helpers):
    mine = helpers.enrol(world.a)
    theirs = helpers.enrol(world.a, given_name="Sam")
    helpers.link(mine, world.a.participant)
    client = signed_in(app, world.a.participant.email)
    assert client.get(f"/participants/{theirs}/erase").status_code == 404
    for path in ADMIN_ONLY_POSTS:
        assert client.post(f"/participants/{theirs}{path}").status_code == 404, path


def test_centre_level_routes_are_for_staff_and_stay_inside_the_centre(app, world, helpers):
    helpers.enrol(world.a, family_name="Alphaonly")
    for email in (world.a.participant.email,):
        client = signed_in(app, email)
        assert client.get("/participants/import").status_code == 403
        assert client.get("/participants/import/template.csv").status_code == 403
        assert client.post("/participants/export.csv").status_code == 403
    admin_b = signed_in(app, world.b.admin.email)
    assert "Alphaonly" not in admin_b.post(
        "/participants/export.csv", data={"scope": "all", "status": "all"}
    ).get_data(as_text=True)
    assert "Alphaonly" not in admin_b.get("/participants?scope=all").get_data(as_text=True)

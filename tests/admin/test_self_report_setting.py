"""The centre setting "Participants may log their own sessions"."""

from __future__ import annotations

import html

from heartbeat.centres.models import Centre
from heartbeat.extensions import db

SETTINGS = {
    "name": "Centre ALPHA",
    "timezone": "Europe/London",
    "country": "GB",
    "units": "km",
    "paper_size": "A4",
}


def allowed(app, centre_id: int) -> bool:
    with app.app_context():
        return db.session.get(Centre, centre_id).allow_self_report


def test_the_settings_form_offers_the_checkbox_unticked_by_default(client, auth, world):
    auth.sign_in(world.a.admin.email)
    page = html.unescape(client.get("/centre/settings").get_data(as_text=True))
    assert "Participants may log their own sessions" in page
    assert 'id="allow_self_report" name="allow_self_report" type="checkbox"' in page
    assert 'checked id="allow_self_report"' not in page


def test_an_admin_turns_self_reporting_on_and_off(app, client, auth, world):
    auth.sign_in(world.a.admin.email)
    response = client.post("/centre/settings", data={**SETTINGS, "allow_self_report": "y"})
    assert response.status_code == 302
    assert allowed(app, world.a.centre.id) is True
    assert allowed(app, world.b.centre.id) is False
    page = client.get("/centre/settings").get_data(as_text=True)
    assert 'checked id="allow_self_report"' in page

    client.post("/centre/settings", data=SETTINGS)  # an unticked box is not sent at all
    assert allowed(app, world.a.centre.id) is False


def test_a_therapist_cannot_turn_it_on(app, client, auth, world):
    auth.sign_in(world.a.therapist.email)
    response = client.post("/centre/settings", data={**SETTINGS, "allow_self_report": "y"})
    assert response.status_code == 403
    assert allowed(app, world.a.centre.id) is False


def test_the_service_leaves_the_setting_alone_unless_told(app, world):
    from heartbeat.centres.services import update_settings

    with app.app_context():
        centre = db.session.get(Centre, world.a.centre.id)
        centre.allow_self_report = True
        update_settings(centre, **SETTINGS)
        assert centre.allow_self_report is True
        update_settings(centre, **SETTINGS, allow_self_report=False)
        assert centre.allow_self_report is False

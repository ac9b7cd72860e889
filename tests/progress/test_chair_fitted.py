"""The ladder's "Chair fitted" and the equipment record tell one story (issue 14 item 5).

A participant was congratulated on "Chair fitted" while "Your chair: No chair fitted yet" showed
on the same page. Signing the stage off now offers to record the fitting with it, and a chair
panel with no fitting on record says when the chair was signed off instead of "no chair".
"""

from __future__ import annotations

import html
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import services as participant_services
from heartbeat.participants.models import EquipmentFitting, Participant
from tests.helpers import signed_in


def _page(client, url: str) -> str:
    return " ".join(html.unescape(client.get(url).get_data(as_text=True)).split())


def _sign_off_url(progress, code: str) -> str:
    return f"/participants/{progress.pid}/stages/{progress.stages_a[code]}/sign-off"


def _fittings(app, participant_id: int) -> list[EquipmentFitting]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(EquipmentFitting).where(EquipmentFitting.participant_id == participant_id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_signed_off_without_a_fitting_the_chair_panels_say_so_instead_of_no_chair(app, progress):
    staff = signed_in(app, progress.world.a.therapist.email)
    signed = utcnow().astimezone(ZoneInfo("Europe/London")).date()
    response = staff.post(_sign_off_url(progress, "chair-fitted"), data={"signed_on": str(signed)})
    assert response.status_code == 302
    assert _fittings(app, progress.pid) == []
    day = f"{signed:%d %b %Y}"  # as the participant pages write dates

    participant = signed_in(app, progress.world.a.participant.email)
    today = _page(participant, "/me")
    assert "Well done" in today and "Chair fitted" in today
    assert "No chair fitted yet" not in today
    portal = _page(participant, "/me/about")
    assert "No chair fitted yet" not in portal
    assert f"Chair fitted (signed off {day}). Your therapist has not recorded" in portal

    profile = _page(staff, f"/participants/{progress.pid}/records")
    assert "No chair fitted yet" not in profile
    assert f"Chair fitted (signed off {day}); fitting details not recorded yet." in profile
    assert "Record the fitting" in profile


def test_signing_off_chair_fitted_records_the_fitting_given_with_it(app, progress):
    staff = signed_in(app, progress.world.a.therapist.email)
    form = _page(staff, _sign_off_url(progress, "chair-fitted"))
    assert "Chair make" in form and "recorded as their fitting" in form
    response = staff.post(
        _sign_off_url(progress, "chair-fitted"),
        data={"signed_on": "2025-03-04", "chair_make": "Top End", "chair_model": "Eliminator"},
    )
    assert response.status_code == 302
    [fitting] = _fittings(app, progress.pid)
    assert (fitting.chair, fitting.fitted_on) == ("Top End Eliminator", date(2025, 3, 4))
    [event] = progress.audit("equipment.create")
    assert event.actor_id == progress.world.a.therapist.id
    portal = _page(signed_in(app, progress.world.a.participant.email), "/me/about")
    assert "Top End Eliminator, fitted" in portal and "No chair fitted yet" not in portal


def test_a_fitting_on_record_is_shown_and_not_asked_for_again(app, progress):
    with app.app_context():
        participant_services.add_fitting(
            db.session.get(Participant, progress.pid),
            actor=db.session.get(User, progress.world.a.therapist.id),
            chair_make="Carbonbike",
            chair_model=None,
            fitted_on=date(2025, 2, 1),
            wheel_size=None,
            push_rim_mm=None,
            gloves=None,
            notes=None,
            today=date(2025, 6, 2),
        )
        db.session.commit()
    staff = signed_in(app, progress.world.a.therapist.email)
    form = _page(staff, _sign_off_url(progress, "chair-fitted"))
    assert "Chair on record: Carbonbike, fitted 1 Feb 2025." in form
    assert 'name="chair_make"' not in form
    # Other sign-off stages ask nothing about chairs.
    assert 'name="chair_make"' not in _page(staff, _sign_off_url(progress, "steer-and-stop"))

"""Participant pages through the test client: enrolment, edits, conflicts, notes, the portal."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from heartbeat.auth.models import Invite
from heartbeat.extensions import db
from heartbeat.participants.models import Note, Participant, ParticipantStatus
from tests.browserform import form_on
from tests.helpers import signed_in
from tests.participants.conftest import form_data

CONSENT = {"consent_data_processing": "y", "consent_recorded_on": "2025-01-10"}


def _version(html: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="version"', html
    )
    assert match, "no version field on the page"
    return match.group(1)


# --- enrolment ----------------------------------------------------------------------------------


def test_therapist_enrols_a_participant_through_the_form(app, world, helpers):
    client = signed_in(app, world.a.therapist.email)
    page = client.get("/participants/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'for="date_of_birth"' in html and 'id="date_of_birth"' in html

    response = client.post(
        "/participants/new",
        data={**form_data(therapist_id=str(world.a.therapist.id)), **CONSENT},
    )

    assert response.status_code == 302
    with app.app_context():
        participant = db.session.scalars(sa.select(Participant)).one()
        assert participant.family_name == "Lovelace"
        assert participant.centre_id == world.a.centre.id
        assert participant.therapist_id == world.a.therapist.id
        assert response.headers["Location"].endswith(f"/participants/{participant.id}")
    profile = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Lovelace" in profile
    assert "blunts the heart-rate response" in profile  # T4: the HR caveat is shown


def test_enrolment_form_reports_each_bad_field_and_saves_nothing(app, world, helpers):
    client = signed_in(app, world.a.therapist.email)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()

    response = client.post(
        "/participants/new",
        data={
            **form_data(given_name="", date_of_birth=tomorrow, racing_class="T99"),
            "consent_recorded_on": "2025-01-10",
        },
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There are problems with what was entered" in html
    assert "Enter the given name." in html
    assert "The date of birth must be in the past." in html
    assert "Choose a racing class from the list" in html
    assert 'aria-invalid="true"' in html
    assert helpers.count(Participant) == 0


def test_enrolment_without_data_processing_consent_is_refused(app, world, helpers):
    client = signed_in(app, world.a.therapist.email)
    response = client.post(
        "/participants/new",
        data={**form_data(), "consent_media": "y", "consent_recorded_on": "2025-01-10"},
    )
    assert response.status_code == 422
    assert "cannot enrol anyone without it" in response.get_data(as_text=True)
    assert helpers.count(Participant) == 0


# --- edits and conflicts ------------------------------------------------------------------------


def test_edit_saves_changes_and_records_them(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    client = signed_in(app, world.a.therapist.email)
    version = _version(client.get(f"/participants/{participant_id}/edit").get_data(as_text=True))

    response = client.post(
        f"/participants/{participant_id}/edit",
        data={
            **form_data(therapist_id=world.a.therapist.id, goal_milestone="5K"),
            "version": version,
        },
    )

    assert response.status_code == 302
    assert helpers.participant(participant_id).goal_milestone == "5K"
    (event,) = helpers.audit("participant.update")
    assert event.changes == {"goal_milestone": {"before": "One mile", "after": "5K"}}
    assert event.actor_id == world.a.therapist.id


def test_a_stale_page_without_its_snapshot_asks_about_every_differing_field(app, world, helpers):
    """A page opened before forms carried what they showed (no ``base``): every field that
    differs from the saved record is a clash to choose on, so nothing is silently reverted."""
    participant_id = helpers.enrol(world.a)
    therapist = signed_in(app, world.a.therapist.email)
    admin = signed_in(app, world.a.admin.email)
    url = f"/participants/{participant_id}/edit"
    therapist_version = _version(therapist.get(url).get_data(as_text=True))
    admin_version = _version(admin.get(url).get_data(as_text=True))
    base = form_data(therapist_id=world.a.therapist.id)

    saved = admin.post(url, data={**base, "goal": "Admin's goal", "version": admin_version})
    assert saved.status_code == 302

    refused = therapist.post(
        url, data={**base, "goal": "Therapist's goal", "version": therapist_version}
    )

    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Someone else changed" in html
    choice = re.search(
        r'<fieldset class="conflict-choice" data-field="goal">(.*?)</fieldset>', html, re.S
    )
    assert "Therapist&#39;s goal" in choice.group(1) and "Admin&#39;s goal" in choice.group(1)
    assert helpers.participant(participant_id).goal == "Admin's goal"
    assert len(helpers.audit("participant.update")) == 1

    # The page now rests on the saved version; choosing "mine" applies the therapist's value.
    again = form_on(html)
    again["keep__goal"] = "mine"
    assert therapist.post(url, data=again).status_code == 302
    assert helpers.participant(participant_id).goal == "Therapist's goal"


def test_status_change_on_the_profile_and_a_stale_status_form(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    client = signed_in(app, world.a.therapist.email)
    today = date.today().isoformat()
    form = {"to_status": "paused", "changed_on": today, "reason": "Shoulder pain", "version": "1"}

    assert client.post(f"/participants/{participant_id}/status", data=form).status_code == 302
    assert helpers.participant(participant_id).status == ParticipantStatus.PAUSED

    stale = client.post(
        f"/participants/{participant_id}/status", data={**form, "to_status": "withdrawn"}
    )
    assert stale.status_code == 409
    assert helpers.participant(participant_id).status == ParticipantStatus.PAUSED

    profile = client.get(f"/participants/{participant_id}/records").get_data(as_text=True)
    assert "Shoulder pain" in profile


def test_status_change_without_a_reason_is_refused(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    client = signed_in(app, world.a.therapist.email)
    response = client.post(
        f"/participants/{participant_id}/status",
        data={"to_status": "paused", "changed_on": date.today().isoformat(), "version": "1"},
    )
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    assert helpers.participant(participant_id).status == ParticipantStatus.ACTIVE


def test_consents_page_records_a_change(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    client = signed_in(app, world.a.therapist.email)
    version = _version(
        client.get(f"/participants/{participant_id}/consents").get_data(as_text=True)
    )
    response = client.post(
        f"/participants/{participant_id}/consents",
        data={
            "consent_data_processing": "y",
            "consent_public_verification": "y",
            "consent_recorded_on": date.today().isoformat(),
            "version": version,
        },
    )
    assert response.status_code == 302
    (event,) = [
        e
        for e in helpers.audit("consent.change")
        if e.changes["kind"]["after"] == "public_verification"
        and e.changes["given"]["before"] is not None
    ]
    assert event.changes["given"] == {"before": False, "after": True}


def test_equipment_page_adds_a_refit_and_keeps_the_history(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    client = signed_in(app, world.a.therapist.email)
    url = f"/participants/{participant_id}/equipment"
    for make, fitted in (("Top End", "2025-02-01"), ("Carbonbike", "2025-04-01")):
        response = client.post(
            url, data={"chair_make": make, "fitted_on": fitted, "gloves": "printed_3d"}
        )
        assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert html.index("Carbonbike") < html.index("Top End")
    assert "3-D printed" in html
    profile = client.get(f"/participants/{participant_id}/records").get_data(as_text=True)
    assert "<strong>Now:</strong> Carbonbike" in profile
    assert "1 earlier fitting in" in profile


# --- notes and the portal -----------------------------------------------------------------------


def test_private_notes_stay_with_staff_and_shared_notes_reach_the_portal(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    helpers.link(participant_id, world.a.participant)
    staff = signed_in(app, world.a.therapist.email)
    url = f"/participants/{participant_id}/notes"
    assert staff.post(url, data={"body": "Watch the left shoulder"}).status_code == 302
    assert staff.post(url, data={"body": "Great first mile!", "shared": "y"}).status_code == 302
    assert helpers.count(Note) == 2

    staff_view = staff.get(f"/participants/{participant_id}/records").get_data(as_text=True)
    assert "Watch the left shoulder" in staff_view and "Great first mile!" in staff_view

    portal = signed_in(app, world.a.participant.email).get("/me/about")
    assert portal.status_code == 200
    html = portal.get_data(as_text=True)
    assert "Great first mile!" in html
    assert "Watch the left shoulder" not in html
    assert "One mile" in html  # their goal


def test_participant_asking_for_anyone_elses_record_gets_404(app, world, helpers):
    mine = helpers.enrol(world.a)
    theirs = helpers.enrol(world.a, given_name="Sam")
    helpers.link(mine, world.a.participant)
    helpers.link(theirs, world.a.other_participant)
    client = signed_in(app, world.a.participant.email)

    for path in ("", "/edit", "/equipment", "/consents", "/invite"):
        assert client.get(f"/participants/{theirs}{path}").status_code == 404, path
    for path in ("/status", "/notes", "/edit"):
        assert client.post(f"/participants/{theirs}{path}", data={}).status_code == 404, path
    # Their own staff URL sends them to their portal; staff-only pages stay closed.
    own = client.get(f"/participants/{mine}")
    assert own.status_code == 302 and own.headers["Location"].endswith("/me")
    assert client.get(f"/participants/{mine}/edit").status_code == 403
    assert client.get("/participants").status_code == 403


def test_participant_without_a_linked_record_sees_a_helpful_page(app, world):
    response = signed_in(app, world.a.participant.email).get("/me")
    assert response.status_code == 200
    assert "not linked to a participant record" in response.get_data(as_text=True)


def test_portal_invitation_links_the_new_login_to_the_participant(app, world, helpers):
    participant_id = helpers.enrol(world.a, email="ada.portal@example.org")
    staff = signed_in(app, world.a.therapist.email)
    assert staff.get(f"/participants/{participant_id}/invite").status_code == 200
    created = staff.post(
        f"/participants/{participant_id}/invite",
        data={"email": "ada.portal@example.org"},
        follow_redirects=True,
    )
    assert created.status_code == 200
    token = re.search(r"/invite/([^\"<\s]+)", created.get_data(as_text=True)).group(1)
    with app.app_context():
        invite = db.session.scalars(sa.select(Invite)).one()
        assert invite.participant_id == participant_id

    fresh = app.test_client()
    password = "a long enough password for ada"
    accepted = fresh.post(f"/invite/{token}", data={"password": password, "confirm": password})
    assert accepted.status_code == 302
    participant = helpers.participant(participant_id)
    assert participant.user_id is not None
    portal = fresh.get("/me").get_data(as_text=True)
    assert "Hello, Ada" in portal
    assert helpers.audit("participant.link_user")


def test_therapist_navigation_offers_the_caseload(app, world):
    html = signed_in(app, world.a.therapist.email).get("/home").get_data(as_text=True)
    assert 'href="/participants"' in html
    assert "Audit trail" not in html
    admin_html = signed_in(app, world.a.admin.email).get("/centre").get_data(as_text=True)
    assert 'href="/audit"' in admin_html


def test_stale_consent_form_gets_a_409_and_keeps_the_saved_answers(app, world, helpers):
    participant_id = helpers.enrol(world.a)
    client = signed_in(app, world.a.therapist.email)
    url = f"/participants/{participant_id}/consents"
    old_version = _version(client.get(url).get_data(as_text=True))
    today = date.today().isoformat()
    first = {"consent_data_processing": "y", "consent_media": "y", "consent_recorded_on": today}
    assert client.post(url, data={**first, "version": old_version}).status_code == 302

    stale = client.post(
        url,
        data={"consent_data_processing": "y", "consent_recorded_on": today, "version": old_version},
    )

    assert stale.status_code == 409
    # A page without its snapshot: each answer that differs from the saved one is a choice.
    choice = re.search(
        r'<fieldset class="conflict-choice" data-field="consent_media">(.*?)</fieldset>',
        stale.get_data(as_text=True),
        re.S,
    ).group(1)
    assert "Yours: No" in choice and "Saved by your colleague: Yes" in choice
    media = [e for e in helpers.audit("consent.change") if e.changes["kind"]["after"] == "media"]
    assert media[-1].changes["given"] == {"before": False, "after": True}

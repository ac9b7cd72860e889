"""The training log pages: who may open them, what they show, and what a POST saves."""

from __future__ import annotations

import html
import re

import pytest

from heartbeat.training.models import PainSite, SessionKind, SessionSource
from tests.helpers import signed_in

FORM = {
    "date": "2025-05-01",
    "time": "09:30",
    "kind": "track",
    "distance": "5.2",
    "duration": "24:10",
    "rpe": "6",
    "pain": "2",
    "pain_site": "shoulder",
    "avg_hr": "130",
    "max_hr": "160",
    "cadence": "",
    "surface": "Track",
    "weather": "",
    "chair": "",
    "notes": "Felt strong",
    "event_name": "",
    "official_time": "",
    "place_in_class": "",
}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def staff(app, training):
    return signed_in(app, training.world.a.therapist.email)


@pytest.fixture
def other_staff(app, training):
    return signed_in(app, training.world.b.therapist.email)


@pytest.fixture
def pat(app, training):
    """Participant A's own login, linked to their record."""
    training.link(training.pid, training.world.a.participant)
    return signed_in(app, training.world.a.participant.email)


# --- the list -------------------------------------------------------------------------------------


def test_staff_see_a_participants_sessions_newest_first(staff, training):
    training.add(distance_m=450)
    training.add(distance_m=1700, started_at=training_start(days=2))
    page = text(staff.get(f"/participants/{training.pid}/sessions"))
    assert "Ada Lovelace: sessions" in page
    assert page.index("1.7 km") < page.index("450 m")
    assert "Log a session" in page and "Upload a device file" in page


def training_start(days: int):
    from datetime import timedelta

    from tests.training.conftest import START

    return START + timedelta(days=days)


def test_the_list_paginates(app, staff, training):
    training.add_many(30)
    first = text(staff.get(f"/participants/{training.pid}/sessions"))
    second = text(staff.get(f"/participants/{training.pid}/sessions?page=2"))
    assert "Page 1 of 2 (30 in all)" in first
    assert len(re.findall(r'<th scope="row" data-label="When">', first)) == 25
    assert len(re.findall(r'<th scope="row" data-label="When">', second)) == 5


def test_another_centres_participant_and_session_answer_404(other_staff, training):
    session_id = training.add()
    for url in (
        f"/participants/{training.pid}/sessions",
        f"/participants/{training.pid}/sessions/new",
        f"/participants/{training.pid}/sessions/upload",
        f"/sessions/{session_id}",
        f"/sessions/{session_id}/edit",
        f"/sessions/{session_id}/delete",
    ):
        assert other_staff.get(url).status_code == 404, url
    assert (
        other_staff.post(f"/sessions/{session_id}/delete", data={"version": "1"}).status_code == 404
    )
    assert other_staff.post(f"/sessions/{session_id}/edit", data=FORM).status_code == 404
    assert (
        other_staff.post(
            f"/participants/{training.pid}/sessions/verify", data={"session_id": session_id}
        ).status_code
        == 404
    )
    assert training.session(session_id) is not None


def test_a_participant_sees_their_own_log_but_nobody_elses(pat, training):
    own = training.add(distance_m=450)
    other = training.add(training.other_pid)
    page = text(pat.get(f"/participants/{training.pid}/sessions"))
    assert "My sessions" in page and "Log a session" not in page
    assert pat.get(f"/sessions/{own}").status_code == 200
    assert pat.get(f"/participants/{training.other_pid}/sessions").status_code == 404
    assert pat.get(f"/sessions/{other}").status_code == 404


def test_a_participant_cannot_use_staff_pages(pat, training):
    own = training.add()
    assert pat.get(f"/participants/{training.pid}/sessions/new").status_code == 403
    assert pat.post(f"/participants/{training.pid}/sessions/new", data=FORM).status_code == 403
    assert pat.get(f"/sessions/{own}/edit").status_code == 403
    assert pat.post(f"/sessions/{own}/delete", data={"version": "1"}).status_code == 403
    assert pat.get(f"/participants/{training.pid}/sessions/upload").status_code == 403
    assert pat.get("/sessions/import").status_code == 403
    assert pat.get("/sessions/waiting").status_code == 403
    assert training.session(own) is not None


# --- logging --------------------------------------------------------------------------------------


def test_staff_log_a_session_in_the_centres_units(staff, training):
    form = text(staff.get(f"/participants/{training.pid}/sessions/new"))
    assert "Distance (km)" in form
    response = staff.post(f"/participants/{training.pid}/sessions/new", data=FORM)
    assert response.status_code == 302
    [saved] = training.sessions()
    assert response.headers["Location"] == f"/sessions/{saved.id}"
    assert saved.distance_m == pytest.approx(5200)
    assert (saved.moving_time_s, saved.rpe, saved.pain_site) == (1450, 6, PainSite.SHOULDER)
    assert saved.source == SessionSource.STAFF and not saved.self_reported
    assert saved.recorded_by_id == training.world.a.therapist.id
    assert {"first-push", "one-lap", "one-mile", "5k"} <= training.award_codes()
    assert training.audit("session.create")


def test_a_miles_centre_takes_and_shows_miles(staff, training):
    training.set_units(training.world.a, "mi")
    assert "Distance (mi)" in text(staff.get(f"/participants/{training.pid}/sessions/new"))
    staff.post(f"/participants/{training.pid}/sessions/new", data={**FORM, "distance": "3.1"})
    [saved] = training.sessions()
    assert saved.distance_m == pytest.approx(3.1 * 1609.344)
    page = text(staff.get(f"/sessions/{saved.id}"))
    assert "3.1 mi (5.0 km)" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("distance", "-5", "The distance cannot be negative."),
        ("distance", "501", "more than 500 km"),
        ("duration", "49:00:00", "more than 48 hours"),
        ("avg_hr", "400", "between 25 and 250"),
        ("max_hr", "100", "cannot be below the average"),
        ("rpe", "11", "RPE is on the Borg CR10 scale: 0 to 10."),
        ("pain", "11", "Pain is scored from 0 to 10"),
        ("kind", "swimming", "Choose the kind of session: one of track"),
        ("date", "2099-01-01", "cannot be in the future"),
        ("event_name", "City Marathon", "Only a race has this"),
    ],
)
def test_bad_input_gets_field_errors_and_saves_nothing(staff, training, field, value, message):
    response = staff.post(f"/participants/{training.pid}/sessions/new", data={**FORM, field: value})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'href="#{field}"' in page, "the error summary links to the field"
    assert 'aria-invalid="true"' in page
    assert training.sessions() == []
    assert training.audit("session.create") == []


def test_a_form_missing_fields_reports_every_problem_at_once(staff, training):
    response = staff.post(f"/participants/{training.pid}/sessions/new", data={"distance": "-1"})
    assert response.status_code == 422
    page = text(response)
    for field in ("date", "time", "kind", "distance"):
        assert f'href="#{field}"' in page, field
    assert training.sessions() == []


# --- one session ----------------------------------------------------------------------------------


def test_the_session_page_shows_the_load_and_both_units(staff, training):
    pid = training.enrol(training.world.a, given_name="Lou", sci_level="T10", impairment="sci")
    session_id = training.add(
        pid, distance_m=5000, moving_time_s=1500, rpe=6, avg_hr=140, max_hr=170
    )
    page = text(staff.get(f"/sessions/{session_id}"))
    assert "5.0 km (3.1 mi)" in page
    assert "150" in page and "RPE 6 × 25:00" in page
    assert "5:00 /km" in page
    assert page.index('id="distance-title"') < page.index('id="effort-title"')
    assert "Read with care" not in page


def test_effort_leads_for_an_injury_at_or_above_t6(app, staff, training):
    pid = training.enrol(training.world.a, given_name="Tess", sci_level="T4", impairment="sci")
    session_id = training.add(pid, rpe=7, avg_hr=110, max_hr=125)
    page = text(staff.get(f"/sessions/{session_id}"))
    assert "blunts the heart-rate response" in page
    assert page.index('id="effort-title"') < page.index('id="distance-title"')
    assert "Read with care" in page
    listing = text(staff.get(f"/participants/{pid}/sessions"))
    header = listing[listing.index("<thead>") : listing.index("</thead>")]
    assert header.index("RPE") < header.index("Distance") < header.index("Heart rate")
    assert "heart rate (marked *) is unreliable" in listing


def test_heart_rate_comes_after_distance_otherwise(staff, training):
    pid = training.enrol(training.world.a, given_name="Lou", sci_level="T10", impairment="sci")
    training.add(pid)
    listing = text(staff.get(f"/participants/{pid}/sessions"))
    header = listing[listing.index("<thead>") : listing.index("</thead>")]
    assert header.index("Distance") < header.index("Heart rate") < header.index("RPE")


def test_a_race_shows_its_details(staff, training):
    session_id = training.add(
        kind=SessionKind.RACE,
        event_name="City 10K",
        official_time_s=1930,
        place_in_class=2,
        distance_m=10_000,
        moving_time_s=1930,
    )
    page = text(staff.get(f"/sessions/{session_id}"))
    assert "City 10K" in page and "32:10" in page and "Place in class" in page


# --- editing --------------------------------------------------------------------------------------


def test_the_edit_form_is_filled_and_saves_changes(staff, training):
    session_id = training.add(distance_m=450, moving_time_s=180, rpe=5)
    form = text(staff.get(f"/sessions/{session_id}/edit"))
    assert 'value="0.45"' in form and 'value="3:00"' in form
    response = staff.post(
        f"/sessions/{session_id}/edit",
        data={
            **FORM,
            "distance": "0.15",
            "duration": "3:00",
            "version": "1",
            "date": "2025-05-01",
            "time": "09:30",
        },
    )
    assert response.status_code == 302
    saved = training.session(session_id)
    assert (saved.distance_m, saved.version) == (150, 2)
    [event] = training.audit("session.update")
    assert event.changes["distance_m"] == {"before": 450, "after": 150}
    assert training.award_codes() == {"first-push"}


def test_an_untouched_distance_keeps_the_devices_exact_figure(staff, training):
    session_id = training.add(distance_m=5234.56, moving_time_s=1500, rpe=5)
    edit = {
        **FORM,
        "distance": "5.235",
        "duration": "25:00",
        "version": "1",
        "rpe": "7",
        "pain": "",
        "pain_site": "",
        "avg_hr": "",
        "max_hr": "",
        "surface": "",
        "notes": "",
    }
    assert staff.post(f"/sessions/{session_id}/edit", data=edit).status_code == 302
    saved = training.session(session_id)
    assert (saved.distance_m, saved.rpe) == (5234.56, 7)


def test_a_stale_edit_shows_what_changed_and_saves_nothing(app, staff, training):
    session_id = training.add(distance_m=450, rpe=5)
    other = signed_in(app, training.world.a.admin.email)
    base = {
        **FORM,
        "distance": "0.45",
        "duration": "3:00",
        "pain": "",
        "pain_site": "",
        "avg_hr": "",
        "max_hr": "",
        "surface": "",
        "notes": "",
        "version": "1",
    }
    assert other.post(f"/sessions/{session_id}/edit", data={**base, "rpe": "8"}).status_code == 302
    response = staff.post(f"/sessions/{session_id}/edit", data={**base, "rpe": "4"})
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this session while you were editing" in page
    assert 'data-field="rpe"' in page
    assert 'name="version" type="hidden" value="2"' in page
    assert training.session(session_id).rpe == 8
    # Saving again from the conflict page applies their values on purpose.
    assert (
        staff.post(
            f"/sessions/{session_id}/edit", data={**base, "rpe": "4", "version": "2"}
        ).status_code
        == 302
    )
    assert training.session(session_id).rpe == 4


# --- deleting -------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_and_withdraws_awards(staff, training):
    session_id = training.add(distance_m=450)
    confirm = staff.get(f"/sessions/{session_id}/delete")
    assert confirm.status_code == 200
    assert "Delete this session?" in text(confirm)
    assert training.session(session_id) is not None
    response = staff.post(f"/sessions/{session_id}/delete", data={"version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/participants/{training.pid}/sessions"
    assert training.session(session_id) is None
    assert training.award_codes() == set()
    assert training.audit("session.delete")


def test_delete_of_a_session_changed_meanwhile_asks_again(staff, training):
    session_id = training.add()
    response = staff.post(f"/sessions/{session_id}/delete", data={"version": "0"})
    assert response.status_code == 409
    assert "Someone changed this session a moment ago" in text(response)
    assert training.session(session_id) is not None


def test_deleting_needs_a_post(staff, training):
    session_id = training.add()
    staff.get(f"/sessions/{session_id}/delete")
    assert training.session(session_id) is not None


# --- self-reports ---------------------------------------------------------------------------------


SELF = {
    k: FORM[k]
    for k in ("date", "time", "kind", "distance", "duration", "rpe", "pain", "pain_site", "notes")
}


def test_self_reporting_is_refused_unless_the_centre_allows_it(pat, training):
    assert pat.get("/me/sessions/new").status_code == 403
    assert pat.post("/me/sessions/new", data=SELF).status_code == 403
    assert "/me/sessions/new" not in text(pat.get("/me"))
    assert training.sessions() == []


def test_a_participant_logs_their_own_session_when_allowed(pat, training):
    training.allow_self_report(training.world.a)
    assert 'href="/me/sessions/new">Log a session' in text(pat.get("/me"))
    assert pat.get("/me/sessions/new").status_code == 200
    response = pat.post("/me/sessions/new", data=SELF)
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    [saved] = training.sessions()
    assert saved.self_reported and saved.source == SessionSource.SELF_REPORT
    assert saved.verified_at is None
    assert training.award_codes() == set()
    assert "waiting for a therapist" in text(pat.get("/me"))


def test_self_report_errors_save_nothing(pat, training):
    training.allow_self_report(training.world.a)
    response = pat.post("/me/sessions/new", data={**SELF, "rpe": "11", "distance": "-1"})
    assert response.status_code == 422
    assert training.sessions() == []


def test_staff_cannot_use_the_self_report_form(staff, training):
    training.allow_self_report(training.world.a)
    assert staff.get("/me/sessions/new").status_code == 403


def test_staff_verify_self_reports_from_the_sessions_section(staff, training):
    ids = [
        training.add(source=SessionSource.SELF_REPORT, distance_m=d, started_at=training_start(i))
        for i, d in enumerate((120, 450))
    ]
    listing = text(staff.get(f"/participants/{training.pid}/sessions"))
    assert "Self-reported, waiting for verification" in listing
    response = staff.post(
        f"/participants/{training.pid}/sessions/verify", data={"session_id": [str(i) for i in ids]}
    )
    assert response.status_code == 302
    assert all(training.session(i).verified_at for i in ids)
    assert training.award_codes() == {"first-push", "one-lap"}
    assert "Self-reported, waiting" not in text(staff.get(f"/participants/{training.pid}/sessions"))


def test_the_centre_wide_waiting_list_verifies_several_at_once(staff, training):
    mine = training.add(source=SessionSource.SELF_REPORT)
    theirs = training.add(training.other_pid, source=SessionSource.SELF_REPORT)
    other_centre = training.add(training.b_pid, source=SessionSource.SELF_REPORT)
    page = text(staff.get("/sessions/waiting"))
    assert "Ada Lovelace" in page and "Bea Other" in page and "Cy Bravo" not in page
    response = staff.post(
        "/sessions/waiting", data={"session_id": [str(mine), str(theirs), str(other_centre)]}
    )
    assert response.status_code == 302
    assert training.session(mine).verified_at and training.session(theirs).verified_at
    assert training.session(other_centre).verified_at is None
    assert "Nothing is waiting" in text(staff.get("/sessions/waiting"))


# --- panels ---------------------------------------------------------------------------------------


def test_the_overview_shows_recent_sessions_and_actions(staff, training):
    training.add_many(12)
    page = text(staff.get(f"/participants/{training.pid}"))
    section = page[page.index('id="sessions"') :]
    assert "Recent sessions" in section
    assert len(re.findall(r'<li><a href="/sessions/\d+">', section)) == 5
    assert "All 12 sessions, page by page" in section
    assert f"/participants/{training.pid}/sessions/new" in section
    assert f"/participants/{training.pid}/sessions/upload" in section


def test_the_portal_panel_shows_their_sessions(pat, training):
    training.add(distance_m=450)
    page = text(pat.get("/me"))
    assert "Your sessions" in page and "450 m" in page

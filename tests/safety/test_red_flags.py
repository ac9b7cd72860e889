"""The red-flag path end to end: symptoms ticked on a session form -> the guidance at once ->
a red flag at the top of needs attention and on the participant's page -> a staff member
acknowledges it with a follow-up note -> the audit trail says who and when; the dashboard reports
how long it waited."""

from __future__ import annotations

import html
from datetime import timedelta

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety.models import RedFlag
from heartbeat.safety.rules import DEFAULT_GUIDANCE
from heartbeat.training.models import TrainingSession
from tests.helpers import signed_in
from tests.training.test_views import FORM, SELF

GUIDANCE_START = DEFAULT_GUIDANCE.split("\n\n")[0]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def flags(app) -> list[RedFlag]:
    with app.app_context():
        rows = db.session.scalars(sa.select(RedFlag).order_by(RedFlag.id)).all()
        db.session.expunge_all()
        return list(rows)


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.expunge_all()
        return list(rows)


def set_level(app, participant_id: int, level: str | None, impairment: str = "sci") -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Participant)
            .where(Participant.id == participant_id)
            .values(sci_level=level, impairment=impairment)
        )
        db.session.commit()


def test_the_checklist_and_its_guidance_are_offered_at_t6_and_above_only(app, staff, training):
    page = text(staff.get(f"/participants/{training.pid}/sessions/new"))
    assert "Any of these during or after the session?" in page
    assert 'value="headache"' in page and "Pounding headache" in page
    # The guidance is in the page from the start (js/app.js hides it until a box is ticked).
    assert GUIDANCE_START in page and "data-symptom-guidance" in page

    set_level(app, training.pid, "T7")
    page = text(staff.get(f"/participants/{training.pid}/sessions/new"))
    assert "Pounding headache" not in page and GUIDANCE_START not in page
    assert "A symptom was reported" in page  # the general flag stays for everyone

    set_level(app, training.pid, "T4", impairment="amputation")  # a level without SCI: no
    assert "Pounding headache" not in text(staff.get(f"/participants/{training.pid}/sessions/new"))


def test_symptom_to_flag_to_acknowledgement_to_audit(app, staff, training):
    # 1. Staff log a session with two symptoms ticked: the guidance comes next, at once.
    saved = staff.post(
        f"/participants/{training.pid}/sessions/new",
        data={**FORM, "ad_symptoms": ["headache", "flushing"]},
    )
    assert saved.status_code == 302, text(saved)
    [flag] = flags(app)
    assert saved.headers["Location"].endswith(f"/red-flags/{flag.id}")
    assert flag.symptoms == ["headache", "flushing"] and flag.open and not flag.self_reported
    [session] = training.sessions()
    assert session.symptom_reported and flag.session_id == session.id
    page = text(staff.get(saved.headers["Location"]))
    assert GUIDANCE_START in page
    assert "Pounding headache" in page and "Flushing or sweating above the injury level" in page

    # 2. The flag heads the caseload's needs attention and the participant's overview.
    caseload = text(staff.get("/participants"))
    assert "Red flags: symptoms reported" in caseload
    assert caseload.index("Red flags: symptoms reported") < caseload.index("Needs attention") + 400
    assert f"/red-flags/{flag.id}" in caseload
    overview = text(staff.get(f"/participants/{training.pid}"))
    assert "Symptoms reported, not yet acknowledged" in overview
    assert overview.index("Symptoms reported, not yet acknowledged") < overview.index("At a glance")
    [raised] = audit(app, "red_flag.raise")
    assert raised.actor_id == training.world.a.therapist.id
    assert raised.changes["symptoms"]["after"] == ["headache", "flushing"]

    # 3. Acknowledging needs a follow-up note.
    empty = staff.post(f"/red-flags/{flag.id}", data={"follow_up": " ", "version": "1"})
    assert empty.status_code == 422
    assert "Say what was done" in text(empty)
    assert flags(app)[0].open

    acked = staff.post(
        f"/red-flags/{flag.id}",
        data={"follow_up": "Sat up, emptied leg bag; BP settled to 120/80.", "version": "1"},
    )
    assert acked.status_code == 302
    [flag] = flags(app)
    assert not flag.open and flag.acknowledged_by_id == training.world.a.therapist.id
    assert flag.follow_up == "Sat up, emptied leg bag; BP settled to 120/80."

    # 4. The trail says who and when; the flag leaves needs attention and the overview.
    [event] = audit(app, "red_flag.acknowledge")
    assert (event.entity_type, event.entity_id) == ("red_flag", flag.id)
    assert event.actor_id == training.world.a.therapist.id
    assert event.changes["acknowledged_at"]["after"] == flag.acknowledged_at.isoformat()
    assert event.changes["follow_up"]["after"].startswith("Sat up")
    assert (
        "Red flags: symptoms reported"
        not in text(staff.get("/participants")).split("Nothing to flag")[0]
    )
    assert "not yet acknowledged" not in text(staff.get(f"/participants/{training.pid}"))
    # Acknowledging twice is refused with a message, and changes nothing.
    again = staff.post(f"/red-flags/{flag.id}", data={"follow_up": "again", "version": "2"})
    assert again.status_code in (403, 422)
    assert len(audit(app, "red_flag.acknowledge")) == 1


def test_a_self_report_with_a_symptom_shows_the_guidance_and_tells_the_team(app, pat, training):
    saved = pat.post("/me/sessions/new", data={**SELF, "ad_symptoms": ["vision"]})
    assert saved.status_code == 302, text(saved)
    [flag] = flags(app)
    assert flag.self_reported and flag.raised_by_id == training.world.a.participant.id
    page = text(pat.get(saved.headers["Location"]))
    assert GUIDANCE_START in page and "Your team has been told" in page
    assert "Acknowledge the red flag" not in page
    # The participant cannot acknowledge their own flag.
    refused = pat.post(f"/red-flags/{flag.id}", data={"follow_up": "fine", "version": "1"})
    assert refused.status_code == 403
    assert flags(app)[0].open
    assert "You reported symptoms" in text(pat.get("/me"))


def test_unknown_symptoms_are_refused_and_nothing_is_saved(app, staff, training):
    response = staff.post(
        f"/participants/{training.pid}/sessions/new", data={**FORM, "ad_symptoms": ["itching"]}
    )
    assert response.status_code == 422
    assert "Choose symptoms from the list." in text(response)
    assert training.sessions() == [] and flags(app) == []


def test_another_centre_and_another_participant_never_see_a_flag(app, staff, training):
    staff.post(f"/participants/{training.pid}/sessions/new", data={**FORM, "ad_symptoms": ["nose"]})
    [flag] = flags(app)
    other_staff = signed_in(app, training.world.b.therapist.email)
    assert other_staff.get(f"/red-flags/{flag.id}").status_code == 404
    assert other_staff.post(f"/red-flags/{flag.id}", data={"follow_up": "x"}).status_code == 404
    training.link(training.other_pid, training.world.a.other_participant)
    other = signed_in(app, training.world.a.other_participant.email)
    assert other.get(f"/red-flags/{flag.id}").status_code == 404


def test_the_clinical_lead_edits_the_guidance_and_it_shows_at_once(app, staff, training):
    admin = signed_in(app, training.world.a.admin.email)
    assert staff.get("/centre/safety-guidance").status_code == 403
    form = text(admin.get("/centre/safety-guidance"))
    assert GUIDANCE_START in form
    saved = admin.post(
        "/centre/safety-guidance",
        data={"text": "Sit up, loosen straps, call 999.\n\nPhone the ward: 0123.", "version": "0"},
    )
    assert saved.status_code == 302
    page = text(staff.get(f"/participants/{training.pid}/sessions/new"))
    assert "Phone the ward: 0123." in page and GUIDANCE_START not in page
    [event] = audit(app, "safety.guidance")
    assert event.changes["guidance"]["after"].startswith("Sit up")
    # The other centre still has the default.
    other = signed_in(app, training.world.b.admin.email)
    assert GUIDANCE_START in text(other.get("/centre/safety-guidance"))
    # Emptying it goes back to the default.
    admin.post("/centre/safety-guidance", data={"text": "", "version": "1"})
    assert GUIDANCE_START in text(staff.get(f"/participants/{training.pid}/sessions/new"))


def test_the_dashboard_reports_time_to_acknowledgement(app, staff, training):
    staff.post(f"/participants/{training.pid}/sessions/new", data={**FORM, "ad_symptoms": ["nose"]})
    [flag] = flags(app)
    staff.post(f"/red-flags/{flag.id}", data={"follow_up": "Called; fine now.", "version": "1"})
    with app.app_context():
        row = db.session.get(RedFlag, flag.id)
        row.acknowledged_at = row.raised_at + timedelta(minutes=42)
        db.session.commit()
    admin = signed_in(app, training.world.a.admin.email)
    page = text(admin.get("/dashboard"))
    assert "Red flags" in page and "42 minutes" in page


def test_deleting_the_session_keeps_the_flag(app, staff, training):
    staff.post(f"/participants/{training.pid}/sessions/new", data={**FORM, "ad_symptoms": ["nose"]})
    [session] = training.sessions()
    with app.app_context():
        db.session.delete(db.session.get(TrainingSession, session.id))
        db.session.commit()
    [flag] = flags(app)
    assert flag.session_id is None and flag.open


def test_the_edit_form_offers_the_checklist_and_a_tick_raises_a_new_flag(app, staff, training):
    """Symptoms remembered after the session was logged are reported on its edit form too."""
    session_id = training.add(distance_m=450, moving_time_s=180, rpe=5)
    page = text(staff.get(f"/sessions/{session_id}/edit"))
    assert "Any of these during or after the session?" in page
    assert 'value="headache"' in page and GUIDANCE_START in page
    assert "Already reported with this session" not in page

    edit = {**FORM, "distance": "0.45", "duration": "3:00", "rpe": "5", "version": "1"}
    saved = staff.post(f"/sessions/{session_id}/edit", data={**edit, "ad_symptoms": ["nose"]})
    assert saved.status_code == 302, text(saved)
    [flag] = flags(app)
    assert saved.headers["Location"].endswith(f"/red-flags/{flag.id}")
    assert flag.symptoms == ["nose"] and flag.session_id == session_id and flag.open
    assert not flag.self_reported
    assert training.session(session_id).symptom_reported
    [raised] = audit(app, "red_flag.raise")
    assert raised.actor_id == training.world.a.therapist.id

    # The edit form now lists the flag, and another tick raises another (the first stays).
    page = text(staff.get(f"/sessions/{session_id}/edit"))
    assert "Already reported with this session" in page
    assert f"/red-flags/{flag.id}" in page and "Stuffy (blocked) nose" in page
    version = str(training.session(session_id).version)
    again = staff.post(
        f"/sessions/{session_id}/edit",
        data={**edit, "version": version, "symptom_reported": "y", "ad_symptoms": ["headache"]},
    )
    assert again.status_code == 302, text(again)
    first, second = flags(app)
    assert again.headers["Location"].endswith(f"/red-flags/{second.id}")
    assert (first.symptoms, second.symptoms) == (["nose"], ["headache"])

    # An unknown symptom is refused, and nothing is saved or raised.
    version = str(training.session(session_id).version)
    refused = staff.post(
        f"/sessions/{session_id}/edit",
        data={**edit, "version": version, "rpe": "9", "ad_symptoms": ["fainting"]},
    )
    assert refused.status_code == 422
    assert len(flags(app)) == 2 and training.session(session_id).rpe == 5


def test_the_edit_form_has_no_checklist_below_t6(app, staff, training):
    set_level(app, training.pid, "T7")
    session_id = training.add(distance_m=450, moving_time_s=180, rpe=5)
    page = text(staff.get(f"/sessions/{session_id}/edit"))
    assert "Pounding headache" not in page and "A symptom was reported" in page
    edit = {**FORM, "distance": "0.45", "duration": "3:00", "version": "1"}
    saved = staff.post(f"/sessions/{session_id}/edit", data={**edit, "ad_symptoms": ["nose"]})
    assert saved.status_code == 302 and flags(app) == []

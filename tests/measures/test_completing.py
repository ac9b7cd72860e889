"""Completing measures: WUSPI one question per screen (saved as you go), staff on a
participant's behalf, bad input refused with nothing partial saved as complete, due and overdue
on the pages, a real WUSPI rise in needs attention, and admin-defined measures."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.measures.instruments import WUSPI_CODE
from heartbeat.measures.models import Measure, MeasureResponse
from tests.helpers import signed_in


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def wuspi_id(app, centre_id: int) -> int:
    with app.app_context():
        from heartbeat.measures.services import ensure_built_in

        ensure_built_in(centre_id)
        db.session.commit()
        return db.session.scalar(
            sa.select(Measure.id).where(Measure.centre_id == centre_id, Measure.code == WUSPI_CODE)
        )


def responses(app) -> list[MeasureResponse]:
    with app.app_context():
        rows = db.session.scalars(sa.select(MeasureResponse).order_by(MeasureResponse.id)).all()
        db.session.expunge_all()
        return list(rows)


def complete_wuspi(client, participant_id: int, measure_id: int, answers: list[str]) -> str:
    started = client.post(f"/participants/{participant_id}/measures/{measure_id}/start")
    assert started.status_code == 302, text(started)
    location = started.headers["Location"]
    for number, value in enumerate(answers, start=1):
        assert location.endswith(f"/questions/{number}"), location
        saved = client.post(location, data={"value": value})
        assert saved.status_code == 302, text(saved)
        location = saved.headers["Location"]
    review = client.get(location, follow_redirects=True)
    assert "Check your answers" in text(review)
    response_id = int(re.search(r"/responses/(\d+)/", location).group(1))
    version = re.search(r'name="version"[^>]*value="(\d+)"', review.get_data(as_text=True))
    done = client.post(
        f"/measures/responses/{response_id}/review",
        data={"version": version.group(1) if version else "1"},
    )
    assert done.status_code == 302, text(done)
    return done.headers["Location"]


def test_a_participant_completes_the_wuspi_one_question_at_a_time(app, pat, training):
    mid = wuspi_id(app, training.world.a.centre.id)
    page = text(pat.get("/me/measures"))
    assert "Wheelchair User's Shoulder Pain Index (WUSPI)" in page
    assert "Wheelchair skills checklist" not in page  # staff score that one
    started = pat.post(f"/participants/{training.pid}/measures/{mid}/start")
    first = text(pat.get(started.headers["Location"]))
    assert "Question 1 of 15" in first and "Transfer from bed to wheelchair" in first
    # Tiles, not a slider: eleven radio buttons 0-10 and "did not do this".
    assert len(re.findall(r'type="radio" name="value"', first)) == 12
    assert 'type="range"' not in first

    # Save as you go: two answers, then leave and come back to question 3.
    location = started.headers["Location"]
    for value in ("3", "none"):
        location = pat.post(location, data={"value": value}).headers["Location"]
    [response] = responses(app)
    assert response.completed_at is None
    again = pat.post(f"/participants/{training.pid}/measures/{mid}/start")
    assert again.headers["Location"].endswith("/questions/3")
    assert len(responses(app)) == 1  # the same response continued

    # An answer off the scale is refused with a message; nothing moves on.
    bad = pat.post(again.headers["Location"], data={"value": "11"})
    assert bad.status_code == 422 and "Answers go from 0 to 10." in text(bad)
    blank = pat.post(again.headers["Location"], data={})
    assert blank.status_code == 422 and "Choose one of the answers." in text(blank)

    # Submitting before every question is answered is refused; nothing is marked complete.
    early = pat.post(f"/measures/responses/{response.id}/review", data={"version": "1"})
    assert early.status_code == 422 and "Answer every question first" in text(early)
    assert responses(app)[0].completed_at is None

    location = again.headers["Location"]
    for _ in range(13):
        location = pat.post(location, data={"value": "2"}).headers["Location"]
    assert location.endswith("/questions/0")
    version = responses(app)[0].version
    done = pat.post(f"/measures/responses/{response.id}/review", data={"version": str(version)})
    assert done.status_code == 302
    [response] = responses(app)
    # 3 + 13 x 2 = 29 over 14 activities done: 29 x 15 / 14 = 31.1
    assert response.completed_at is not None and response.total == 31.1
    assert not response.on_behalf
    assert "31.1" in text(pat.get(done.headers["Location"]))

    # Submitted twice: refused, nothing changes.
    twice = pat.post(f"/measures/responses/{response.id}/review", data={"version": "1"})
    assert twice.status_code == 302
    assert len(responses(app)) == 1 and responses(app)[0].total == 31.1
    changed = pat.post(f"/measures/responses/{response.id}/questions/1", data={"value": "9"})
    assert changed.status_code == 302 and responses(app)[0].total == 31.1


def test_staff_complete_it_on_the_participants_behalf_and_it_is_recorded(app, staff, training):
    mid = wuspi_id(app, training.world.a.centre.id)
    complete_wuspi(staff, training.pid, mid, ["1"] * 15)
    [response] = responses(app)
    assert response.on_behalf and response.total == 15
    assert response.completed_by_id == training.world.a.therapist.id
    page = text(staff.get(f"/participants/{training.pid}/measures"))
    assert "on their behalf" in page and "15.0" in page
    with app.app_context():
        [event] = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "measure.complete")
        ).all()
        assert event.changes["on_behalf"]["after"] is True


def test_a_participant_cannot_score_a_staff_checklist_or_anothers_response(app, pat, training):
    with app.app_context():
        from heartbeat.measures.services import ensure_built_in

        ensure_built_in(training.world.a.centre.id)
        db.session.commit()
        skills = db.session.scalar(
            sa.select(Measure.id).where(Measure.code == "wheelchair-skills").limit(1)
        )
    assert pat.post(f"/participants/{training.pid}/measures/{skills}/start").status_code == 403
    assert (
        pat.post(f"/participants/{training.other_pid}/measures/{skills}/start").status_code == 404
    )


def test_due_overdue_and_a_real_wuspi_rise_reach_needs_attention(app, staff, training):
    mid = wuspi_id(app, training.world.a.centre.id)
    caseload = text(staff.get("/participants"))
    assert "Questionnaires and checklists due" in caseload  # never done since enrolment
    complete_wuspi(staff, training.pid, mid, ["2"] * 15)  # 30
    complete_wuspi(staff, training.pid, mid, ["2"] * 10 + ["3"] * 5)  # 35: +5.0, not real
    assert (
        "Outcome measure worse by a real change"
        not in text(staff.get("/participants")).split("Nothing to flag")[0]
    )
    complete_wuspi(staff, training.pid, mid, ["3"] * 15 + [])  # 45: +10 from 35
    with app.app_context():
        # Spread them out in time: the two latest are what counts.
        rows = db.session.scalars(sa.select(MeasureResponse).order_by(MeasureResponse.id)).all()
        for n, row in enumerate(rows):
            row.completed_at = utcnow() - timedelta(days=60 - 28 * n)
        db.session.commit()
    caseload = text(staff.get("/participants"))
    assert "Outcome measure worse by a real change" in caseload
    assert "35.0 → 45.0" in caseload
    page = text(staff.get(f"/participants/{training.pid}/measures"))
    assert "Real rise" in page


def test_an_admin_defines_a_measure_and_cannot_define_one_without_items(app, training):
    admin = signed_in(app, training.world.a.admin.email)
    form = {
        "title": "Fatigue check",
        "instructions": "",
        "completed_by": "participant",
        "scale": "0-4",
        "scoring": "sum",
        "items": "  \n ",
        "due_after_days": "14",
        "overdue_after_days": "21",
        "smallest_real_change": "",
    }
    refused = admin.post("/centre/measures/new", data=form)
    assert refused.status_code == 422 and "Add at least one item" in text(refused)
    saved = admin.post(
        "/centre/measures/new", data={**form, "items": "Tired on waking\nTired after a push\n"}
    )
    assert saved.status_code == 302
    with app.app_context():
        measure = db.session.scalar(sa.select(Measure).where(Measure.title == "Fatigue check"))
        measure_id = measure.id
    assert "Fatigue check" in text(admin.get("/centre/measures"))
    # Answered once: deleting is refused (retire instead), retiring works.
    staff = signed_in(app, training.world.a.therapist.email)
    started = staff.post(f"/participants/{training.pid}/measures/{measure_id}/start")
    staff.post(started.headers["Location"], data={"value": "2"})
    refused = admin.post(f"/centre/measures/{measure_id}/delete")
    assert refused.status_code == 422 and "retire it instead" in text(refused)
    admin.post(f"/centre/measures/{measure_id}/retire")
    with app.app_context():
        assert db.session.get(Measure, measure_id).retired_at is not None


def test_wuspi_is_charted_with_its_real_change_band_and_a_data_table(app, staff, training):
    mid = wuspi_id(app, training.world.a.centre.id)
    complete_wuspi(staff, training.pid, mid, ["2"] * 15)  # 30
    complete_wuspi(staff, training.pid, mid, ["3"] * 15)  # 45
    with app.app_context():
        rows = db.session.scalars(sa.select(MeasureResponse).order_by(MeasureResponse.id)).all()
        rows[0].completed_at = utcnow() - timedelta(days=40)
        db.session.commit()
    page = text(staff.get(f"/participants/{training.pid}/progress"))
    assert "Outcome measures over time" in page
    assert 'id="measure-' in page and "±5.1 of the first result: no real change" in page
    assert "Weekly distance" in page or "Distance per week" in page  # beside distance
    table = page[page.index("each result") :]
    assert "30.0" in table and "45.0" in table and "real rise" in table

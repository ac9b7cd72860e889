"""Squad sessions: eight people in one submit, each a session of their own; one bad row and
nothing is saved, the row shown; absences recorded; saved squads versioned."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.extensions import db
from heartbeat.plans.models import Squad, SquadAttendance, SquadSession
from heartbeat.training.models import TrainingSession
from tests.helpers import signed_in


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return found.group(1) if found else ""


def _squad_of_eight(plans):
    return [plans.pid, plans.other_pid] + [
        plans.enrol(plans.world.a, given_name=f"P{n}", family_name=f"Squad{n}") for n in range(6)
    ]


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)),
            db.session.scalar(sa.select(sa.func.count()).select_from(SquadSession)),
            db.session.scalar(sa.select(sa.func.count()).select_from(SquadAttendance)),
        )


def test_eight_people_in_one_submit_defaults_copied_down(app, plans, world):
    people = _squad_of_eight(plans)
    therapist = signed_in(app, world.a.therapist)
    query = "&".join(f"participant={pid}" for pid in people)
    page = therapist.get(f"/plans/squad-sessions/new?{query}")
    assert page.status_code == 200 and page.data.count(b'name="attended-') == 8
    day = (date.today() - timedelta(days=1)).isoformat()
    data = {
        "csrf_token": _csrf(page.data.decode()),
        "participant": [str(p) for p in people],
        "date": day,
        "time": "18:00",
        "kind": "track",
        "place": "Riverside track",
        "distance": "3",
        "duration": "20:00",
        "rpe": "5",
    }
    for pid in people[:7]:
        data[f"attended-{pid}"] = "y"
    data[f"distance-{people[1]}"] = "4.2"  # one row of its own
    data[f"pain-{people[2]}"] = "3"
    saved = therapist.post("/plans/squad-sessions/new", data=data)
    assert saved.status_code == 302, saved.data.decode()[-3000:]
    with app.app_context():
        sessions = db.session.scalars(sa.select(TrainingSession)).all()
        by_person = {s.participant_id: s for s in sessions}
        assert len(sessions) == 7 and people[7] not in by_person
        assert by_person[people[0]].distance_m == 3000 and by_person[people[0]].rpe == 5
        assert by_person[people[1]].distance_m == 4200
        assert by_person[people[2]].pain == 3
        absent = db.session.scalars(
            sa.select(SquadAttendance).where(SquadAttendance.attended.is_(False))
        ).all()
        assert [a.participant_id for a in absent] == [people[7]]
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "session.create")
            )
            == 7
        )
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "squad_session.record")
            )
            == 1
        )


def test_one_bad_row_saves_nothing_and_shows_the_row(app, plans, world):
    people = _squad_of_eight(plans)
    therapist = signed_in(app, world.a.therapist)
    page = therapist.get(
        "/plans/squad-sessions/new?" + "&".join(f"participant={p}" for p in people)
    )
    data = {
        "csrf_token": _csrf(page.data.decode()),
        "participant": [str(p) for p in people],
        "date": date.today().isoformat(),
        "time": "07:00",
        "kind": "track",
        "distance": "2",
        "rpe": "4",
    }
    for pid in people:
        data[f"attended-{pid}"] = "y"
    data[f"distance-{people[3]}"] = "lots"
    del data[f"attended-{people[5]}"]
    data[f"distance-{people[5]}"] = "2"  # absent, with a distance
    refused = therapist.post("/plans/squad-sessions/new", data=data)
    assert refused.status_code == 422
    html = refused.data.decode()
    assert "Nothing was saved" in html
    assert f'id="row-{people[3]}" class="row-error"' in html
    assert f'id="row-{people[5]}" class="row-error"' in html
    assert "Marked absent, but a distance" in html
    assert 'value="lots"' in html  # what was typed is kept
    assert _counts(app) == (0, 0, 0)


def test_a_saved_squad_fills_the_form_and_is_versioned(app, plans, world):
    therapist = signed_in(app, world.a.therapist)
    page = therapist.get("/plans/squads/new")
    assert page.status_code == 200
    saved = therapist.post(
        "/plans/squads/new",
        data={
            "csrf_token": _csrf(page.data.decode()),
            "name": "Tuesday track",
            "kind": "track",
            "place": "Riverside track",
            "meets_weekday": "1",
            "meets_at": "18:30",
            "members": [str(plans.pid), str(plans.other_pid)],
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        squad = db.session.scalars(sa.select(Squad)).one()
        squad_id = squad.id
    form = therapist.get(f"/plans/squad-sessions/new?squad={squad_id}")
    assert form.data.count(b'name="attended-') == 2 and b"Riverside track" in form.data
    edit = therapist.get(f"/plans/squads/{squad_id}/edit")
    assert edit.status_code == 200
    stale = therapist.post(
        f"/plans/squads/{squad_id}/edit",
        data={
            "csrf_token": _csrf(edit.data.decode()),
            "version": "0",
            "name": "Tuesday track",
            "kind": "road",
            "members": [str(plans.pid)],
        },
    )
    assert stale.status_code == 409
    # another centre sees no such squad
    assert (
        signed_in(app, world.b.therapist).get(f"/plans/squads/{squad_id}/edit").status_code == 404
    )

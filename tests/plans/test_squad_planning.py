"""Saved squads deleted (their past sessions kept), and one-off squad sessions planned ahead:
in the members' and therapists' calendar feeds, recorded later from a filled-in form."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import PlannedSquadSession, Squad, SquadAttendance, SquadSession
from heartbeat.plans.services import squads
from heartbeat.training.models import SessionKind, TrainingSession
from tests.helpers import signed_in
from tests.training.conftest import session_values


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    return found.group(1) if found else ""


def _squad(app, plans, world) -> int:
    with app.app_context():
        therapist = db.session.get(User, world.a.therapist.id)
        people = [db.session.get(Participant, pid) for pid in (plans.pid, plans.other_pid)]
        squad = squads.save_squad(
            world.a.centre.id,
            actor=therapist,
            values={"name": "Saturday skills", "place": "Car park", "kind": SessionKind.SKILLS},
            members=people,
        )
        db.session.commit()
        return squad.id


def test_deleting_a_squad_keeps_its_past_sessions(app, plans, world):
    squad_id = _squad(app, plans, world)
    with app.app_context():
        squad = db.session.get(Squad, squad_id)
        person = db.session.get(Participant, plans.pid)
        started = datetime.now(UTC) - timedelta(days=2)
        squads.record_squad_session(
            world.a.centre.id,
            actor=db.session.get(User, world.a.therapist.id),
            started_at=started,
            kind=SessionKind.SKILLS,
            place="Car park",
            squad=squad,
            rows=[
                squads.Row(
                    person, True, session_values(started_at=started, kind=SessionKind.SKILLS)
                )
            ],
        )
        db.session.commit()
    therapist = signed_in(app, world.a.therapist)
    assert f"/plans/squads/{squad_id}/delete".encode() in therapist.get("/plans/squads").data
    assert signed_in(app, world.b.therapist).get(
        f"/plans/squads/{squad_id}/delete"
    ).status_code == (404)
    confirm = therapist.get(f"/plans/squads/{squad_id}/delete")
    assert confirm.status_code == 200 and b"1 past squad session" in confirm.data
    done = therapist.post(
        f"/plans/squads/{squad_id}/delete", data={"csrf_token": _csrf(confirm.data.decode())}
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Squad, squad_id) is None
        group = db.session.scalars(sa.select(SquadSession)).one()
        assert group.squad_id is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SquadAttendance)) == 1
        assert db.session.scalars(sa.select(TrainingSession)).one().kind == SessionKind.SKILLS
    assert plans.audit("squad.delete")


def test_a_planned_squad_session_is_in_the_feeds_and_recorded_from_a_filled_form(app, plans, world):
    squad_id = _squad(app, plans, world)
    plans.link(plans.pid, world.a.participant)
    therapist = signed_in(app, world.a.therapist)
    form = therapist.get(f"/plans/squads/{squad_id}/plan")
    assert form.status_code == 200 and b"Car park" in form.data
    past = therapist.post(
        f"/plans/squads/{squad_id}/plan",
        data={
            "csrf_token": _csrf(form.data.decode()),
            "date": (date.today() - timedelta(days=3)).isoformat(),
            "time": "10:00",
            "kind": "skills",
            "place": "Car park",
        },
    )
    assert past.status_code == 422
    day = date.today() + timedelta(days=3)
    saved = therapist.post(
        f"/plans/squads/{squad_id}/plan",
        data={
            "csrf_token": _csrf(form.data.decode()),
            "date": day.isoformat(),
            "time": "10:30",
            "kind": "skills",
            "place": "Car park",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        planned = db.session.scalars(sa.select(PlannedSquadSession)).one()
        planned_id = planned.id
    assert plans.audit("squad.plan_session")
    # in the member's feed and in the therapist's
    for client in (signed_in(app, world.a.participant), therapist):
        page = client.get("/account")
        made = client.post("/account/calendar", data={"csrf_token": _csrf(page.data.decode())})
        address = re.search(r'id="feed-address">([^<]+)<', made.data.decode()).group(1)
        feed = app.test_client().get("/calendar/" + address.split("/calendar/", 1)[1])
        events = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
        ours = [e for e in events if str(e["uid"]) == f"planned-squad-{planned_id}@heartbeat-miles"]
        assert len(ours) == 1 and "Saturday skills" in str(ours[0]["summary"])
        assert str(ours[0]["location"]) == "Car park"
    # recording it: the form comes filled in, and saving marks it recorded
    listing = therapist.get("/plans/squads")
    assert f"planned={planned_id}".encode() in listing.data
    record = therapist.get(f"/plans/squad-sessions/new?planned={planned_id}")
    html = record.data.decode()
    assert record.status_code == 200 and html.count('name="attended-') == 2
    assert f'value="{day.isoformat()}"' in html and 'value="10:30"' in html
    assert re.search(r'<option (selected )?value="skills"( selected)?[^>]*>', html)
    assert re.search(r'<option[^>]*selected[^>]*value="skills"|value="skills"[^>]*selected', html)
    # (the day is ahead, so the sessions cannot be saved yet: the link is what matters here)
    with app.app_context():
        row = db.session.get(PlannedSquadSession, planned_id)
        person = db.session.get(Participant, plans.pid)
        started = datetime.now(UTC) - timedelta(hours=1)
        group = squads.record_squad_session(
            world.a.centre.id,
            actor=db.session.get(User, world.a.therapist.id),
            started_at=started,
            kind=SessionKind.SKILLS,
            place="Car park",
            squad=db.session.get(Squad, squad_id),
            rows=[squads.Row(person, True, session_values(started_at=started))],
            planned=row,
        )
        db.session.commit()
        assert db.session.get(PlannedSquadSession, planned_id).squad_session_id == group.id
    assert f"planned={planned_id}".encode() not in therapist.get("/plans/squads").data


def test_a_planned_session_is_called_off(app, plans, world):
    squad_id = _squad(app, plans, world)
    with app.app_context():
        row = squads.plan_squad_session(
            db.session.get(Squad, squad_id),
            actor=db.session.get(User, world.a.therapist.id),
            starts_at=datetime.now(UTC) + timedelta(days=2),
            kind=SessionKind.SKILLS,
            place=None,
        )
        db.session.commit()
        row_id = row.id
    therapist = signed_in(app, world.a.therapist)
    path = f"/plans/planned-squad-sessions/{row_id}/cancel"
    assert signed_in(app, world.b.therapist).get(path).status_code == 404
    confirm = therapist.get(path)
    assert confirm.status_code == 200 and b"Call it off" in confirm.data
    assert therapist.post(path, data={"csrf_token": _csrf(confirm.data.decode())}).status_code == (
        302
    )
    with app.app_context():
        assert db.session.get(PlannedSquadSession, row_id) is None
    assert plans.audit("squad.cancel_session")


def test_recording_a_planned_session_through_the_form_marks_it_recorded(app, plans, world):
    squad_id = _squad(app, plans, world)
    started = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    with app.app_context():
        row = squads.plan_squad_session(
            db.session.get(Squad, squad_id),
            actor=db.session.get(User, world.a.therapist.id),
            starts_at=started,
            kind=SessionKind.SKILLS,
            place="Car park",
            now=started - timedelta(days=1),
        )
        db.session.commit()
        row_id = row.id
    therapist = signed_in(app, world.a.therapist)
    page = therapist.get(f"/plans/squad-sessions/new?planned={row_id}")
    html = page.data.decode()
    assert f'name="planned" value="{row_id}"' in html
    date_value = re.search(r'name="date"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="date"', html
    )
    time_value = re.search(r'name="time"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="time"', html
    )
    data = {
        "csrf_token": _csrf(html),
        "planned": str(row_id),
        "squad": str(squad_id),
        "participant": [str(plans.pid), str(plans.other_pid)],
        "date": date_value.group(1),
        "time": time_value.group(1),
        "kind": "skills",
        "place": "Car park",
        "distance": "1",
        "duration": "20:00",
        "rpe": "4",
        f"attended-{plans.pid}": "y",
    }
    saved = therapist.post("/plans/squad-sessions/new", data=data)
    assert saved.status_code == 302, saved.data.decode()[-2000:]
    with app.app_context():
        group = db.session.scalars(sa.select(SquadSession)).one()
        assert db.session.get(PlannedSquadSession, row_id).squad_session_id == group.id
        assert group.squad_id == squad_id and group.kind == SessionKind.SKILLS

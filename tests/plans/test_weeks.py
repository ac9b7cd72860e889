"""The week view: planned beside done, compliance by plan week, the participant's own page
leading with this week and one tap to log a planned session (pre-filled)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import Plan, Unavailability
from heartbeat.plans.services import assigning, weeks
from heartbeat.training.models import SessionKind, TrainingSession
from tests.helpers import signed_in
from tests.plans.conftest import LONDON, MONDAY


def _weeks(app, plan_id, today):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        view = weeks.plan_weeks(plan, LONDON, today)
        return view, [(w.number, w.ratio, w.band.label, w.counted) for w in view.weeks]


def test_compliance_follows_what_was_done(plans, app):
    plan_id = plans.assign()
    planned = [p for p in plans.planned(plan_id) if p.on < MONDAY + timedelta(weeks=1)]
    # Week 1: skills 20 min (Mon), strength 30 min (Tue), rollers 20 min (Thu), strength (Fri),
    # track 1,600 m (Sat). Done: all on the day except rollers a day late; the long push short.
    plans.log(MONDAY, SessionKind.SKILLS, moving_time_s=20 * 60, distance_m=3000)
    plans.log(MONDAY + timedelta(days=1), SessionKind.STRENGTH, moving_time_s=30 * 60, distance_m=0)
    plans.log(MONDAY + timedelta(days=4), SessionKind.ROLLER, moving_time_s=20 * 60)
    plans.log(MONDAY + timedelta(days=4), SessionKind.STRENGTH, moving_time_s=30 * 60, distance_m=0)
    plans.log(MONDAY + timedelta(days=5), SessionKind.TRACK, distance_m=800, moving_time_s=400)
    view, rows = _weeks(app, plan_id, MONDAY + timedelta(weeks=1))
    week = view.weeks[0]
    assert len(week.matches) == len(planned) == 5
    # four time targets all met (1.0), one distance target half done (0.5): 0.8 * 1 + 0.2 * 0.5
    assert rows[0][1] == 0.9 and rows[0][2] == "On plan" and rows[0][3] == 5
    # the rollers session done on Friday matched Thursday's plan (nearest day, same kind)
    thursday = next(p for p in week.planned if p.kind == SessionKind.ROLLER)
    assert week.matches[thursday.id].started_at.astimezone(LONDON).date() == MONDAY + timedelta(
        days=4
    )
    # week 2, nothing done and a week later: off plan, and two missed in a row
    view, rows = _weeks(app, plan_id, MONDAY + timedelta(weeks=2))
    assert rows[1][1] == 0.0 and rows[1][2] == "Off plan"


def test_unavailable_days_leave_their_sessions_out(plans, app):
    plan_id = plans.assign()
    with app.app_context():
        participant = db.session.get(Participant, plans.pid)
        assigning.mark_unavailable(
            participant,
            MONDAY,
            MONDAY + timedelta(days=6),
            Unavailability.ILLNESS,
            actor=plans.therapist(participant.centre_id),
        )
        db.session.commit()
    _, rows = _weeks(app, plan_id, MONDAY + timedelta(weeks=1))
    assert rows[0][1] is None and rows[0][2] == "Nothing planned yet"
    assert plans.audit("plan.unavailable")


def test_no_plan_means_no_week_view(plans, app):
    with app.app_context():
        assert weeks.shown_plan(plans.pid, MONDAY) is None


def test_a_paused_plan_stops_counting(plans, app):
    plan_id = plans.assign()
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assigning.set_status(
            plan,
            plan.status.__class__("paused"),
            actor=plans.therapist(plan.centre_id),
            today=MONDAY + timedelta(weeks=1),
            expected_version=plan.version,
        )
        db.session.commit()
    _, rows = _weeks(app, plan_id, MONDAY + timedelta(weeks=4))
    assert rows[0][1] == 0.0  # week 1 still counts (nothing done)
    assert all(ratio is None for _, ratio, _, _ in rows[1:])


def _this_monday() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday())


def _allow_self_report(app, world):
    with app.app_context():
        db.session.get(Centre, world.a.centre.id).allow_self_report = True
        db.session.commit()


def test_the_participant_page_leads_with_this_week_and_logs_a_planned_session(plans, app, world):
    _allow_self_report(app, world)
    plans.link(plans.pid, world.a.participant)
    plan_id = plans.assign(starts_on=_this_monday())
    portal = signed_in(app, world.a.participant)
    page = portal.get("/me")
    assert page.status_code == 200
    html = page.data.decode()
    assert "This week's plan" in html
    assert html.index("This week's plan") < html.index("Your sessions")
    # one tap: the Log link of an open planned session, due today or earlier
    today = date.today()
    due = [p for p in plans.planned(plan_id) if p.on <= today and p.on >= _this_monday()]
    if not due:  # early on a Monday the first session may be today: there always is one
        return
    link = re.search(r'href="(/me/plan/(\d+)/log)"', html)
    assert link, "a Log it button"
    form = portal.get(link.group(1))
    assert form.status_code == 200
    row = next(p for p in due if p.id == int(link.group(2)))
    assert (
        f'value="{row.kind.value}" selected' in form.data.decode()
        or "selected" in form.data.decode()
    )
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.data.decode())
    data = {
        "csrf_token": token.group(1) if token else "",
        "date": row.on.isoformat(),
        "time": "10:00",
        "kind": row.kind.value,
        "distance": "1.6" if row.target_distance_m else "",
        "duration": "20:00" if row.target_duration_s else "",
        "rpe": str(row.target_rpe),
    }
    saved = portal.post(link.group(1), data=data)
    assert saved.status_code == 302
    with app.app_context():
        session = db.session.scalars(
            sa.select(TrainingSession).where(TrainingSession.participant_id == plans.pid)
        ).one()
        assert session.self_reported and session.kind == row.kind
    view, _ = _weeks(app, plan_id, today)
    assert row.id in view.current.matches
    # someone else's planned session is not found
    other = signed_in(app, world.a.other_participant)
    assert other.get(link.group(1)).status_code in (403, 404)


def test_staff_week_view_is_bounded_in_queries(plans, app, world, query_counter):
    plan_id = plans.assign(starts_on=_this_monday() - timedelta(weeks=2))
    for n in range(14):
        plans.log(
            _this_monday() - timedelta(weeks=2) + timedelta(days=n), SessionKind.TRACK, at=time(9)
        )
    therapist = signed_in(app, world.a.therapist)
    therapist.get(f"/participants/{plans.pid}/plan")
    with query_counter() as few:
        page = therapist.get(f"/participants/{plans.pid}/plan")
    assert page.status_code == 200 and b"Week 3" in page.data
    for n in range(14, 21):
        plans.log(_this_monday() - timedelta(weeks=2) + timedelta(days=n), SessionKind.ROAD)
    with query_counter() as more:
        therapist.get(f"/participants/{plans.pid}/plan")
    assert len(more) == len(few) <= 20
    assert plan_id

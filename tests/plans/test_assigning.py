"""Assigning a plan: copied from the template with real dates, bad starts refused, adjusted for
one person with the stale-edit rules, paused and ended, all audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.core.edits import StaleEdit
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import Plan, PlannedSession, PlanStatus, PlanTemplate, TemplateSession
from heartbeat.plans.services import assigning
from heartbeat.plans.values import PlanInputError
from tests.plans.conftest import ENROLLED, MONDAY


def test_a_plan_copies_the_template_with_dates_from_the_start(plans):
    plan_id = plans.assign()
    plan = plans.plan(plan_id)
    rows = plans.planned(plan_id)
    assert plan.weeks == 8 and plan.status == PlanStatus.ACTIVE
    assert len(rows) == 40
    assert rows[0].on == MONDAY and rows[-1].on == MONDAY + timedelta(weeks=7, days=5)
    assert all(MONDAY <= row.on <= plan.last_day for row in rows)
    events = plans.audit("plan.assign")
    assert events and events[-1].changes["planned_sessions"]["after"] == 40


def test_heart_rate_zones_are_left_out_at_t6_and_above(plans, app):
    # The default participant (tests/participants) has an SCI at T4.
    rows = plans.planned(plans.assign())
    assert all(row.hr_zone is None for row in rows)
    with app.app_context():
        db.session.get(Participant, plans.other_pid).sci_level = "L1"
        db.session.commit()
    rows = plans.planned(plans.assign(plans.other_pid))
    assert any(row.hr_zone == 2 for row in rows)
    assert all(row.target_rpe is not None for row in rows)


def _assign(app, plans, participant_id, starts_on, template_id=None):
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        template = db.session.get(PlanTemplate, template_id or plans.template_id())
        rows = db.session.scalars(
            sa.select(TemplateSession).where(TemplateSession.template_id == template.id)
        ).all()
        return assigning.assign_plan(
            participant,
            template,
            list(rows),
            starts_on=starts_on,
            actor=plans.therapist(participant.centre_id),
        )


def test_a_start_before_enrolment_is_refused(plans, app):
    with pytest.raises(PlanInputError) as refused:
        _assign(app, plans, plans.pid, ENROLLED - timedelta(days=1))
    assert "enrolled on" in refused.value.field_errors["starts_on"]


def test_overlapping_plans_are_refused_and_a_plan_after_the_end_is_not(plans, app):
    plan_id = plans.assign()
    with pytest.raises(PlanInputError) as refused:
        _assign(app, plans, plans.pid, MONDAY + timedelta(weeks=3))
    assert "end it first" in refused.value.field_errors["starts_on"]
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assigning.set_status(
            plan,
            PlanStatus.ENDED,
            actor=plans.therapist(plan.centre_id),
            today=MONDAY + timedelta(weeks=2),
            expected_version=plan.version,
        )
        db.session.commit()
    with app.app_context():
        later = _assign(app, plans, plans.pid, MONDAY + timedelta(weeks=2, days=1))
        db.session.commit()
        assert later.id


def test_a_template_with_an_empty_week_cannot_be_assigned(plans, app):
    template_id = plans.template_id()
    with app.app_context():
        db.session.execute(
            sa.delete(TemplateSession).where(
                TemplateSession.template_id == template_id, TemplateSession.week == 3
            )
        )
        db.session.commit()
    with pytest.raises(PlanInputError) as refused:
        _assign(app, plans, plans.pid, MONDAY)
    assert "Week 3" in refused.value.field_errors["template"]


def test_adjusting_one_planned_session_is_versioned_and_audited(plans, app):
    plan_id = plans.assign()
    first = plans.planned(plan_id)[0]
    with app.app_context():
        row = db.session.get(PlannedSession, first.id)
        plan = db.session.get(Plan, plan_id)
        values = {
            "on": row.on + timedelta(days=1),
            "kind": row.kind,
            "target_distance_m": 1200.0,
            "target_duration_s": None,
            "target_rpe": 3,
            "hr_zone": None,
            "notes": "Shorter: sore shoulder",
        }
        therapist = plans.therapist(plan.centre_id)
        changes = assigning.update_planned_session(
            row, plan, actor=therapist, values=values, expected_version=first.version
        )
        db.session.commit()
        assert set(changes) >= {"on", "target_distance_m", "target_rpe", "notes"}
        with pytest.raises(StaleEdit):
            assigning.update_planned_session(
                row, plan, actor=therapist, values=values, expected_version=first.version
            )
        outside = {**values, "on": MONDAY - timedelta(days=1)}
        with pytest.raises(PlanInputError):
            assigning.update_planned_session(
                row, plan, actor=therapist, values=outside, expected_version=row.version
            )
    # the template is untouched
    with app.app_context():
        assert not db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TemplateSession)
            .where(TemplateSession.target_distance_m == 1200.0)
        )
        assert db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "plan.change_session")
        )


def test_pause_resume_and_end(plans, app):
    plan_id = plans.assign()
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        actor = plans.therapist(plan.centre_id)
        day = MONDAY + timedelta(days=10)
        assigning.set_status(plan, PlanStatus.PAUSED, actor=actor, today=day, expected_version=1)
        assert plan.paused_on == day
        assigning.set_status(
            plan, PlanStatus.ACTIVE, actor=actor, today=day, expected_version=plan.version
        )
        assert plan.paused_on is None
        assigning.set_status(
            plan, PlanStatus.ENDED, actor=actor, today=day, expected_version=plan.version
        )
        assert plan.runs_until == day
        with pytest.raises(PlanInputError):
            assigning.set_status(
                plan, PlanStatus.ACTIVE, actor=actor, today=day, expected_version=plan.version
            )
        db.session.commit()
    actions = [e.action for e in plans.audit() if e.action.startswith("plan.")]
    assert {"plan.pause", "plan.resume", "plan.end"} <= set(actions)


def test_therapist_assigns_in_a_few_steps_over_http(app, plans, world):
    from tests.helpers import signed_in

    therapist = signed_in(app, world.a.therapist)
    page = therapist.get(f"/participants/{plans.pid}/plan")  # 1: open the plan section
    assert page.status_code == 200 and b"No plan yet" in page.data
    form = therapist.get(f"/participants/{plans.pid}/plan/assign")  # 2: Assign a plan
    assert form.status_code == 200
    start = date.today() + timedelta(days=(7 - date.today().weekday()) % 7)
    saved = therapist.post(  # 3-4: choose the template and date; 5: save
        f"/participants/{plans.pid}/plan/assign",
        data={"template": str(plans.template_id()), "starts_on": start.isoformat()},
    )
    assert saved.status_code == 302
    again = therapist.post(
        f"/participants/{plans.pid}/plan/assign",
        data={"template": str(plans.template_id()), "starts_on": start.isoformat()},
    )
    assert again.status_code == 422 and b"end it first" in again.data
    page = therapist.get(f"/participants/{plans.pid}/plan")
    assert b"Week 8" in page.data and b"Adjust" in page.data
    # another centre's therapist does not find the participant; the participant goes to /me/plan
    assert (
        signed_in(app, world.b.therapist).get(f"/participants/{plans.pid}/plan").status_code == 404
    )

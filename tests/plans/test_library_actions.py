"""Retiring and deleting templates, saving a person's plan as a template, and the skills kind."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.plans.models import PlannedSession, PlanTemplate, TemplateSession
from heartbeat.training.models import SessionKind
from heartbeat.training.parsing import parse_kind
from tests.helpers import signed_in
from tests.plans.conftest import MONDAY


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    return found.group(1) if found else ""


def _retired(app, template_id: int) -> bool | None:
    with app.app_context():
        row = db.session.get(PlanTemplate, template_id)
        return None if row is None else row.retired


def test_a_template_in_use_is_retired_then_brought_back(app, plans, world):
    template_id = plans.template_id()
    plan_id = plans.assign()
    admin = signed_in(app, world.a.admin)
    library = admin.get("/plans/templates")
    assert f"/plans/templates/{template_id}/retire".encode() in library.data
    confirm = admin.get(f"/plans/templates/{template_id}/retire")
    assert confirm.status_code == 200
    assert b"Retire" in confirm.data and b"1 plan was assigned from it" in confirm.data
    # a therapist may not, another centre's admin does not find it
    assert signed_in(app, world.a.therapist).get(
        f"/plans/templates/{template_id}/retire"
    ).status_code in (302, 403)
    assert (
        signed_in(app, world.b.admin).get(f"/plans/templates/{template_id}/retire").status_code
        == 404
    )
    done = admin.post(
        f"/plans/templates/{template_id}/retire", data={"csrf_token": _csrf(confirm.data.decode())}
    )
    assert done.status_code == 302 and _retired(app, template_id) is True
    assert plans.plan(plan_id).template_id == template_id  # the plan keeps its link
    # no longer offered when assigning
    assign = signed_in(app, world.a.therapist).get(f"/participants/{plans.other_pid}/plan/assign")
    assert f'value="{template_id}"'.encode() not in assign.data
    library = admin.get("/plans/templates")
    assert b"Retired" in library.data and b"Bring back" in library.data
    back = admin.post(
        f"/plans/templates/{template_id}/restore", data={"csrf_token": _csrf(library.data.decode())}
    )
    assert back.status_code == 302 and _retired(app, template_id) is False
    assert [e.action for e in plans.audit() if e.entity_type == "plan_template"][-2:] == [
        "plan_template.retire",
        "plan_template.restore",
    ]


def test_an_unused_template_is_deleted_after_confirming(app, plans, world):
    template_id = plans.template_id(name_starts="10K")
    admin = signed_in(app, world.a.admin)
    confirm = admin.get(f"/plans/templates/{template_id}/retire")
    assert b"Delete" in confirm.data and b"No plan was assigned from it" in confirm.data
    assert _retired(app, template_id) is False  # showing the page changes nothing
    done = admin.post(
        f"/plans/templates/{template_id}/retire", data={"csrf_token": _csrf(confirm.data.decode())}
    )
    assert done.status_code == 302 and _retired(app, template_id) is None
    with app.app_context():
        left = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TemplateSession)
            .where(TemplateSession.template_id == template_id)
        )
    assert left == 0
    (event,) = plans.audit("plan_template.delete")
    assert event.changes["name"]["before"].startswith("10K")


def test_an_adjusted_plan_is_saved_as_a_template(app, plans, world):
    plan_id = plans.assign()
    planned = plans.planned(plan_id)
    with app.app_context():  # adjust it for this person: the long push of week 1 goes longer
        row = db.session.get(PlannedSession, planned[-1].id)
        first_week_last = next(p for p in planned if p.on == MONDAY + timedelta(days=5))
        db.session.get(PlannedSession, first_week_last.id).target_distance_m = 1800.0
        row.notes = "Mind Pat's left shoulder"
        db.session.commit()
    admin = signed_in(app, world.a.admin)
    page = admin.get(f"/participants/{plans.pid}/plan")
    assert f"/plans/{plan_id}/save-as-template".encode() in page.data
    assert (
        f"/plans/{plan_id}/save-as-template".encode()
        not in signed_in(app, world.a.therapist).get(f"/participants/{plans.pid}/plan").data
    )
    form = admin.get(f"/plans/{plan_id}/save-as-template")
    assert form.status_code == 200 and b"(adjusted)" in form.data
    taken = admin.post(
        f"/plans/{plan_id}/save-as-template",
        data={"csrf_token": _csrf(form.data.decode()), "name": plans.plan(plan_id).name},
    )
    assert taken.status_code == 422 and b"Another template has this name" in taken.data
    saved = admin.post(
        f"/plans/{plan_id}/save-as-template",
        data={"csrf_token": _csrf(form.data.decode()), "name": "5K, gentler start", "summary": ""},
    )
    assert saved.status_code == 302
    with app.app_context():
        template = db.session.scalars(
            sa.select(PlanTemplate).where(PlanTemplate.name == "5K, gentler start")
        ).one()
        rows = db.session.scalars(
            sa.select(TemplateSession)
            .where(TemplateSession.template_id == template.id)
            .order_by(TemplateSession.week, TemplateSession.day, TemplateSession.id)
        ).all()
        assert template.weeks == 8 and len(rows) == len(planned)
        long_push = next(r for r in rows if r.week == 1 and r.day == 5)
        assert long_push.target_distance_m == 1800.0
        assert rows[0].kind == SessionKind.SKILLS
        assert not any(r.notes for r in rows)  # unticked: the notes stay with the person
    (event,) = plans.audit("plan_template.copy_plan")
    assert event.changes["copied_from_plan"]["after"] == plan_id
    # another centre's admin does not find the plan
    assert signed_in(app, world.b.admin).get(f"/plans/{plan_id}/save-as-template").status_code == (
        404
    )


def test_skills_is_a_kind_of_session():
    assert SessionKind.SKILLS.label == "Skills"
    assert parse_kind("skills") == parse_kind("Technique") == SessionKind.SKILLS

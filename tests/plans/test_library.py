"""The template library: the defaults every centre gets, and admins editing templates."""

from __future__ import annotations

import re

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.centres import services as centres
from heartbeat.extensions import db
from heartbeat.plans.library import DEFAULT_TEMPLATES
from heartbeat.plans.models import PlanTemplate, TemplateSession
from heartbeat.training.models import SessionKind
from tests.helpers import signed_in


def test_the_defaults_are_sound_blocks():
    names = [spec.name for spec in DEFAULT_TEMPLATES]
    assert any("5K" in name for name in names) and any("half" in name for name in names)
    for spec in DEFAULT_TEMPLATES:
        weeks = {s.week for s in spec.sessions}
        assert weeks == set(range(1, spec.weeks + 1))  # no week without sessions
        for s in spec.sessions:
            assert 0 <= s.rpe <= 10 and (s.distance_m or s.duration_s)
            assert s.kind != SessionKind.RACE
        strength = [s for s in spec.sessions if s.week == 1 and s.kind == SessionKind.STRENGTH]
        assert len(strength) == 2  # strength twice a week (the SCI exercise guideline)
        long_pushes = [
            max(s.distance_m or 0 for s in spec.sessions if s.week == week)
            for week in range(1, spec.weeks + 1)
        ]
        for week in range(1, spec.weeks):
            # no sudden jump: never more than a quarter above the longest push so far
            assert long_pushes[week] <= max(long_pushes[:week]) * 1.25
    five_k = DEFAULT_TEMPLATES[0]
    assert max(s.distance_m or 0 for s in five_k.sessions) == 5000
    half = DEFAULT_TEMPLATES[1]
    assert max(s.distance_m or 0 for s in half.sessions) >= 21_097.5 - 1


def test_a_new_centre_gets_the_default_templates(app, world):
    with app.app_context():
        centre = centres.create_centre(name="Delta", slug="delta", timezone="UTC")
        db.session.commit()
        names = set(
            db.session.scalars(
                sa.select(PlanTemplate.name)
                .where(PlanTemplate.centre_id == centre.id)
                .execution_options(all_centres=True)
            )
        )
    assert names == {spec.name for spec in DEFAULT_TEMPLATES}


def test_staff_read_the_library_and_admins_add_the_defaults(app, world):
    therapist = signed_in(app, world.a.therapist)
    page = therapist.get("/plans/templates")
    assert page.status_code == 200 and b"Add the default templates" not in page.data
    admin = signed_in(app, world.a.admin)
    page = admin.get("/plans/templates")
    assert b"Add the default templates" in page.data
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    token = token or re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    response = admin.post("/plans/templates/defaults", data={"csrf_token": token.group(1).decode()})
    assert response.status_code == 302
    page = admin.get("/plans/templates")
    assert b"First 5K in a racing chair" in page.data
    assert b"Add the default templates" not in page.data
    # the other centre still has none, and a participant is turned away
    assert b"No templates yet." in signed_in(app, world.b.admin).get("/plans/templates").data
    assert signed_in(app, world.a.participant).get("/plans/templates").status_code in (302, 403)


def _template_id(app, world, plans_fixture=None) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(PlanTemplate.id).where(PlanTemplate.centre_id == world.a.centre.id)
        )


def test_an_admin_adds_and_changes_a_session_and_the_trail_says_so(app, plans, world):
    template_id = plans.template_id()
    admin = signed_in(app, world.a.admin)
    page = admin.get(f"/plans/templates/{template_id}")
    assert page.status_code == 200 and b"Week 8" in page.data
    form = admin.get(f"/plans/templates/{template_id}/sessions/new?week=2")
    assert form.status_code == 200
    bad = admin.post(
        f"/plans/templates/{template_id}/sessions/new",
        data={"week": "2", "day": "6", "kind": "road", "distance": "", "duration": "", "rpe": ""},
    )
    assert bad.status_code == 422
    assert b"Give a target distance or a target time" in bad.data
    ok = admin.post(
        f"/plans/templates/{template_id}/sessions/new",
        data={"week": "2", "day": "6", "kind": "road", "distance": "3", "rpe": "3", "hr_zone": ""},
    )
    assert ok.status_code == 302
    with app.app_context():
        row = db.session.scalars(
            sa.select(TemplateSession).where(
                TemplateSession.template_id == template_id, TemplateSession.day == 6
            )
        ).one()
        assert row.target_distance_m == 3000 and row.kind == SessionKind.ROAD
        row_id, version = row.id, row.version
    # therapists may read but not edit
    assert signed_in(app, world.a.therapist).get(
        f"/plans/template-sessions/{row_id}/edit"
    ).status_code in (302, 403)
    edit = admin.get(f"/plans/template-sessions/{row_id}/edit")
    assert edit.status_code == 200 and b'value="3"' in edit.data
    base = re.search(rb'name="base" type="hidden" value="([^"]*)"', edit.data).group(1).decode()
    changed = admin.post(
        f"/plans/template-sessions/{row_id}/edit",
        data={
            "week": "2",
            "day": "6",
            "kind": "road",
            "distance": "3.5",
            "duration": "",
            "rpe": "4",
            "hr_zone": "",
            "notes": "",
            "version": str(version),
            "base": base,
        },
    )
    assert changed.status_code == 302
    # the same form again is stale now: rebased, nothing saved
    stale = admin.post(
        f"/plans/template-sessions/{row_id}/edit",
        data={
            "week": "2",
            "day": "6",
            "kind": "road",
            "distance": "3",
            "duration": "",
            "rpe": "5",
            "hr_zone": "",
            "notes": "",
            "version": str(version),
            "base": base,
        },
    )
    assert stale.status_code == 409
    # another centre's admin does not find it
    assert (
        signed_in(app, world.b.admin).get(f"/plans/template-sessions/{row_id}/edit").status_code
        == 404
    )
    with app.app_context():
        actions = set(
            db.session.scalars(
                sa.select(AuditEvent.action).where(AuditEvent.entity_type == "plan_template")
            )
        )
    assert {"plan_template.add_session", "plan_template.change_session"} <= actions

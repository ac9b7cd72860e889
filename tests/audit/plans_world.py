"""The plans part of the audit world: every action of training plans, squads and feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import Unavailability
from heartbeat.plans.services import assigning, feeds, squads, templates
from heartbeat.training.models import SessionKind
from tests.training.conftest import session_values

TARGETS = {
    "kind": SessionKind.TRACK,
    "target_distance_m": 1000.0,
    "target_duration_s": None,
    "target_rpe": 4,
    "hr_zone": None,
    "notes": "Steady",
}


def build_plans(world, pid: int) -> None:
    admin = db.session.get(User, world.a.admin.id)
    therapist = db.session.get(User, world.a.therapist.id)
    participant = db.session.get(Participant, pid)
    centre_id = world.a.centre.id
    template = templates.create_template(
        centre_id, actor=admin, values={"name": "Audit block", "summary": "One week", "weeks": 1}
    )
    row = templates.add_template_session(
        template, actor=admin, values={"week": 1, "day": 0, **TARGETS}
    )
    spare = templates.add_template_session(
        template, actor=admin, values={"week": 1, "day": 2, **TARGETS}
    )
    templates.update_template_session(
        row,
        template,
        actor=admin,
        values={"week": 1, "day": 0, **TARGETS, "target_distance_m": 1200.0},
        expected_version=row.version,
    )
    templates.delete_template_session(spare, template, actor=admin)
    templates.update_template(
        template,
        actor=admin,
        values={"name": "Audit block, one week", "summary": "One week", "weeks": 1},
        expected_version=template.version,
    )
    plan = assigning.assign_plan(
        participant, template, [row], starts_on=date(2025, 6, 2), actor=therapist
    )
    added = assigning.add_planned_session(
        plan, actor=therapist, values={"on": date(2025, 6, 4), **TARGETS}
    )
    assigning.update_planned_session(
        added,
        plan,
        actor=therapist,
        values={"on": date(2025, 6, 5), **TARGETS, "target_rpe": 3},
        expected_version=added.version,
    )
    copied = templates.template_from_plan(
        plan,
        [added],
        actor=admin,
        values={"name": "Audit block, as adjusted", "summary": "From a plan"},
    )
    assigning.remove_planned_session(added, plan, actor=therapist)
    templates.delete_template(copied, actor=admin)
    templates.retire_template(template, actor=admin)
    templates.retire_template(template, actor=admin, retired=False)
    for status in ("paused", "active", "ended"):
        assigning.set_status(
            plan,
            plan.status.__class__(status),
            actor=therapist,
            today=date(2025, 6, 4),
            expected_version=plan.version,
        )
    day = date(2025, 6, 3)
    assigning.mark_unavailable(participant, day, day, Unavailability.HOLIDAY, actor=therapist)
    assigning.clear_unavailable(participant, day, actor=therapist)
    squad = squads.save_squad(
        centre_id,
        actor=therapist,
        values={
            "name": "Audit squad",
            "place": "Track",
            "kind": SessionKind.TRACK,
            "meets_weekday": 1,
            "meets_at": "18:30",
        },
        members=[participant],
    )
    started = datetime(2025, 6, 3, 17, 30, tzinfo=UTC)
    ahead = {"actor": therapist, "kind": SessionKind.SKILLS, "place": "Car park"}
    planned, called_off = (
        squads.plan_squad_session(
            squad, starts_at=at, now=datetime(2025, 6, 1, tzinfo=UTC), **ahead
        )
        for at in (started, started + timedelta(days=7))
    )
    squads.cancel_planned(called_off, actor=therapist)
    squads.record_squad_session(
        centre_id,
        actor=therapist,
        started_at=started,
        kind=SessionKind.TRACK,
        place="Track",
        squad=squad,
        rows=[squads.Row(participant, True, session_values(started_at=started))],
        planned=planned,
    )
    spare_squad = squads.save_squad(
        centre_id,
        actor=therapist,
        values={"name": "Audit squad, spare", "place": None, "kind": SessionKind.SKILLS},
        members=[participant],
    )
    squads.delete_squad(spare_squad, actor=therapist)
    feeds.make_feed(admin)
    feeds.revoke_feed(admin)
    db.session.commit()

"""A participant's training plan, week by week with compliance (read only: plans are assigned
and adjusted on the web)."""

from __future__ import annotations

from typing import Any, cast

from heartbeat.api.blueprint import bp
from heartbeat.api.problems import fail
from heartbeat.api.schemas.plans import PlanSchema
from heartbeat.api.views.common import centre_tz, participant_or_404
from heartbeat.db import utcnow
from heartbeat.plans import rules
from heartbeat.plans.models import PlannedSession
from heartbeat.plans.services import weeks

TAG = ["Training plans"]
NO_PLAN = "This participant has no training plan."


def _week(week: rules.Week) -> dict[str, Any]:
    return {
        "number": week.number,
        "first": week.first,
        "last": week.last,
        "compliance_percent": week.percent,
        "band": week.band.key,
        "counted": week.counted,
        "unavailable": sorted(week.unavailable),
        "planned": [
            {
                "id": p.id,
                "on": p.on,
                "kind": p.kind,
                "target_distance_m": p.target_distance_m,
                "target_duration_s": p.target_duration_s,
                "target_rpe": p.target_rpe,
                "hr_zone": p.hr_zone,
                "notes": p.notes,
                "unavailable": p.on in week.unavailable,
                "done_session_id": week.matches[p.id].id if p.id in week.matches else None,
            }
            for p in cast(list[PlannedSession], week.planned)
        ],
        "extra_session_ids": [done.id for done in week.extra],
    }


@bp.route("/participants/<int:participant_id>/plan", tags=TAG)
@bp.doc(operationId="getParticipantPlan")
@bp.response(200, PlanSchema)
def get_participant_plan(participant_id: int):
    """A participant's current training plan

    The plan their pages lead with (the one running today, else the next to start, else the
    latest), every week with its planned sessions, the logged session matched to each, days
    marked unavailable and the week's compliance so far, as the plan pages work them out.
    404 when they have no plan. Staff of the centre, or the participant themself.
    """
    participant = participant_or_404(participant_id, "plan.view")
    tz = centre_tz()
    today = utcnow().astimezone(tz).date()
    plan = weeks.shown_plan(participant.id, today)
    if plan is None:
        fail(404, NO_PLAN)
    view = weeks.plan_weeks(plan, tz, today)
    current = view.current
    return {
        "id": plan.id,
        "participant_id": plan.participant_id,
        "name": plan.name,
        "starts_on": plan.starts_on,
        "last_day": plan.last_day,
        "weeks_count": plan.weeks,
        "status": plan.status,
        "paused_on": plan.paused_on,
        "ended_on": plan.ended_on,
        "current_week": current.number if current is not None else None,
        "weeks": [_week(week) for week in view.weeks],
    }

"""A participant's current training plan: its weeks, planned sessions and compliance."""

from __future__ import annotations

import marshmallow as ma

from heartbeat.plans.models import PlanStatus
from heartbeat.training.models import SessionKind


class PlannedSessionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    on = ma.fields.Date(required=True)
    kind = ma.fields.Enum(SessionKind, by_value=True, required=True)
    target_distance_m = ma.fields.Float(required=True, allow_none=True)
    target_duration_s = ma.fields.Integer(required=True, allow_none=True)
    target_rpe = ma.fields.Integer(required=True, metadata={"description": "Borg CR10."})
    hr_zone = ma.fields.Integer(required=True, allow_none=True)
    notes = ma.fields.String(required=True, allow_none=True)
    unavailable = ma.fields.Boolean(
        required=True, metadata={"description": "Its day was marked unavailable: not counted."}
    )
    done_session_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The logged session matched to it, if any."},
    )


class PlanWeekSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    first = ma.fields.Date(required=True)
    last = ma.fields.Date(required=True)
    compliance_percent = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Done against planned so far; null when nothing is due yet."},
    )
    band = ma.fields.String(
        required=True, metadata={"description": "on-plan, partly, off-plan or none."}
    )
    counted = ma.fields.Integer(
        required=True, metadata={"description": "Planned sessions the figure covers."}
    )
    unavailable = ma.fields.List(ma.fields.Date(), required=True)
    planned = ma.fields.List(ma.fields.Nested(PlannedSessionSchema), required=True)
    extra_session_ids = ma.fields.List(
        ma.fields.Integer(),
        required=True,
        metadata={"description": "Sessions logged that week and matched to nothing planned."},
    )


class PlanSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    participant_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    starts_on = ma.fields.Date(required=True)
    last_day = ma.fields.Date(required=True)
    weeks_count = ma.fields.Integer(required=True, data_key="week_count")
    status = ma.fields.Enum(PlanStatus, by_value=True, required=True)
    paused_on = ma.fields.Date(required=True, allow_none=True)
    ended_on = ma.fields.Date(required=True, allow_none=True)
    current_week = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "The week today falls in."}
    )
    weeks = ma.fields.List(ma.fields.Nested(PlanWeekSchema), required=True)

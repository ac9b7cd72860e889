"""The centre's ladder and a participant's awards."""

from __future__ import annotations

import marshmallow as ma

from heartbeat.progress.models import CriterionKind
from heartbeat.progress.services import award_title


class StageSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    position = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    kind = ma.fields.Enum(CriterionKind, by_value=True, required=True)
    threshold_m = ma.fields.Float(required=True, allow_none=True)
    max_duration_s = ma.fields.Integer(required=True, allow_none=True)
    retired = ma.fields.Boolean(required=True)


class LadderSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(StageSchema), required=True)


class AwardSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    participant_id = ma.fields.Integer(required=True)
    key = ma.fields.String(required=True)
    title = ma.fields.Function(award_title, required=True)
    stage_id = ma.fields.Integer(required=True, allow_none=True)
    club_code = ma.fields.String(required=True, allow_none=True)
    achieved_at = ma.fields.DateTime(required=True)
    evidence_session_id = ma.fields.Integer(required=True, allow_none=True)
    verified = ma.fields.Boolean(required=True)
    verified_at = ma.fields.DateTime(required=True, allow_none=True)
    needs_review = ma.fields.Boolean(required=True)
    review_reason = ma.fields.String(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


class AwardListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AwardSchema), required=True)

"""A participant's completed outcome-measure responses, with their totals and answers."""

from __future__ import annotations

import marshmallow as ma

from heartbeat.api.schemas.common import page_of
from heartbeat.measures.scoring import Scoring


class MeasureAnswerSchema(ma.Schema):
    position = ma.fields.Integer(required=True, metadata={"description": "The item's number."})
    label = ma.fields.String(required=True)
    value = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "On the measure's scale; null when not done."},
    )
    words = ma.fields.String(
        required=True, metadata={"description": "The value's words on the scale, if any."}
    )
    not_done = ma.fields.Boolean(required=True)


class MeasureResponseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    participant_id = ma.fields.Integer(required=True)
    measure_id = ma.fields.Integer(required=True)
    measure_code = ma.fields.String(required=True)
    measure_title = ma.fields.String(required=True)
    scale = ma.fields.String(required=True, metadata={"description": "0-10, 0-4, ppf, yes-no"})
    scoring = ma.fields.Enum(Scoring, by_value=True, required=True)
    higher_is_worse = ma.fields.Boolean(required=True)
    started_at = ma.fields.DateTime(required=True)
    completed_at = ma.fields.DateTime(required=True)
    on_behalf = ma.fields.Boolean(
        required=True,
        metadata={"description": "Staff completed the participant's own questionnaire for them."},
    )
    total = ma.fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "A sum corrected for items not done, or a percentage."},
    )
    answers = ma.fields.List(ma.fields.Nested(MeasureAnswerSchema), required=True)


MeasureResponsePageSchema = page_of(MeasureResponseSchema, "MeasureResponsePage")


class MeasureListArgs(ma.Schema):
    measure_id = ma.fields.Integer(
        validate=ma.validate.Range(1, 2**31 - 1),
        metadata={"description": "Only the responses to this measure."},
    )

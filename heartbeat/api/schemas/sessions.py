"""Training sessions: what comes back, and what a client sends to log or correct one.

Types only are checked here; every rule a session keeps (ranges, a race's fields, not in the
future, not too fast) is ``training.values.clean_session``'s, the same as for the forms, the CSV
import and device files. The ranges below only document what that function enforces.
"""

from __future__ import annotations

import marshmallow as ma

from heartbeat.api.fields import Flag, Moment, Number, Text, Whole
from heartbeat.api.schemas.common import Strict, page_of
from heartbeat.training import values
from heartbeat.training.models import PainSite, SessionKind, SessionSource


def _range(low: float, high: float, **extra) -> dict:
    return {"minimum": low, "maximum": high, **extra}


def _text(column: str) -> Text:
    limit = values.TEXT_LIMITS[column]
    return Text(
        allow_none=True,
        validate=ma.validate.Length(max=limit),
        metadata={"description": f"{values.LABELS[column]}, at most {limit:,} characters."},
    )


class SessionFieldsSchema(Strict):
    """The fields a person edits. On a change (PATCH) every field is optional, and null clears
    one; fields left out keep their values."""

    started_at = Moment(
        metadata={
            "description": "When it started (ISO 8601). Without an offset: the centre's local "
            "time. Not in the future, not before 1980."
        }
    )
    kind = ma.fields.Enum(SessionKind, by_value=True)
    distance_m = Number(
        allow_none=True,
        metadata=_range(0, values.MAX_DISTANCE_M, description="Metres."),
    )
    moving_time_s = Whole(
        allow_none=True,
        metadata=_range(1, values.MAX_DURATION_S, description="Seconds."),
    )
    cadence_ppm = Whole(
        allow_none=True,
        metadata=_range(1, values.CADENCE_MAX, description="Pushes per minute."),
    )
    avg_hr = Whole(allow_none=True, metadata=_range(values.HR_MIN, values.HR_MAX))
    max_hr = Whole(allow_none=True, metadata=_range(values.HR_MIN, values.HR_MAX))
    rpe = Whole(allow_none=True, metadata=_range(0, 10, description="Borg CR10."))
    pain = Whole(allow_none=True, metadata=_range(0, 10))
    pain_site = ma.fields.Enum(PainSite, by_value=True, allow_none=True)
    symptom_reported = Flag()
    before_enrolment = Flag(
        metadata={
            "description": "True for history from before the participant's enrolment: allowed "
            "only then, and never dates a milestone by itself (a therapist confirms it)."
        }
    )
    surface = _text("surface")
    weather = _text("weather")
    chair = _text("chair")
    notes = _text("notes")
    event_name = _text("event_name")
    official_time_s = Whole(
        allow_none=True,
        metadata=_range(1, values.MAX_DURATION_S, description="Races only. Seconds."),
    )
    place_in_class = Whole(
        allow_none=True, metadata=_range(1, values.PLACE_MAX, description="Races only.")
    )


class NewSessionSchema(SessionFieldsSchema):
    """A new session: when and what kind are required, and a distance or a time (or both)."""

    started_at = Moment(
        required=True,
        metadata={
            "description": "When it started (ISO 8601). Without an offset: the centre's local "
            "time. Not in the future, not before 1980."
        },
    )
    kind = ma.fields.Enum(SessionKind, by_value=True, required=True)


class SessionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    participant_id = ma.fields.Integer(required=True)
    started_at = ma.fields.DateTime(required=True)
    kind = ma.fields.Enum(SessionKind, by_value=True, required=True)
    distance_m = ma.fields.Float(required=True)
    moving_time_s = ma.fields.Integer(required=True, allow_none=True)
    elapsed_time_s = ma.fields.Integer(required=True, allow_none=True)
    cadence_ppm = ma.fields.Integer(required=True, allow_none=True)
    avg_hr = ma.fields.Integer(required=True, allow_none=True)
    max_hr = ma.fields.Integer(required=True, allow_none=True)
    rpe = ma.fields.Integer(required=True, allow_none=True)
    pain = ma.fields.Integer(required=True, allow_none=True)
    pain_site = ma.fields.Enum(PainSite, by_value=True, required=True, allow_none=True)
    symptom_reported = ma.fields.Boolean(required=True)
    before_enrolment = ma.fields.Boolean(required=True)
    surface = ma.fields.String(required=True, allow_none=True)
    weather = ma.fields.String(required=True, allow_none=True)
    chair = ma.fields.String(required=True, allow_none=True)
    elevation_gain_m = ma.fields.Float(required=True, allow_none=True)
    notes = ma.fields.String(required=True, allow_none=True)
    event_name = ma.fields.String(required=True, allow_none=True)
    official_time_s = ma.fields.Integer(required=True, allow_none=True)
    place_in_class = ma.fields.Integer(required=True, allow_none=True)
    source = ma.fields.Enum(SessionSource, by_value=True, required=True)
    self_reported = ma.fields.Boolean(required=True)
    verified_at = ma.fields.DateTime(required=True, allow_none=True)
    counts = ma.fields.Boolean(
        required=True,
        metadata={"description": "Counts towards milestones (a self-report once verified)."},
    )
    version = ma.fields.Integer(required=True, metadata={"description": "Also the ETag."})
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


SessionPageSchema = page_of(SessionSchema, "SessionPage")

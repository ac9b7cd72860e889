"""Participants: the caseload's filters, a row of the list, and the whole record."""

from __future__ import annotations

import marshmallow as ma

from heartbeat.api.fields import Text
from heartbeat.api.schemas.common import PageArgs, page_of
from heartbeat.db import MAX_ID
from heartbeat.participants import queries
from heartbeat.participants.classification import ClassificationStatus
from heartbeat.participants.models import (
    ImpairmentCategory,
    ParticipantStatus,
    RacingClass,
)
from heartbeat.participants.names import NameOrder

# The caseload's sorts that page by keyset (the ladder-stage sort is for the web page only).
SORTS = ("name", "-name", "enrolled", "-enrolled", "class", "status")


class CaseloadArgs(PageArgs):
    """The caseload page's filters (staff; a participant's token lists only their own record)."""

    scope = ma.fields.String(
        validate=ma.validate.OneOf(("mine", "all")),
        metadata={
            "description": "mine: your own caseload (a therapist's default); all: the centre"
        },
    )
    q = Text(
        validate=ma.validate.Length(max=100),
        metadata={"description": "Words of the name (given, family or preferred)."},
    )
    status = ma.fields.String(
        load_default="current",
        validate=ma.validate.OneOf(tuple(queries.STATUS_FILTERS)),
        metadata={"description": "current: everyone but the withdrawn."},
    )
    therapist = ma.fields.Integer(
        validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "Their therapist's user id (with scope=all)."},
    )
    racing_class = ma.fields.Enum(RacingClass, by_value=True, data_key="class")
    stage = ma.fields.String(
        validate=ma.validate.Regexp(r"^(done|[1-9][0-9]{0,9})$"),
        metadata={"description": "A ladder stage id (where they stand now), or done."},
    )
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(SORTS))


class ParticipantSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    given_name = ma.fields.String(required=True)
    family_name = ma.fields.String(required=True)
    preferred_name = ma.fields.String(required=True, allow_none=True)
    name_order = ma.fields.Enum(
        NameOrder,
        by_value=True,
        required=True,
        metadata={"description": "Which name is written first: given_first or family_first."},
    )
    display_name = ma.fields.String(
        required=True,
        metadata={"description": "The name they are called by with the family name, in order."},
    )
    racing_class = ma.fields.Enum(RacingClass, by_value=True, required=True)
    classification_status = ma.fields.Enum(ClassificationStatus, by_value=True, required=True)
    status = ma.fields.Enum(ParticipantStatus, by_value=True, required=True)
    enrolled_on = ma.fields.Date(required=True)
    therapist_id = ma.fields.Integer(required=True, allow_none=True)
    therapist_name = ma.fields.Function(
        lambda p: p.therapist.name if p.therapist is not None else None,
        required=True,
        allow_none=True,
    )
    current_stage_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The lowest ladder stage not reached yet (null at the top)."},
    )
    last_session_at = ma.fields.DateTime(required=True, allow_none=True)
    erased = ma.fields.Boolean(required=True)
    version = ma.fields.Integer(required=True)


class ParticipantSchema(ParticipantSummarySchema):
    """The record as the participant's profile page shows it."""

    date_of_birth = ma.fields.Date(required=True)
    email = ma.fields.String(required=True, allow_none=True)
    phone = ma.fields.String(required=True, allow_none=True)
    emergency_name = ma.fields.String(required=True, allow_none=True)
    emergency_phone = ma.fields.String(required=True, allow_none=True)
    impairment = ma.fields.Enum(ImpairmentCategory, by_value=True, required=True)
    condition = ma.fields.String(required=True, allow_none=True)
    sci_level = ma.fields.String(required=True, allow_none=True)
    classification_review_on = ma.fields.Date(required=True, allow_none=True)
    goal = ma.fields.String(required=True, allow_none=True)
    goal_milestone = ma.fields.String(required=True, allow_none=True)
    goal_target_on = ma.fields.Date(required=True, allow_none=True)
    has_portal_login = ma.fields.Function(lambda p: p.user_id is not None, required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


ParticipantPageSchema = page_of(ParticipantSummarySchema, "ParticipantPage")

"""The measures blueprint and the loaders its routes share."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort
from flask_login import current_user

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.measures import queries
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.participants import queries as participant_queries
from heartbeat.participants.models import Participant
from heartbeat.permissions import can, hide, require

bp = Blueprint("measures", __name__, template_folder="templates")


def actor():
    return current_user._get_current_object()


def tz() -> ZoneInfo:
    return ZoneInfo(current_user.centre.timezone)


def today() -> date:
    return utcnow().astimezone(tz()).date()


def participant_or_404(participant_id: int, action: str) -> Participant:
    participant = db.session.scalars(
        participant_queries.participant_by_id(participant_id)
    ).one_or_none()
    if participant is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, "participant.view", participant):
        hide(action, participant)
    require(action, participant)
    return participant


def measure_or_404(measure_id: int, action: str, *, with_items: bool = False) -> Measure:
    measure = db.session.scalars(
        queries.measure_by_id(measure_id, with_items=with_items)
    ).one_or_none()
    if measure is None:
        abort(404)
    require(action, measure)
    return measure


def response_or_404(response_id: int, action: str) -> MeasureResponse:
    response = db.session.scalars(queries.response_by_id(response_id)).unique().one_or_none()
    if response is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, "measure.view", response):
        hide(action, response)
    require(action, response)
    return response

"""The plans blueprint and the loaders its routes share."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort
from flask_login import current_user

from heartbeat.auth.viewer import current_units
from heartbeat.core.i18n import date_text
from heartbeat.core.units import Units
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.permissions import can, hide, require
from heartbeat.plans import queries

bp = Blueprint("plans", __name__, template_folder="templates")


def actor() -> Any:
    return current_user._get_current_object()


def centre() -> Any:
    return current_user.centre


def centre_tz() -> ZoneInfo:
    return ZoneInfo(current_user.centre.timezone)


def viewer_units() -> Units:
    """The signed-in person's units (their own choice, else the centre's): every distance
    their pages show, and every distance they type, is in these."""
    return current_units()


def now() -> datetime:
    return utcnow()


def today() -> date:
    return now().astimezone(centre_tz()).date()


def found(row: Any) -> Any:
    if row is None:
        abort(404)
    return row


def participant_or_404(participant_id: int, action: str) -> Participant:
    """The participant, if the user may see them (else 404), and may do ``action`` (else 403)."""
    participant = db.session.scalars(queries.participant_by_id(participant_id)).one_or_none()
    if participant is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, "participant.view", participant):
        hide(action, participant)
    require(action, participant)
    return participant


@bp.app_template_filter("plan_target")
def _plan_target(row: Any, units: Units = "km") -> str:
    """A planned session's distance and time in words ("5 km in about 30 min")."""
    from heartbeat.plans.values import describe_target

    return describe_target(row.target_distance_m, row.target_duration_s, units)


@bp.app_template_filter("plan_day_rows")
def _plan_day_rows(week: Any, tz: Any) -> Any:
    from heartbeat.plans.rules import day_rows

    return day_rows(week, tz)


@bp.app_template_filter("weekday_text")
def _weekday_text(day: date) -> str:
    return date_text(day, "%A %-d %b")


@bp.app_template_filter("short_day_text")
def _short_day_text(day: date) -> str:
    return date_text(day, "%-d %b")

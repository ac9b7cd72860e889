"""The training blueprint, the loaders its routes share, and the template filters for sessions."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, abort
from flask_login import current_user

from heartbeat.auth.viewer import current_units
from heartbeat.core.i18n import number
from heartbeat.core.units import (
    Units,
    format_distance,
    format_duration,
    format_pace,
    format_speed,
)
from heartbeat.core.wording import MISSING
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.permissions import can, hide, require
from heartbeat.training import queries
from heartbeat.training.models import TrainingSession

bp = Blueprint("training", __name__, template_folder="templates")


# --- who, where, when ---------------------------------------------------------------------------


def actor():
    return current_user._get_current_object()


def centre():
    return current_user.centre


def centre_tz() -> ZoneInfo:
    return ZoneInfo(current_user.centre.timezone)


def viewer_units() -> Units:
    """The signed-in person's units (their own choice, else the centre's): every distance
    their pages show, and every distance they type, is in these."""
    return current_units()


def now() -> datetime:
    return utcnow()


def participant_or_404(participant_id: int, action: str) -> Participant:
    """The participant, if the user may see them (else 404), and may do ``action`` (else 403)."""
    participant = db.session.scalars(queries.participant_by_id(participant_id)).one_or_none()
    if participant is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, "participant.view", participant):
        hide(action, participant)  # a participant learns nothing of anyone else's record
    require(action, participant)
    return participant


def session_or_404(session_id: int, action: str, *, detail: bool = False) -> TrainingSession:
    session = (
        db.session.scalars(queries.session_by_id(session_id, detail=detail)).unique().one_or_none()
    )
    if session is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, "session.view", session):
        hide(action, session)
    require(action, session)
    return session


# --- template filters (app-wide, so the profile and portal panels can use them) -----------------


@bp.app_template_filter("session_distance")
def _distance(metres: float | None, units: Units = "km", both: bool = False) -> str:
    if not metres:
        return MISSING
    return format_distance(metres, units, both=both)


@bp.app_template_filter("session_duration")
def _duration(seconds: float | None) -> str:
    return format_duration(seconds) if seconds is not None else MISSING


@bp.app_template_filter("session_pace")
def _pace(session: TrainingSession, units: Units = "km") -> str:
    return format_pace(session.distance_m, session.duration_s, units) or MISSING


@bp.app_template_filter("session_speed")
def _speed(session: TrainingSession, units: Units = "km") -> str:
    return format_speed(session.distance_m, session.duration_s, units) or MISSING


@bp.app_template_filter("session_load")
def _load(session: TrainingSession) -> str:
    load = session.load
    if load is None:
        return MISSING
    # Half up, as people round (a load of 14.5 is 15); round() would give the even 14.
    return number(int(Decimal(str(load)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


@bp.app_template_filter("session_load_sum")
def _load_sum(session: TrainingSession) -> str:
    """How the load was worked out, with the very time it used: "RPE 4 × 3:40" (a load of 15
    from 3 min 40 s, where "4 minutes" rounded first would not add up)."""
    if session.load is None:
        return MISSING
    return f"RPE {session.rpe} \u00d7 {format_duration(session.duration_s or 0)}"

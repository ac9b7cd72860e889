"""The safety blueprint and the loaders its routes share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from heartbeat.extensions import db
from heartbeat.permissions import can, hide, require
from heartbeat.safety import queries
from heartbeat.safety.models import RedFlag

bp = Blueprint("safety", __name__, template_folder="templates")


def actor():
    return current_user._get_current_object()


def flag_or_404(flag_id: int, action: str) -> RedFlag:
    flag = db.session.scalars(queries.flag_by_id(flag_id)).unique().one_or_none()
    if flag is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, "red_flag.view", flag):
        hide(action, flag)  # a participant learns nothing of anyone else's flags
    require(action, flag)
    return flag

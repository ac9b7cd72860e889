"""A participant's progress: the staff section of their record, and their own progress page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from heartbeat.auth.models import Role
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.permissions import require, staff_required
from heartbeat.progress import shoulder_load
from heartbeat.progress.blueprint import bp
from heartbeat.progress.measure_charts import measure_charts
from heartbeat.progress.panels import build_portal_panel, build_profile_panel
from heartbeat.progress.rules.effort import effort_guide
from heartbeat.training.models import TrainingSession


def _effort(participant) -> dict:
    """The effort guide and the measured maximum heart rate it uses (one query)."""
    measured = db.session.scalar(
        sa.select(sa.func.max(TrainingSession.max_hr)).where(
            TrainingSession.participant_id == participant.id
        )
    )
    tz = ZoneInfo(current_user.centre.timezone)
    return {
        "effort": effort_guide(participant.hr_unreliable, measured),
        "measured_max": measured,
        "shoulder": shoulder_load.for_participant(
            participant.id, utcnow().astimezone(tz).date(), tz
        ),
    }


@bp.get("/participants/<int:participant_id>/progress")
@staff_required
def participant_progress(participant_id: int):
    participant = db.session.scalars(
        participant_queries.participant_by_id(participant_id)
    ).one_or_none()
    if participant is None:
        abort(404)
    require("participant.view", participant)
    context = build_profile_panel(participant, current_user._get_current_object())
    tz = ZoneInfo(current_user.centre.timezone)
    return render_template(
        "progress/participant.html",
        participant=participant,
        panel_context=context,
        measure_charts=measure_charts(participant.id, utcnow().astimezone(tz).date(), tz),
        **_effort(participant),
    )


@bp.get("/me/progress")
@login_required
def my_progress():
    """The participant's own ladder, miles and clubs, bests, effort and charts."""
    if current_user.role != Role.PARTICIPANT:
        return redirect(url_for("home.index"))
    participant = db.session.scalars(
        participant_queries.participant_for_user(current_user.id)
    ).one_or_none()
    if participant is None:
        return redirect(url_for("participants.portal"))
    require("participant.view", participant)
    context = build_portal_panel(participant, current_user._get_current_object())
    return render_template(
        "progress/my_progress.html",
        participant=participant,
        panel_context=context,
        **_effort(participant),
    )

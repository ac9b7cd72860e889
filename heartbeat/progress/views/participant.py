"""A participant's progress section: the ladder, awards to verify or review, numbers, charts."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.permissions import require, staff_required
from heartbeat.progress.blueprint import bp
from heartbeat.progress.panels import build_profile_panel


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
    return render_template(
        "progress/participant.html", participant=participant, panel_context=context
    )

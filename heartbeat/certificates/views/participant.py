"""A participant's certificates section: issue one for a verified award, and those issued."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.panels import build_profile_panel
from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.permissions import require, staff_required


@bp.get("/participants/<int:participant_id>/certificates")
@staff_required
def participant_certificates(participant_id: int):
    participant = db.session.scalars(
        participant_queries.participant_by_id(participant_id)
    ).one_or_none()
    if participant is None:
        abort(404)
    require("participant.view", participant)
    context = build_profile_panel(participant, current_user._get_current_object())
    return render_template(
        "certificates/participant.html", participant=participant, panel_context=context
    )

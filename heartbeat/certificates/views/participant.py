"""Certificates of one participant: the staff section of their record (issue one for a verified
award; those issued), and the participant's own certificates page."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from heartbeat.auth.models import Role
from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.panels import build_portal_panel, build_profile_panel
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


@bp.get("/me/certificates")
@login_required
def my_certificates():
    """The participant's own certificates, to download and share."""
    if current_user.role != Role.PARTICIPANT:
        return redirect(url_for("home.index"))
    participant = db.session.scalars(
        participant_queries.participant_for_user(current_user.id)
    ).one_or_none()
    if participant is None:
        return redirect(url_for("participants.portal"))
    require("participant.view", participant)
    context = build_portal_panel(participant, current_user._get_current_object())
    return render_template("certificates/mine.html", participant=participant, panel_context=context)

"""The participant's own page: their record only, with the notes shared with them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from heartbeat.auth.models import Role
from heartbeat.core import panels
from heartbeat.extensions import db
from heartbeat.participants import queries
from heartbeat.participants.blueprint import bp
from heartbeat.participants.models import Participant, ParticipantStatus
from heartbeat.participants.stages import chair_signed_off_on
from heartbeat.participants.views.common import actor
from heartbeat.permissions import require


def own_record() -> Participant | None:
    """The signed-in participant's own record (None for a login not linked to one yet)."""
    participant = db.session.scalars(queries.participant_for_user(current_user.id)).one_or_none()
    if participant is not None:
        require("participant.view", participant)
    return participant


@bp.get("/me")
@login_required
def portal():
    """Today: what matters now (this week, the next step, sessions), the rest one tap away."""
    if current_user.role != Role.PARTICIPANT:
        return redirect(url_for("home.index"))
    participant = own_record()
    if participant is None:
        return render_template("participants/portal_unlinked.html")
    return render_template(
        "participants/portal.html",
        participant=participant,
        panels=panels.panels_for(panels.PORTAL, participant=participant, viewer=actor()),
        alerts=panels.panels_for(panels.PORTAL_ALERTS, participant=participant, viewer=actor()),
    )


@bp.get("/me/about")
@login_required
def portal_about():
    """Their goal, the notes their team shared, their details and their chair."""
    if current_user.role != Role.PARTICIPANT:
        return redirect(url_for("home.index"))
    participant = own_record()
    if participant is None:
        return render_template("participants/portal_unlinked.html")
    fittings = db.session.scalars(queries.fittings_for(participant.id).limit(1)).all()
    return render_template(
        "participants/portal_about.html",
        participant=participant,
        fitting=fittings[0] if fittings else None,
        # "Chair fitted" signed off on the ladder: the chair panel must not say "no chair".
        chair_signed_off_on=None
        if fittings
        else chair_signed_off_on(participant.id, ZoneInfo(current_user.centre.timezone)),
        notes=db.session.scalars(queries.notes_for(participant.id, shared_only=True)).all(),
        statuses=ParticipantStatus,
    )

"""The participant's own plan: this week first, and one tap to log a planned session (the
self-report form, filled in from the plan)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from heartbeat.auth.models import Role
from heartbeat.core.edits import apply_errors, render_form
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.participants.models import Participant
from heartbeat.permissions import can, hide, require
from heartbeat.plans import queries
from heartbeat.plans.blueprint import actor, bp, centre_tz, found, now, today, viewer_units
from heartbeat.plans.services import weeks
from heartbeat.training import services as training
from heartbeat.training.forms import SelfReportForm
from heartbeat.training.parsing import read_session
from heartbeat.training.values import SessionValueError, distance_input, duration_input


def _own() -> Participant | None:
    participant = db.session.scalars(
        participant_queries.participant_for_user(current_user.id)
    ).one_or_none()
    if participant is not None:
        require("plan.view", participant)
    return participant


@bp.get("/me/plan")
@login_required
def my_plan():
    if current_user.role != Role.PARTICIPANT:
        return redirect(url_for("home.index"))
    participant = _own()
    if participant is None:
        return redirect(url_for("participants.portal"))
    day = today()
    plan = weeks.shown_plan(participant.id, day)
    view = weeks.plan_weeks(plan, centre_tz(), day) if plan is not None else None
    return render_template(
        "plans/my_plan.html",
        participant=participant,
        view=view,
        units=viewer_units(),
        tz=centre_tz(),
        today=day,
        can_log=can(current_user, "session.self_report", participant),
    )


@bp.route("/me/plan/<int:planned_id>/log", methods=["GET", "POST"])
@login_required
def log_planned(planned_id: int):
    """The self-report form, filled in from the planned session: check it, press Save."""
    if current_user.role != Role.PARTICIPANT:
        abort(403)
    row = found(db.session.scalars(queries.planned_session_by_id(planned_id)).one_or_none())
    participant = row.plan.participant
    if participant.user_id != current_user.id:
        hide("session.self_report", participant)
    require("session.self_report", participant)
    units, tz = viewer_units(), centre_tz()
    form = SelfReportForm()
    form.set_units(units)
    if request.method == "GET":
        form.date.data = min(row.on, today()).isoformat()
        form.time.data = now().astimezone(tz).strftime("%H:%M") if row.on == today() else "10:00"
        form.kind.data = row.kind.value
        form.distance.data = distance_input(row.target_distance_m, units)
        form.duration.data = duration_input(row.target_duration_s)
        form.rpe.data = str(row.target_rpe)
    elif form.validate_on_submit():
        try:
            values = read_session(
                form.raw(),
                units=units,
                tz=tz,
                now=now(),
                timeline=training.timeline_of(participant),
            )
        except SessionValueError as error:
            apply_errors(form, error)
        else:
            training.self_report(participant, actor=actor(), values=values, now=now())
            db.session.commit()
            flash(
                _(
                    "Session saved: it shows on your plan now, and counts towards your milestones"
                    " once your therapist confirms it."
                ),
                "success",
            )
            return redirect(url_for("participants.portal"))
    return render_form("training/self_report.html", form, participant=participant, units=units)

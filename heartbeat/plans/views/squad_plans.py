"""Squad sessions planned ahead (a squad's next sessions, for the calendar feeds) and calling
one off."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from heartbeat.core.edits import apply_errors, render_form
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.permissions import require, staff_required
from heartbeat.plans import queries
from heartbeat.plans.blueprint import actor, bp, centre_tz, found, now
from heartbeat.plans.forms import ConfirmForm, PlanSquadSessionForm
from heartbeat.plans.models import PlannedSquadSession, Squad
from heartbeat.plans.services import squads as services
from heartbeat.plans.values import PlanInputError, read_day
from heartbeat.plans.views.squads import MAX_AHEAD_DAYS, when_text
from heartbeat.training.models import SessionKind


def _planned_start(form: PlanSquadSessionForm) -> Any:
    day = read_day(form.date.data, "date")
    local_today = now().astimezone(centre_tz()).date()
    if not local_today - timedelta(days=1) <= day <= local_today + timedelta(days=MAX_AHEAD_DAYS):
        raise PlanInputError(
            _("Check the date."), {"date": _("Plan a session from today to a year ahead.")}
        )
    at = (form.time.data or "").strip()
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
        raise PlanInputError(
            _("Check the time."), {"time": _("Enter a time as hh:mm, e.g. 18:30.")}
        )
    hour, minute = (int(part) for part in at.split(":"))
    return datetime.combine(day, dtime(hour, minute), tzinfo=centre_tz()).astimezone(UTC)


@bp.route("/plans/squads/<int:squad_id>/plan", methods=["GET", "POST"])
@staff_required
def plan_squad_session(squad_id: int):
    """Plan a one-off session of a squad: it shows in the members' and therapists' feeds."""
    squad: Squad = found(db.session.scalars(queries.squad_by_id(squad_id)).one_or_none())
    require("squad.record", squad)
    form = PlanSquadSessionForm()
    if request.method == "GET":
        local = now().astimezone(centre_tz())
        weekday = local.weekday() if squad.meets_weekday is None else squad.meets_weekday
        form.date.data = (
            local.date() + timedelta(days=(weekday - local.weekday()) % 7 or 7)
        ).isoformat()
        form.time.data = squad.meets_at or "18:00"
        form.kind.data = squad.kind.value
        form.place.data = squad.place or ""
    elif form.validate_on_submit():
        try:
            row = services.plan_squad_session(
                squad,
                actor=actor(),
                starts_at=_planned_start(form),
                kind=SessionKind(form.kind.data),
                place=(form.place.data or "").strip() or None,
            )
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            message = _(
                "Planned: %(kind)s for “%(name)s” on %(when)s. It is in the members' and their"
                " therapists' calendar feeds.",
                kind=row.kind.label,
                name=squad.name,
                when=when_text(row.starts_at),
            )
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("plans.squads"))
    return render_form("plans/squad_plan_form.html", form, squad=squad)


def _planned_row(planned_squad_id: int) -> PlannedSquadSession:
    row: PlannedSquadSession = found(
        db.session.scalars(queries.planned_squad_by_id(planned_squad_id)).one_or_none()
    )
    require("squad.record", row.squad)
    return row


@bp.route("/plans/planned-squad-sessions/<int:planned_squad_id>/cancel", methods=["GET", "POST"])
@staff_required
def cancel_planned_squad(planned_squad_id: int):
    row = _planned_row(planned_squad_id)
    form = ConfirmForm()
    when = when_text(row.starts_at)
    if form.validate_on_submit():
        services.cancel_planned(row, actor=actor())
        db.session.commit()
        flash(_("The session planned for %(when)s is called off.", when=when), "success")
        return redirect(url_for("plans.squads"))
    return render_template(
        "plans/confirm.html",
        form=form,
        title=_("Call off %(name)s's session?", name=row.squad.name),
        body=(
            _(
                "%(kind)s on %(when)s at %(place)s. It leaves the members' and their therapists'"
                " calendar feeds.",
                kind=row.kind.label,
                when=when,
                place=row.place,
            )
            if row.place
            else _(
                "%(kind)s on %(when)s. It leaves the members' and their therapists' calendar"
                " feeds.",
                kind=row.kind.label,
                when=when,
            )
        ),
        action=url_for("plans.cancel_planned_squad", planned_squad_id=row.id),
        cancel=url_for("plans.squads"),
        button=_("Call it off"),
    )

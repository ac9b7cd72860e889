"""A participant's plan: the week view (a section of their record), assigning a template,
adjusting planned sessions, pausing or ending, and marking days unavailable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from heartbeat.core.edits import (
    StaleEdit,
    apply_errors,
    parse_version,
    refuse_unchosen,
    render_form,
    save_versioned,
    versioned_form,
)
from heartbeat.core.i18n import _, ngettext
from heartbeat.core.units import day_text
from heartbeat.db import row_id
from heartbeat.extensions import db
from heartbeat.permissions import can, require, staff_required
from heartbeat.plans import queries
from heartbeat.plans.blueprint import (
    actor,
    bp,
    centre_tz,
    found,
    participant_or_404,
    today,
    viewer_units,
)
from heartbeat.plans.forms import (
    AssignForm,
    ConfirmForm,
    PlannedSessionForm,
    StatusForm,
    UnavailableForm,
)
from heartbeat.plans.models import Plan, PlannedSession, PlanStatus, Unavailability
from heartbeat.plans.services import assigning, weeks
from heartbeat.plans.values import PlanInputError, read_day, read_targets

ASSIGNABLE_LIMIT = 200


def _plan(plan_id: int, action: str) -> Plan:
    plan: Plan = found(db.session.scalars(queries.plan_by_id(plan_id)).one_or_none())
    require(action, plan)
    return plan


def _planned(row_id: int) -> PlannedSession:
    row: PlannedSession = found(
        db.session.scalars(queries.planned_session_by_id(row_id)).one_or_none()
    )
    require("plan.edit", row.plan)
    return row


@bp.get("/participants/<int:participant_id>/plan")
@login_required
def participant_plan(participant_id: int):
    participant = participant_or_404(participant_id, "plan.view")
    if not current_user.is_staff:
        return redirect(url_for("plans.my_plan"))
    day = today()
    plans = list(db.session.scalars(queries.plans_for(participant.id).limit(20)))
    chosen_id = request.args.get("plan", type=int)
    plan = next((p for p in plans if p.id == chosen_id), None) or weeks.shown_plan(
        participant.id, day, plans
    )
    wanted = request.args.get("week", type=int)
    view = None
    if plan is not None:
        # the week shown day by day: the one asked for, else this week (or the nearest end)
        real = wanted is not None and 1 <= wanted <= plan.weeks
        ask = plan.starts_on + timedelta(weeks=wanted - 1) if real and wanted else day
        view = weeks.plan_weeks(plan, centre_tz(), day, shown=ask)
    shown = None
    if view is not None:
        shown = next((w for w in view.weeks if w.number == wanted), None) or view.current
        shown = shown or (view.weeks[-1] if view.finished else view.weeks[0])
    return render_template(
        "plans/participant_plan.html",
        shown=shown,
        participant=participant,
        plans=plans,
        view=view,
        units=viewer_units(),
        tz=centre_tz(),
        today=day,
        can_edit=can(current_user, "plan.assign", participant),
        can_copy=plan is not None and can(current_user, "plan_template.edit", plan),
        status_form=StatusForm(),
        statuses=PlanStatus,
    )


def _next_monday(day: Any) -> Any:
    return day + timedelta(days=(7 - day.weekday()) % 7)


@bp.route("/participants/<int:participant_id>/plan/assign", methods=["GET", "POST"])
@staff_required
def assign(participant_id: int):
    participant = participant_or_404(participant_id, "plan.assign")
    choices = [
        (
            str(t.id),
            ngettext("%(name)s (%(num)s week)", "%(name)s (%(num)s weeks)", t.weeks, name=t.name),
        )
        for t in db.session.scalars(queries.templates().limit(ASSIGNABLE_LIMIT))
        if not t.retired
    ]
    form = AssignForm()
    form.template.choices = [("", _("Choose a template")), *choices]
    if request.method == "GET":
        form.starts_on.data = max(_next_monday(today()), participant.enrolled_on).isoformat()
        if len(choices) == 1:
            form.template.data = choices[0][0]
    elif form.validate_on_submit():
        try:
            try:
                template_id = row_id(form.template.data)  # never an id the database cannot hold
            except ValueError:
                template_id = 0
            template = db.session.scalars(queries.template_by_id(template_id)).one_or_none()
            if template is None:
                raise PlanInputError(_("Choose a template."), {"template": _("Choose a template.")})
            require("plan.assign", participant)
            starts_on = read_day(form.starts_on.data, "starts_on")
            sessions = db.session.scalars(queries.template_sessions(template.id)).all()
            plan = assigning.assign_plan(
                participant, template, list(sessions), starts_on=starts_on, actor=actor()
            )
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "“%(plan)s” assigned to %(name)s from %(day)s.",
                    plan=plan.name,
                    name=participant.display_name,
                    day=day_text(plan.starts_on),
                ),
                "success",
            )
            return redirect(url_for("plans.participant_plan", participant_id=participant.id))
    return render_form("plans/assign.html", form, participant=participant, has_templates=choices)


def _targets_of(form: PlannedSessionForm) -> dict[str, Any] | None:
    try:
        values = read_targets(form.targets(), viewer_units())
        values["on"] = read_day(form.on.data)
    except PlanInputError as error:
        apply_errors(form, error)
        return None
    return values


@bp.route("/plans/<int:plan_id>/sessions/new", methods=["GET", "POST"])
@staff_required
def new_planned(plan_id: int):
    plan = _plan(plan_id, "plan.edit")
    form = PlannedSessionForm()
    form.set_units(viewer_units())
    if request.method == "GET":
        form.on.data = request.args.get("on") or max(today(), plan.starts_on).isoformat()
    elif form.validate_on_submit() and (values := _targets_of(form)) is not None:
        try:
            assigning.add_planned_session(plan, actor=actor(), values=values)
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Session added on %(day)s.", day=day_text(values["on"])), "success")
            return _back(plan)
    return render_form("plans/planned_form.html", form, plan=plan, row=None, rebased=None)


def _back(plan: Plan) -> Any:
    return redirect(
        url_for("plans.participant_plan", participant_id=plan.participant_id, plan=plan.id)
    )


@bp.route("/planned/<int:planned_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_planned(planned_id: int):
    row = _planned(planned_id)
    plan = row.plan
    units = viewer_units()
    form, unchosen = versioned_form(PlannedSessionForm)
    form.set_units(units)
    rebased = None
    if request.method == "GET":
        form.load(row, units)
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        values = _targets_of(form)
        if values is not None:
            outcome = save_versioned(
                form,
                lambda: assigning.update_planned_session(
                    row,
                    plan,
                    actor=actor(),
                    values=values,
                    expected_version=form.expected_version(),
                ),
                load=lambda: form.load(row, units),
            )
            if outcome.saved:
                flash(_("Planned session saved, for this person only."), "success")
                return _back(plan)
            rebased = outcome.rebased
    return render_form("plans/planned_form.html", form, plan=plan, row=row, rebased=rebased)


@bp.route("/planned/<int:planned_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_planned(planned_id: int):
    row = _planned(planned_id)
    plan = row.plan
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            assigning.remove_planned_session(row, plan, actor=actor())
        except PlanInputError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Planned session removed."), "success")
        return _back(plan)
    return render_template(
        "plans/confirm.html",
        form=form,
        title=_("Remove this planned session?"),
        body=_(
            "%(kind)s on %(day)s, from %(name)s's plan. Sessions already done stay in their log.",
            kind=row.kind.label,
            day=day_text(row.on),
            name=plan.participant.display_name,
        ),
        action=url_for("plans.delete_planned", planned_id=row.id),
        cancel=url_for("plans.participant_plan", participant_id=plan.participant_id),
        button=_("Remove it"),
    )


@bp.route("/plans/<int:plan_id>/status", methods=["GET", "POST"])
@staff_required
def plan_status(plan_id: int):
    """Pause, resume or end a plan; ending asks first (it cannot be undone)."""
    plan = _plan(plan_id, "plan.edit")
    form = StatusForm()
    wanted = request.values.get("status", "")
    try:
        status = PlanStatus(wanted)
    except ValueError:
        return _back(plan)
    if request.method == "GET" or (status == PlanStatus.ENDED and not request.form.get("sure")):
        form.version.data = str(plan.version)
        return render_template("plans/end_plan.html", form=form, plan=plan, status=status)
    if form.validate_on_submit():
        try:
            assigning.set_status(
                plan,
                status,
                actor=actor(),
                today=today(),
                expected_version=parse_version(form.version.data),
            )
        except StaleEdit:
            db.session.rollback()
            flash(_("Someone else changed this plan a moment ago: nothing was saved."), "error")
        except PlanInputError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            message = {
                "paused": _("“%(plan)s” paused.", plan=plan.name),
                "active": _("“%(plan)s” resumed.", plan=plan.name),
                "ended": _("“%(plan)s” ended.", plan=plan.name),
            }[status.value]
            flash(message, "success")
    return _back(plan)


@bp.route("/participants/<int:participant_id>/unavailable", methods=["GET", "POST"])
@staff_required
def unavailable(participant_id: int):
    participant = participant_or_404(participant_id, "plan.mark_unavailable")
    form = UnavailableForm()
    if request.method == "GET":
        form.first.data = form.last.data = today().isoformat()
    elif form.validate_on_submit():
        try:
            first = read_day(form.first.data, "first")
            last = read_day(form.last.data or form.first.data, "last")
            assigning.mark_unavailable(
                participant, first, last, Unavailability(form.reason.data), actor=actor()
            )
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("Marked unavailable: those days are left out of the compliance figure."),
                "success",
            )
            return redirect(url_for("plans.participant_plan", participant_id=participant.id))
    return render_form("plans/unavailable.html", form, participant=participant)


@bp.post("/participants/<int:participant_id>/unavailable/<day>/clear")
@staff_required
def clear_unavailable(participant_id: int, day: str):
    participant = participant_or_404(participant_id, "plan.mark_unavailable")
    if ConfirmForm().validate_on_submit():
        try:
            cleared = assigning.clear_unavailable(participant, read_day(day), actor=actor())
        except PlanInputError:
            cleared = False
        if cleared:
            db.session.commit()
            flash(_("Available again: that day counts in compliance."), "success")
    return redirect(url_for("plans.participant_plan", participant_id=participant.id))

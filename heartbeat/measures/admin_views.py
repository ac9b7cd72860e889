"""The centre's measures (admins): the list, a new measure defined without code, each one's
schedule and smallest real change, retiring and restoring, and deleting one nobody answered."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from heartbeat.core.edits import apply_errors, render_form, save_versioned, versioned_form
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.measures import queries, services
from heartbeat.measures.blueprint import actor, bp, measure_or_404
from heartbeat.measures.forms import (
    ConfirmForm,
    MeasureForm,
    ScheduleForm,
    parse_change,
    parse_days,
)
from heartbeat.measures.scoring import Scoring
from heartbeat.permissions import admin_required, require


def _centre():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("measure.manage", centre)
    return centre


def _numbers(form) -> tuple[int | None, int | None, float | None] | None:
    try:
        due = parse_days(form.due_after_days.data)
    except ValueError:
        form.due_after_days.errors = [_("A whole number of days, or empty.")]
        return None
    try:
        overdue = parse_days(form.overdue_after_days.data)
    except ValueError:
        form.overdue_after_days.errors = [_("A whole number of days, or empty.")]
        return None
    try:
        change = parse_change(form.smallest_real_change.data)
    except ValueError:
        form.smallest_real_change.errors = [_("A number such as 5.1, or empty.")]
        return None
    return due, overdue, change


@bp.get("/centre/measures")
@admin_required
def manage():
    _centre()
    rows = db.session.scalars(queries.measures(include_retired=True)).all()
    return render_template("measures/manage.html", measures=rows, form=ConfirmForm())


@bp.route("/centre/measures/new", methods=["GET", "POST"])
@admin_required
def new_measure():
    centre = _centre()
    form = MeasureForm()
    if request.method == "POST" and form.validate_on_submit():
        numbers = _numbers(form)
        if numbers is not None:
            due, overdue, change = numbers
            try:
                measure = services.define_measure(
                    centre.id,
                    services.Definition(
                        title=form.title.data or "",
                        instructions=form.instructions.data or "",
                        completed_by=form.completed_by.data,
                        scale=form.scale.data,
                        scoring=Scoring(form.scoring.data),
                        items=(form.items.data or "").splitlines(),
                        allow_not_done=bool(form.allow_not_done.data),
                        higher_is_worse=bool(form.higher_is_worse.data),
                        smallest_real_change=change,
                        due_after_days=due,
                        overdue_after_days=overdue,
                    ),
                    actor=actor(),
                )
            except services.MeasureError as error:
                apply_errors(form, error)
            else:
                db.session.commit()
                flash(_("Measure \u201c%(title)s\u201d added.", title=measure.title), "success")
                return redirect(url_for(".manage"))
    return render_form("measures/new.html", form)


@bp.route("/centre/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_measure(measure_id: int):
    _centre()
    measure = measure_or_404(measure_id, "measure.manage")
    form, unchosen = versioned_form(ScheduleForm)

    def load() -> None:
        form.due_after_days.data = (
            "" if measure.due_after_days is None else str(measure.due_after_days)
        )
        form.overdue_after_days.data = (
            "" if measure.overdue_after_days is None else str(measure.overdue_after_days)
        )
        form.smallest_real_change.data = (
            "" if measure.smallest_real_change is None else f"{measure.smallest_real_change:g}"
        )
        form.mark_loaded(measure.version)

    rebased = None
    if request.method == "GET":
        load()
    elif form.validate_on_submit() and (numbers := _numbers(form)) is not None:
        due, overdue, change = numbers
        outcome = save_versioned(
            form,
            lambda: services.update_schedule(
                measure,
                actor=actor(),
                due_after_days=due,
                overdue_after_days=overdue,
                smallest_real_change=change,
                expected_version=form.expected_version(),
            ),
            load=load,
        )
        if outcome.saved:
            flash(_("Saved.") if outcome.result else _("Nothing had changed."), "success")
            return redirect(url_for(".manage"))
        rebased = outcome.rebased
    return render_form("measures/edit.html", form, measure=measure, rebased=rebased)


@bp.post("/centre/measures/<int:measure_id>/retire")
@admin_required
def retire(measure_id: int):
    _centre()
    measure = measure_or_404(measure_id, "measure.manage")
    if ConfirmForm().validate_on_submit():
        services.retire_measure(measure, actor=actor(), retire=not measure.retired)
        db.session.commit()
        flash(_("Measure retired.") if measure.retired else _("Measure restored."), "success")
    return redirect(url_for(".manage"))


@bp.route("/centre/measures/<int:measure_id>/delete", methods=["GET", "POST"])
@admin_required
def delete(measure_id: int):
    _centre()
    measure = measure_or_404(measure_id, "measure.manage")
    form = ConfirmForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.delete_measure(measure, actor=actor())
        except services.MeasureError as refused:
            error = str(refused)
        else:
            db.session.commit()
            flash(_("Measure deleted."), "success")
            return redirect(url_for(".manage"))
    return render_template("measures/delete.html", measure=measure, form=form, error=error), (
        422 if error else 200
    )

"""The centre's plan template library: staff read it, admins edit it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from heartbeat.core.edits import (
    apply_errors,
    refuse_unchosen,
    render_form,
    save_versioned,
    versioned_form,
)
from heartbeat.core.i18n import _, ngettext, speaking
from heartbeat.extensions import db
from heartbeat.permissions import admin_required, can, require, staff_required
from heartbeat.plans import queries
from heartbeat.plans.blueprint import actor, bp, centre, found, viewer_units
from heartbeat.plans.forms import ConfirmForm, CopyPlanForm, TemplateForm, TemplateSessionForm
from heartbeat.plans.library import DEFAULT_TEMPLATES
from heartbeat.plans.models import Plan, PlannedSession, PlanTemplate, TemplateSession
from heartbeat.plans.services import templates as services
from heartbeat.plans.values import PlanInputError, read_targets


def _template(template_id: int, action: str) -> PlanTemplate:
    template: PlanTemplate = found(
        db.session.scalars(queries.template_by_id(template_id)).one_or_none()
    )
    require(action, template)
    return template


@bp.get("/plans/templates")
@staff_required
def templates():
    require("plan_template.view", centre())
    rows = db.session.scalars(queries.templates()).all()
    names = {row.name for row in rows}
    # Named as they would be added: in the centre's language.
    with speaking(centre().language):
        missing = [
            str(spec.name) for spec in DEFAULT_TEMPLATES if not services.default_names(spec) & names
        ]
    return render_template(
        "plans/templates.html",
        templates=rows,
        used={row[0]: row[1] for row in db.session.execute(queries.plans_per_template())},
        can_edit=can(current_user, "plan_template.edit", centre()),
        defaults_missing=missing,
        form=ConfirmForm(),
    )


@bp.post("/plans/templates/defaults")
@admin_required
def add_default_templates():
    require("plan_template.edit", centre())
    if ConfirmForm().validate_on_submit():
        # Written in the centre's language, as a new centre's are (``plans.hooks``).
        with speaking(centre().language):
            added = services.seed_default_templates(centre().id)
        db.session.commit()
        flash(
            ngettext(
                "%(num)s default template added.", "%(num)s default templates added.", len(added)
            ),
            "success",
        )
    return redirect(url_for("plans.templates"))


@bp.get("/plans/templates/<int:template_id>")
@staff_required
def template(template_id: int):
    row = _template(template_id, "plan_template.view")
    sessions = db.session.scalars(queries.template_sessions(row.id)).all()
    weeks = {week: [s for s in sessions if s.week == week] for week in range(1, row.weeks + 1)}
    return render_template(
        "plans/template.html",
        template=row,
        weeks=weeks,
        empty=services.empty_weeks(row, list(sessions)),
        units=viewer_units(),
        can_edit=can(current_user, "plan_template.edit", row),
    )


@bp.route("/plans/templates/new", methods=["GET", "POST"])
@admin_required
def new_template():
    require("plan_template.edit", centre())
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            row = services.create_template(centre().id, actor=actor(), values=form.values())
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("“%(name)s” added: now add its sessions, week by week.", name=row.name), "success"
            )
            return redirect(url_for("plans.template", template_id=row.id))
    return render_form("plans/template_form.html", form, plan_template=None, rebased=None)


@bp.route("/plans/templates/<int:template_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_template(template_id: int):
    row = _template(template_id, "plan_template.edit")
    form, unchosen = versioned_form(TemplateForm)
    rebased = None
    if request.method == "GET":
        form.load(row)
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        outcome = save_versioned(
            form,
            lambda: services.update_template(
                row, actor=actor(), values=form.values(), expected_version=form.expected_version()
            ),
            load=lambda: form.load(row),
        )
        if outcome.saved:
            flash(_("“%(name)s” saved.", name=row.name), "success")
            return redirect(url_for("plans.template", template_id=row.id))
        rebased = outcome.rebased
    return render_form("plans/template_form.html", form, plan_template=row, rebased=rebased)


def _session_values(form: TemplateSessionForm) -> dict | None:
    try:
        values = read_targets(form.targets(), viewer_units())
    except PlanInputError as error:
        apply_errors(form, error)
        return None
    return {**values, **form.place()}


@bp.route("/plans/templates/<int:template_id>/sessions/new", methods=["GET", "POST"])
@admin_required
def new_template_session(template_id: int):
    row = _template(template_id, "plan_template.edit")
    form = TemplateSessionForm()
    form.set_weeks(row.weeks)
    form.set_units(viewer_units())
    if request.method == "GET":
        form.week.data = request.args.get("week", "1")
        form.day.data = "0"
    elif form.validate_on_submit() and (values := _session_values(form)) is not None:
        try:
            services.add_template_session(row, actor=actor(), values=values)
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Session added to week %(week)s.", week=values["week"]), "success")
            return redirect(url_for("plans.template", template_id=row.id))
    return render_form(
        "plans/template_session_form.html", form, plan_template=row, row=None, rebased=None
    )


def _template_session(row_id: int) -> TemplateSession:
    row: TemplateSession = found(
        db.session.scalars(queries.template_session_by_id(row_id)).one_or_none()
    )
    require("plan_template.edit", row)
    return row


@bp.route("/plans/template-sessions/<int:template_session_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_template_session(template_session_id: int):
    row = _template_session(template_session_id)
    template = row.template
    units = viewer_units()
    form, unchosen = versioned_form(TemplateSessionForm)
    form.set_weeks(template.weeks)
    form.set_units(units)
    rebased = None
    if request.method == "GET":
        form.load(row, units)
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        values = _session_values(form)
        if values is not None:
            outcome = save_versioned(
                form,
                lambda: services.update_template_session(
                    row,
                    template,
                    actor=actor(),
                    values=values,
                    expected_version=form.expected_version(),
                ),
                load=lambda: form.load(row, units),
            )
            if outcome.saved:
                flash(_("Session saved."), "success")
                return redirect(url_for("plans.template", template_id=template.id))
            rebased = outcome.rebased
    return render_form(
        "plans/template_session_form.html", form, plan_template=template, row=row, rebased=rebased
    )


@bp.route("/plans/template-sessions/<int:template_session_id>/delete", methods=["GET", "POST"])
@admin_required
def delete_template_session(template_session_id: int):
    row = _template_session(template_session_id)
    template = row.template
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_template_session(row, template, actor=actor())
        db.session.commit()
        flash(_("Session removed from the template."), "success")
        return redirect(url_for("plans.template", template_id=template.id))
    return render_template(
        "plans/confirm.html",
        form=form,
        title=_("Remove this session from the template?"),
        body=_(
            "Week %(week)s, day %(day)s: %(kind)s. Plans already assigned keep their sessions.",
            week=row.week,
            day=row.day + 1,
            kind=row.kind.label,
        ),
        action=url_for("plans.delete_template_session", template_session_id=row.id),
        cancel=url_for("plans.template", template_id=template.id),
        button=_("Remove the session"),
    )


@bp.route("/plans/templates/<int:template_id>/retire", methods=["GET", "POST"])
@admin_required
def retire_template(template_id: int):
    """Retire a template plans use, or delete one nobody used (after this confirmation)."""
    row = _template(template_id, "plan_template.edit")
    used = services.plans_using(row)
    form = ConfirmForm()
    if form.validate_on_submit():
        if used:
            services.retire_template(row, actor=actor())
            message = _(
                "“%(name)s” retired: plans assigned from it keep their sessions.", name=row.name
            )
        else:
            name = row.name
            services.delete_template(row, actor=actor())
            message = _("“%(name)s” deleted.", name=name)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("plans.templates"))
    if used:
        title = _("Retire “%(name)s”?", name=row.name)
        body = ngettext(
            "%(num)s plan was assigned from it: they keep their sessions. It leaves the list"
            " therapists assign from, and you can bring it back later.",
            "%(num)s plans were assigned from it: they keep their sessions. It leaves the list"
            " therapists assign from, and you can bring it back later.",
            used,
        )
        button = _("Retire the template")
    else:
        title = _("Delete “%(name)s”?", name=row.name)
        body = _("No plan was assigned from it, so it is deleted with its sessions, for good.")
        button = _("Delete the template")
    return render_template(
        "plans/confirm.html",
        form=form,
        title=title,
        body=body,
        action=url_for("plans.retire_template", template_id=row.id),
        cancel=url_for("plans.templates"),
        button=button,
    )


@bp.post("/plans/templates/<int:template_id>/restore")
@admin_required
def restore_template(template_id: int):
    row = _template(template_id, "plan_template.edit")
    if ConfirmForm().validate_on_submit() and services.retire_template(
        row, actor=actor(), retired=False
    ):
        db.session.commit()
        flash(_("“%(name)s” is back in the list therapists assign from.", name=row.name), "success")
    return redirect(url_for("plans.templates"))


@bp.route("/plans/<int:plan_id>/save-as-template", methods=["GET", "POST"])
@admin_required
def copy_plan(plan_id: int):
    """A participant's plan, as adjusted for them, copied into a new template."""
    plan: Plan = found(db.session.scalars(queries.plan_by_id(plan_id)).one_or_none())
    require("plan_template.edit", plan)
    form = CopyPlanForm()
    if request.method == "GET":
        form.name.data = _("%(name)s (adjusted)", name=plan.name)[:120]
        form.keep_notes.data = True
    elif form.validate_on_submit():
        planned = db.session.scalars(
            queries.planned_between(plan.participant_id, plan.starts_on, plan.last_day).where(
                PlannedSession.plan_id == plan.id
            )
        ).all()
        try:
            row = services.template_from_plan(
                plan,
                list(planned),
                actor=actor(),
                values={"name": form.name.data, "summary": (form.summary.data or "").strip()},
                keep_notes=bool(form.keep_notes.data),
            )
        except PlanInputError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("“%(name)s” added to the templates, copied from this plan.", name=row.name),
                "success",
            )
            return redirect(url_for("plans.template", template_id=row.id))
    return render_form("plans/copy_plan.html", form, plan=plan)

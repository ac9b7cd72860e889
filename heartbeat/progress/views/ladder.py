"""The admin's ladder editor, and re-evaluating the centre's awards after a change.

Stages are loaded through the request's centre scope: another centre's stage is simply not found
(404). Only admins reach these pages (403 for everyone else). Re-evaluating runs as a background
job (``progress.jobs``): the button leads to the job's page, which follows it to its report.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2

from heartbeat.auth.viewer import current_units
from heartbeat.centres.models import Centre
from heartbeat.core.edits import (
    StaleEdit,
    apply_errors,
    parse_version,
    refuse_unchosen,
    render_form,
    save_versioned,
    versioned_form,
)
from heartbeat.core.i18n import _
from heartbeat.core.transactions import rollback
from heartbeat.core.units import Units, day_text
from heartbeat.extensions import db
from heartbeat.permissions import admin_required, require
from heartbeat.progress import jobs as progress_jobs
from heartbeat.progress import queries, stages
from heartbeat.progress.blueprint import bp
from heartbeat.progress.forms import StageEditForm, StageForm, VersionForm
from heartbeat.progress.models import Award, CriterionKind, LadderStage
from heartbeat.progress.sentences import (
    SAMPLE_NAME,
    clean_description,
    description_problem,
    milestone_sentence,
)
from heartbeat.progress.services import ladder as load_ladder
from heartbeat.progress.skills import required_items, skill_items
from heartbeat.progress.summary import criterion_text


def _actor():
    return current_user._get_current_object()


def _centre() -> Centre:
    centre = current_user.centre
    if centre is None:
        abort(404)
    return centre


def _units(centre: Centre) -> Units:
    # The signed-in admin's units: the criteria they read and the distances they type.
    return current_units()


def _stage(stage_id: int) -> LadderStage:
    stage = db.session.scalars(queries.stage_by_id(stage_id)).one_or_none()
    if stage is None:
        abort(404)
    require("ladder.edit", stage)
    return stage


def _award_counts() -> dict[int | None, int]:
    return dict(
        db.session.execute(
            sa.select(Award.stage_id, sa.func.count())
            .where(Award.stage_id.is_not(None))
            .group_by(Award.stage_id)
        ).all()
    )


def _render_ladder(centre: Centre, *, stale: LadderStage | None = None, code: int = 200):
    all_stages = load_ladder(centre.id)
    units = _units(centre)
    skills = required_items(stage.id for stage in all_stages)
    return render_template(
        "progress/ladder.html",
        centre=centre,
        stages=all_stages,
        criteria={stage.id: criterion_text(stage, units) for stage in all_stages},
        skills={
            stage.id: _skills_text([item.label for item in skills[stage.id]])
            for stage in all_stages
        },
        sample_name=SAMPLE_NAME,
        # Stages worded before the sentence rule (or by hand in the database) are pointed out.
        problems={
            stage.id: problem
            for stage in all_stages
            if (problem := description_problem(stage.description, centre.language))
        },
        award_counts=_award_counts(),
        offer_recompute=request.args.get("changed") == "1",
        stale=stale,
        day_text=day_text,
        tz_name=centre.timezone,
    ), code


def _skills_text(labels: list[str]) -> str:
    """``rules.skills.skills_sentence`` in the reader's language (certificates keep theirs)."""
    if not labels:
        return ""
    return _("Skills required (wheelchair skills checklist): %(skills)s.", skills="; ".join(labels))


def _changed(message: str):
    flash(message, "success")
    return redirect(url_for("progress.ladder", changed="1"))


@bp.get("/ladder")
@admin_required
def ladder():
    centre = _centre()
    require("ladder.edit", centre)
    return _render_ladder(centre)


def _preview(form, language: str) -> dict[str, object]:
    """The certificate sentence as the form's description would print it, worked out on the
    server so the preview needs no script: the "Show the sentence" button sends the form back
    without saving."""
    description = clean_description(form.description.data)
    return {
        "sentence": milestone_sentence(SAMPLE_NAME, description) if description else None,
        "sentence_problem": description_problem(description, language) if description else None,
    }


def _previewing() -> bool:
    return request.method == "POST" and "preview" in request.form


def _places(all_stages: list[LadderStage]) -> list[SelectChoice]:
    return [
        SelectChoice("end", _("At the end of the ladder")),
        SelectChoice("top", _("At the top, before every other stage")),
        *(
            SelectChoice(
                f"after:{stage.id}",
                _("After %(place)s. %(title)s", place=stage.position, title=stage.title),
            )
            for stage in all_stages
            if not stage.retired
        ),
    ]


@bp.route("/ladder/new", methods=["GET", "POST"])
@admin_required
def add_stage():
    centre = _centre()
    require("ladder.edit", centre)
    form = StageForm(units=_units(centre), places=_places(load_ladder(centre.id)))
    form.offer_skills(skill_items(centre.id))
    if not _previewing() and form.validate_on_submit():
        try:
            stage = stages.add_stage(
                centre.id,
                actor=_actor(),
                title=form.title.data,
                description=form.description.data,
                kind=form.kind.data,
                threshold_m=form.threshold_m,
                max_duration_s=form.max_duration_s,
                valid_for_months=form.valid_for_months,
                skill_ids=form.skill_ids,
                **form.placement(),
            )
        except stages.StageError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            return _changed(
                _(
                    "“%(title)s” is on the ladder at place %(place)s.",
                    title=stage.title,
                    place=stage.position,
                )
            )
    return render_form(
        "progress/stage_new.html",
        form,
        status=200 if _previewing() else None,
        units=_units(centre),
        **_preview(form, centre.language),
    )


@bp.route("/ladder/<int:stage_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_stage(stage_id: int):
    stage = _stage(stage_id)
    centre = _centre()
    form, unchosen = versioned_form(StageEditForm)
    # Only a sign-off stage requires skills: a session reaches the others.
    asks_skills = stage.kind == CriterionKind.SIGNOFF
    form.offer_skills(skill_items(centre.id) if asks_skills else [])

    def load() -> None:
        form.load(stage, required_items([stage.id])[stage.id] if asks_skills else [])

    rebased = None
    if request.method == "GET":
        load()
    elif _previewing():
        pass  # the page shows the sentence; nothing is saved
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        outcome = save_versioned(
            form,
            lambda: stages.update_stage(
                stage,
                actor=_actor(),
                title=form.title.data or "",  # required fields of a validated form
                description=form.description.data or "",
                expected_version=form.expected_version(),
                valid_for_months=form.valid_for_months,
                skill_ids=form.skill_ids if asks_skills else None,
            ),
            load=load,
        )
        if outcome.saved:
            if not outcome.result:
                flash(_("Nothing had changed, so nothing was saved."), "info")
            else:
                flash(
                    _(
                        "“%(title)s” is saved. Awards already made keep their stage.",
                        title=stage.title,
                    ),
                    "success",
                )
            return redirect(url_for("progress.ladder"))
        rebased = outcome.rebased
    return render_form(
        "progress/stage_edit.html",
        form,
        status=200 if _previewing() else None,
        stage=stage,
        criterion=criterion_text(stage, _units(centre)),
        asks_skills=asks_skills and bool(form.skills.choices),
        rebased=rebased,
        **_preview(form, centre.language),
    )


@bp.post("/ladder/<int:stage_id>/move")
@admin_required
def move_stage(stage_id: int):
    stage = _stage(stage_id)
    form = VersionForm()
    direction = request.form.get("direction", "")
    if not form.validate_on_submit() or direction not in ("up", "down"):
        abort(400)
    try:
        moved = stages.move_stage(
            stage, direction, actor=_actor(), expected_version=parse_version(form.version.data)
        )
    except StaleEdit:
        rollback()
        return _render_ladder(_centre(), stale=stage, code=409)
    if not moved:
        flash(
            _("“%(title)s” is already at the top.", title=stage.title)
            if direction == "up"
            else _("“%(title)s” is already at the end.", title=stage.title),
            "info",
        )
        return redirect(url_for("progress.ladder"))
    db.session.commit()
    return _changed(
        _("“%(title)s” moved up to place %(place)s.", title=stage.title, place=stage.position)
        if direction == "up"
        else _(
            "“%(title)s” moved down to place %(place)s.", title=stage.title, place=stage.position
        )
    )


@bp.route("/ladder/<int:stage_id>/retire", methods=["GET", "POST"])
@admin_required
def retire_stage(stage_id: int):
    stage = _stage(stage_id)
    form = VersionForm()
    if request.method == "GET":
        if stage.retired:
            flash(_("“%(title)s” is already retired.", title=stage.title), "info")
            return redirect(url_for("progress.ladder"))
        form.version.data = str(stage.version)
        awards = _award_counts().get(stage.id, 0)
        return render_template("progress/stage_retire.html", stage=stage, form=form, awards=awards)
    if not form.validate_on_submit():
        abort(400)
    try:
        stages.retire_stage(
            stage, actor=_actor(), expected_version=parse_version(form.version.data)
        )
    except StaleEdit:
        rollback()
        return _render_ladder(_centre(), stale=stage, code=409)
    except stages.StageError as error:
        flash(str(error), "info")
        return redirect(url_for("progress.ladder"))
    db.session.commit()
    return _changed(
        _(
            "“%(title)s” is retired. Awards already made for it stay valid; nobody new can reach"
            " it.",
            title=stage.title,
        )
    )


@bp.post("/ladder/<int:stage_id>/restore")
@admin_required
def restore_stage(stage_id: int):
    stage = _stage(stage_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stages.restore_stage(
            stage, actor=_actor(), expected_version=parse_version(form.version.data)
        )
    except StaleEdit:
        rollback()
        return _render_ladder(_centre(), stale=stage, code=409)
    except stages.StageError as error:
        rollback()
        flash(str(error), "error")
        return redirect(url_for("progress.ladder"))
    db.session.commit()
    return _changed(
        _(
            "“%(title)s” is back on the ladder at place %(place)s.",
            title=stage.title,
            place=stage.position,
        )
    )


@bp.route("/ladder/recompute", methods=["GET", "POST"])
@admin_required
def recompute():
    centre = _centre()
    require("ladder.edit", centre)
    if request.method == "GET":
        return render_template("progress/recompute_confirm.html", centre=centre, form=VersionForm())
    if not VersionForm().validate_on_submit():
        abort(400)
    from heartbeat.jobs.services import dispatch

    running = progress_jobs.unfinished_recompute()
    if running is not None:
        # A second run would find nothing the first one will not: follow that one instead.
        flash(
            _("The centre's awards are already being re-evaluated: this page follows it."), "info"
        )
        return redirect(url_for("jobs.status", job_id=running))
    job_id = progress_jobs.submit_recompute(centre, actor=_actor())
    db.session.commit()
    dispatch(job_id)
    return redirect(url_for("jobs.status", job_id=job_id))

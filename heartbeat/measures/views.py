"""Completing outcome measures: one question per screen, saved as you go, then a review and
submit. Staff complete a participant's questionnaire on their behalf (recorded as such).
Thin views: load, check permission, one service call, commit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from heartbeat.auth.models import Role
from heartbeat.core.edits import StaleEdit, apply_errors, parse_version
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.measures import queries, services
from heartbeat.measures.blueprint import (
    actor,
    bp,
    measure_or_404,
    participant_or_404,
    response_or_404,
    today,
    tz,
)
from heartbeat.measures.forms import AnswerForm, ConfirmForm, SubmitForm
from heartbeat.measures.models import MeasureResponse
from heartbeat.measures.scoring import real_change
from heartbeat.participants import queries as participant_queries
from heartbeat.permissions import require, staff_required


@bp.get("/participants/<int:participant_id>/measures")
@staff_required
def participant_measures(participant_id: int):
    participant = participant_or_404(participant_id, "measure.list")
    zone, day = tz(), today()
    standings = queries.standings(participant, today=day, tz=zone)
    histories = {
        s.measure.id: queries.history(participant.id, s.measure.id)
        for s in standings
        if s.last_at is not None
    }
    return render_template(
        "measures/participant.html",
        participant=participant,
        standings=standings,
        histories=histories,
        real_change=real_change,
        tz=zone,
        form=ConfirmForm(),
    )


@bp.get("/me/measures")
@login_required
def my_measures():
    if current_user.role != Role.PARTICIPANT:
        return redirect(url_for("home.index"))
    participant = db.session.scalars(
        participant_queries.participant_for_user(current_user.id)
    ).one_or_none()
    if participant is None:
        return redirect(url_for("participants.portal"))
    zone, day = tz(), today()
    standings = [
        s for s in queries.standings(participant, today=day, tz=zone) if s.measure.by_participant
    ]
    return render_template(
        "measures/mine.html",
        participant=participant,
        standings=standings,
        tz=zone,
        form=ConfirmForm(),
    )


@bp.post("/participants/<int:participant_id>/measures/<int:measure_id>/start")
@login_required
def start(participant_id: int, measure_id: int):
    participant = participant_or_404(participant_id, "measure.start")
    measure = measure_or_404(measure_id, "measure.read")
    if not current_user.is_staff and not measure.by_participant:
        abort(403)  # checklists are scored by staff
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        response = services.start_response(participant, measure, actor=actor())
    except services.MeasureError as error:
        flash(str(error), "error")
        return redirect(url_for("participants.portal"))
    db.session.commit()
    return redirect(url_for(".question", response_id=response.id, number=_next_number(response)))


def _next_number(response: MeasureResponse) -> int:
    answered = services.answers_of(response)
    for item in queries.items_of(response.measure_id):
        if item.id not in answered:
            return item.position
    return 0  # all answered: the review


def _back_to(response: MeasureResponse) -> str:
    if current_user.is_staff:
        return url_for(".participant_measures", participant_id=response.participant_id)
    return url_for(".my_measures")


@bp.route("/measures/responses/<int:response_id>/questions/<int:number>", methods=["GET", "POST"])
@login_required
def question(response_id: int, number: int):
    response = response_or_404(response_id, "measure.complete")
    measure = response.measure
    if response.complete:
        flash(_("This questionnaire was already submitted."), "info")
        return redirect(url_for(".result", response_id=response.id))
    items = measure.items
    if number == 0:
        return redirect(url_for(".review", response_id=response.id))
    if not 1 <= number <= len(items):
        abort(404)
    item = items[number - 1]
    form = AnswerForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.answer(response, item, form.value.data, measure=measure, actor=actor())
            except services.MeasureError as error:
                apply_errors(form, error)
                if not form.value.errors:
                    form.value.errors = [str(error)]
            else:
                db.session.commit()
                following = number + 1 if number < len(items) else 0
                if request.form.get("to") == "review":
                    following = 0
                return redirect(url_for(".question", response_id=response.id, number=following))
        status = 422
    current = services.answers_of(response).get(item.id)
    chosen = (
        form.value.data
        if request.method == "POST"
        else (
            "none"
            if current is not None and current.not_done
            else str(current.value)
            if current is not None
            else ""
        )
    )
    return render_template(
        "measures/question.html",
        response=response,
        measure=measure,
        item=item,
        number=number,
        count=len(items),
        form=form,
        chosen=chosen,
        back=_back_to(response),
    ), status


@bp.route("/measures/responses/<int:response_id>/review", methods=["GET", "POST"])
@login_required
def review(response_id: int):
    response = response_or_404(response_id, "measure.complete")
    measure = response.measure
    if response.complete:
        flash(_("This questionnaire was already submitted."), "info")
        return redirect(url_for(".result", response_id=response.id))
    form = SubmitForm()
    status = 200
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.complete(
                response,
                measure=measure,
                items=measure.items,
                actor=actor(),
                expected_version=parse_version(form.version.data),
            )
        except services.MeasureError as refused:
            error, status = str(refused), 422
        except StaleEdit:
            error, status = (
                _("This questionnaire changed while you were on this page: check it."),
                409,
            )
        else:
            db.session.commit()
            flash(_("Thank you: your answers are saved and your team can see them."), "success")
            return redirect(url_for(".result", response_id=response.id))
    form.version.data = str(response.version)
    return render_template(
        "measures/review.html",
        response=response,
        measure=measure,
        answers=services.answers_of(response),
        form=form,
        error=error,
        back=_back_to(response),
    ), status


@bp.get("/measures/responses/<int:response_id>")
@login_required
def result(response_id: int):
    response = response_or_404(response_id, "measure.view")
    if not response.complete:
        return redirect(url_for(".review", response_id=response.id))
    require("measure.view", response)
    return render_template(
        "measures/result.html",
        response=response,
        measure=response.measure,
        answers=services.answers_of(response),
        tz=tz(),
        back=_back_to(response),
    )

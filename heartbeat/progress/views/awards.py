"""Therapists' decisions about awards: verify (one or several), sign off a skills stage, settle a
flagged award, and the centre-wide list of awards waiting for a person.

Every route answers from the participant page's point of view and goes back there afterwards,
where the certificates feature offers to issue a certificate for a verified award.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from heartbeat.auth.viewer import current_units
from heartbeat.core.edits import parse_version, render_form
from heartbeat.core.i18n import _, ngettext
from heartbeat.core.transactions import rollback
from heartbeat.core.units import day_text, distance_text
from heartbeat.db import row_id, utcnow
from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.participants.models import Participant
from heartbeat.permissions import require, staff_required
from heartbeat.progress import queries, reviews
from heartbeat.progress.blueprint import bp
from heartbeat.progress.forms import SignOffForm, VersionForm, WithdrawForm
from heartbeat.progress.ladder import records_chair_fitting
from heartbeat.progress.models import HISTORY_EVIDENCE, REVIEW_REASONS, Award, CriterionKind
from heartbeat.progress.rules.skills import unmet
from heartbeat.progress.services import (
    ProgressError,
    award_moment,
    award_title_text,
    sign_off,
    verify_awards,
)
from heartbeat.progress.skills import checks_for


def _changed_meanwhile(title: str) -> None:
    message = _("“%(title)s” changed after you opened the page; check it and try again.")
    flash(message % {"title": title}, "warning")


def _actor():
    return current_user._get_current_object()


def _tz() -> ZoneInfo:
    return ZoneInfo(current_user.centre.timezone)


def _today() -> date:
    return utcnow().astimezone(_tz()).date()


def _participant(participant_id: int, action: str) -> Participant:
    participant = db.session.scalars(
        participant_queries.participant_by_id(participant_id)
    ).one_or_none()
    if participant is None:
        abort(404)
    require(action, participant)
    return participant


def _award(participant: Participant, award_id: int) -> Award:
    award = db.session.scalars(queries.award_of(participant.id, award_id)).one_or_none()
    if award is None:
        abort(404)
    require("award.verify", award)
    return award


def _back(participant: Participant):
    return redirect(
        url_for("progress.participant_progress", participant_id=participant.id, _anchor="awards")
    )


def _titles(awards) -> str:
    return ", ".join(f"“{award_title_text(award)}”" for award in awards)


@bp.post("/participants/<int:participant_id>/awards/verify")
@staff_required
def verify(participant_id: int):
    participant = _participant(participant_id, "award.verify")
    if not VersionForm().validate_on_submit():
        abort(400)
    only = request.form.get("only", type=row_id)
    ids = [only] if only is not None else request.form.getlist("award", type=row_id)
    ids = sorted(set(ids))
    if not ids:
        flash(_("Tick at least one award to verify, then press “Verify ticked awards”."), "error")
        return _back(participant)
    awards = db.session.scalars(queries.awards_by_ids(participant.id, ids)).unique().all()
    for award in awards:
        require("award.verify", award)
    stale = [
        award
        for award in awards
        if parse_version(request.form.get(f"version-{award.id}")) != award.version
    ]
    to_date = [award for award in awards if award.review_reason == HISTORY_EVIDENCE]
    ready = [
        award
        for award in awards
        if award not in stale and not award.verified and award not in to_date
    ]
    ready_titles, stale_titles = _titles(ready), _titles(stale)  # before the commit expires them
    to_date_titles = _titles(to_date)
    count = verify_awards(ready, actor=_actor())
    db.session.commit()
    if count:
        flash(
            ngettext(
                "Verified %(num)s award: %(titles)s.",
                "Verified %(num)s awards: %(titles)s.",
                count,
                titles=ready_titles,
            ),
            "success",
        )
    if stale:
        flash(
            _(
                "%(titles)s changed after you opened the page (the evidence moved), so nothing was"
                " done to it. Check it below and verify again.",
                titles=stale_titles,
            ),
            "warning",
        )
    if to_date:
        flash(
            _(
                "%(titles)s: only history reaches it, so it needs its date: confirm it with a date"
                " under “From history”.",
                titles=to_date_titles,
            ),
            "warning",
        )
    missing = len(ids) - len(awards)
    if missing:
        flash(
            ngettext(
                "%(num)s of the ticked awards no longer exists: the sessions behind them changed.",
                "%(num)s of the ticked awards no longer exist: the sessions behind them changed.",
                missing,
            ),
            "warning",
        )
    if not count and not stale and not missing and not to_date:
        flash(_("Those awards were already verified."), "info")
    return _back(participant)


@bp.post("/participants/<int:participant_id>/awards/<int:award_id>/confirm")
@staff_required
def confirm_award(participant_id: int, award_id: int):
    participant = _participant(participant_id, "award.verify")
    award = _award(participant, award_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    if parse_version(form.version.data) != award.version:
        _changed_meanwhile(award_title_text(award))
        return _back(participant)
    title = award_title_text(award)
    try:
        outcome = reviews.confirm_review(award, participant, actor=_actor())
    except ProgressError as error:
        rollback()
        flash(str(error), "info")
        return _back(participant)
    db.session.commit()
    if outcome == "moved":
        flash(
            _("“%(title)s” is confirmed with the evidence the sessions show now.", title=title),
            "success",
        )
    else:
        flash(
            _(
                "“%(title)s” is kept as verified, on your word; it will not be flagged again.",
                title=title,
            ),
            "success",
        )
    return _back(participant)


@bp.post("/participants/<int:participant_id>/awards/<int:award_id>/confirm-history")
@staff_required
def confirm_history(participant_id: int, award_id: int):
    """A therapist confirms an award only history reaches, with the day it is dated."""
    participant = _participant(participant_id, "award.verify")
    award = _award(participant, award_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    title = award_title_text(award)
    if parse_version(form.version.data) != award.version:
        _changed_meanwhile(title)
        return _back(participant)
    try:
        achieved_on = date.fromisoformat(request.form.get("achieved_on", "").strip())
    except ValueError:
        flash(
            _("Enter the date of “%(title)s” as a real date, such as 2025-05-01.", title=title),
            "error",
        )
        return _back(participant)
    try:
        reviews.confirm_history(award, participant, actor=_actor(), achieved_on=achieved_on)
    except ProgressError as error:
        rollback()
        flash(_("“%(title)s” was not confirmed: %(error)s", title=title, error=error), "error")
        return _back(participant)
    db.session.commit()
    flash(
        _(
            "“%(title)s” is confirmed and dated %(day)s.",
            title=title,
            day=day_text(achieved_on),
        ),
        "success",
    )
    return _back(participant)


@bp.route(
    "/participants/<int:participant_id>/awards/<int:award_id>/withdraw", methods=["GET", "POST"]
)
@staff_required
def withdraw_award(participant_id: int, award_id: int):
    participant = _participant(participant_id, "award.verify")
    award = _award(participant, award_id)
    form = WithdrawForm()
    code = 200
    if request.method == "GET":
        form.version.data = str(award.version)
    elif form.validate_on_submit():
        if parse_version(form.version.data) != award.version:
            form.form_errors.append(
                _(
                    "This award changed after you opened the page. Check it on the participant's"
                    " page before withdrawing it."
                )
            )
            form.version.data = str(award.version)
            code = 409
        else:
            title = award_title_text(award)
            try:
                reviews.withdraw_award(
                    award, participant, actor=_actor(), reason=form.reason.data or ""
                )
            except ProgressError as error:
                rollback()
                form.form_errors.append(str(error))
                code = 422
            else:
                db.session.commit()
                flash(
                    _("“%(title)s” is withdrawn; the reason is in the audit trail.", title=title),
                    "success",
                )
                return _back(participant)
    else:
        code = 422
    if code != 200:
        # A failed attempt may have expired the award; read it again for the page.
        award = _award(participant, award_id)
    return render_template(
        "progress/award_withdraw.html",
        participant=participant,
        award=award,
        title=award_title_text(award),
        reason_text=REVIEW_REASONS.get(award.review_reason or ""),
        achieved=day_text(award.achieved_at.astimezone(_tz()).date()),
        form=form,
    ), code


@bp.route(
    "/participants/<int:participant_id>/stages/<int:stage_id>/sign-off", methods=["GET", "POST"]
)
@staff_required
def sign_off_stage(participant_id: int, stage_id: int):
    participant = _participant(participant_id, "award.sign_off")
    stage = db.session.scalars(queries.stage_by_id(stage_id)).one_or_none()
    if stage is None or stage.centre_id != participant.centre_id:
        abort(404)
    require("award.sign_off", stage)
    if stage.kind != CriterionKind.SIGNOFF:
        abort(404)
    form = SignOffForm()
    # "Chair fitted" and the participant's equipment record tell one story: with no fitting on
    # record yet, the sign-off asks for the chair and records the fitting with it.
    fitting_on_record = None
    if records_chair_fitting(stage.code):
        fitting_on_record = db.session.scalars(
            participant_queries.fittings_for(participant.id).limit(1)
        ).first()
    asks_for_chair = records_chair_fitting(stage.code) and fitting_on_record is None
    # Skills the stage requires, with the participant's latest score: unmet ones warn (the rule
    # is in ``rules/skills.py``), and the sign-off's audit entry names them.
    skills = checks_for(participant, stage)
    not_met = unmet(skills)
    if request.method == "GET":
        form.signed_on.data = _today()
    elif form.validate_on_submit():
        signed_on = form.signed_on.data
        assert signed_on is not None  # a required field of a validated form
        if signed_on > _today():
            form.signed_on.errors = [*form.signed_on.errors, _("The date cannot be in the future.")]
        elif signed_on < participant.date_of_birth:
            form.signed_on.errors = [
                *form.signed_on.errors,
                _("The date is before the participant was born."),
            ]
        else:
            achieved_at = award_moment(signed_on, _tz())
            message = _(
                "“%(title)s” is signed off for %(name)s (%(day)s).",
                title=stage.title,
                name=participant.display_name,
                day=day_text(signed_on),
            )
            if not_met:
                message += " " + ngettext(
                    "%(num)s required skill not recorded as passed (%(skills)s): the audit trail"
                    " notes it.",
                    "%(num)s required skills not recorded as passed (%(skills)s): the audit trail"
                    " notes it.",
                    len(not_met),
                    skills="; ".join(check.label for check in not_met),
                )
            try:
                sign_off(
                    participant,
                    stage,
                    actor=_actor(),
                    achieved_at=achieved_at,
                    fitting=form.fitting() if asks_for_chair else None,
                )
            except ProgressError as error:
                rollback()
                form.form_errors.append(str(error))
            else:
                db.session.commit()
                flash(message, "success")
                return redirect(
                    url_for(
                        "progress.participant_progress",
                        participant_id=participant_id,
                        _anchor="ladder",
                    )
                )
    return render_form(
        "progress/sign_off.html",
        form,
        participant=participant,
        stage=stage,
        asks_for_chair=asks_for_chair,
        fitting_on_record=fitting_on_record,
        skills=skills,
        not_met=not_met,
        tz=_tz(),
    )


@bp.get("/awards/pending")
@staff_required
def pending_awards():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("award.verify", centre)
    page = db.paginate(
        queries.pending_awards(),
        per_page=current_app.config["HEARTBEAT_PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "progress/pending.html",
        page=page,
        tz=_tz(),
        award_title=award_title_text,
        reasons=REVIEW_REASONS,
        day_text=day_text,
        distance_text=distance_text,
        units=current_units(),
    )

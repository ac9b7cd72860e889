"""Red flags: one flag (its guidance, and acknowledging it), a participant's flags, and the
centre's guidance. Thin views: load, check permission, one service call, commit."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
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
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.permissions import admin_required, require, staff_required
from heartbeat.safety import queries, services
from heartbeat.safety.blueprint import actor, bp, flag_or_404
from heartbeat.safety.forms import AcknowledgeForm, GuidanceForm
from heartbeat.safety.rules import shown_guidance, symptom_labels


def _tz() -> ZoneInfo:
    return ZoneInfo(current_user.centre.timezone)


@bp.route("/red-flags/<int:flag_id>", methods=["GET", "POST"])
@login_required
def flag(flag_id: int):
    """The guidance first, then what was reported; staff acknowledge it here with a note."""
    flag = flag_or_404(flag_id, "red_flag.view")
    form = AcknowledgeForm()
    status = 200
    if request.method == "POST":
        require("red_flag.acknowledge", flag)
        if form.validate_on_submit():
            try:
                services.acknowledge(
                    flag,
                    actor=actor(),
                    follow_up=form.follow_up.data or "",
                    expected_version=parse_version(form.version.data),
                    now=utcnow(),
                )
            except services.SafetyError as error:
                apply_errors(form, error)
            except StaleEdit:
                form.follow_up.errors = [
                    _(
                        "Someone acknowledged or changed this red flag after you opened it:"
                        " read it again below."
                    )
                ]
            else:
                db.session.commit()
                flash(_("Red flag acknowledged; your follow-up note is on the record."), "success")
                return redirect(url_for(".flag", flag_id=flag.id))
        status = 422
    form.version.data = str(flag.version)
    return render_template(
        "safety/flag.html",
        flag=flag,
        participant=flag.participant,
        symptoms=symptom_labels(flag.symptoms),
        guidance=services.guidance_text(flag.centre_id),
        form=form,
        staff=current_user.is_staff,
        tz=_tz(),
    ), status


@bp.get("/participants/<int:participant_id>/red-flags")
@staff_required
def participant_flags(participant_id: int):
    participant = db.session.scalars(
        participant_queries.participant_by_id(participant_id)
    ).one_or_none()
    if participant is None:
        abort(404)
    require("red_flag.list", participant)
    page = db.paginate(
        queries.flags_for(participant.id),
        per_page=current_app.config["HEARTBEAT_PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "safety/flags.html", participant=participant, page=page, tz=_tz(), labels=symptom_labels
    )


@bp.route("/centre/safety-guidance", methods=["GET", "POST"])
@admin_required
def guidance():
    """The clinical lead's wording of what to do when symptoms are reported."""
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("safety.edit_guidance", centre)
    form, unchosen = versioned_form(GuidanceForm)

    def load() -> None:
        row = services.guidance_row(centre.id)
        form.text.data = shown_guidance(row.dysreflexia if row is not None else None)
        form.mark_loaded(row.version if row is not None else 0)

    def render(rebased=None):
        return render_form("safety/guidance.html", form, rebased=rebased)

    if request.method == "GET":
        load()
        return render()
    if not form.validate_on_submit():
        return render()
    if (rebased := refuse_unchosen(form, unchosen)) is not None:
        return render(rebased)
    outcome = save_versioned(
        form,
        lambda: services.set_guidance(
            centre.id,
            form.text.data or "",
            actor=actor(),
            expected_version=form.expected_version(),
            now=utcnow(),
        ),
        load=load,
    )
    if not outcome.saved:
        return render(outcome.rebased)
    if outcome.result:
        flash(_("Guidance saved. It shows the next time symptoms are reported."), "success")
    else:
        flash(_("Nothing had changed, so nothing was saved."), "info")
    return redirect(url_for(".guidance"))

"""The training log: a participant's sessions, one session, logging, editing, deleting, verifying.

Views are thin: load through a centre-scoped query, check permission, read the form with the
shared rules (``values.read_session``), call one service, commit, flash and redirect.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import tzinfo
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from heartbeat.auth.models import Role
from heartbeat.core.edits import (
    apply_errors,
    refuse_unchosen,
    render_form,
    save_versioned,
    versioned_form,
)
from heartbeat.core.i18n import _, ngettext
from heartbeat.db import row_id
from heartbeat.extensions import db
from heartbeat.participants import queries as participant_queries
from heartbeat.participants.models import Participant
from heartbeat.permissions import can, require, staff_required
from heartbeat.training import queries, services
from heartbeat.training.blueprint import (
    actor,
    bp,
    centre_tz,
    now,
    participant_or_404,
    session_or_404,
    viewer_units,
)
from heartbeat.training.forms import ConfirmForm, SelfReportForm, SessionForm, parse_version
from heartbeat.training.models import TrainingSession
from heartbeat.training.parsing import read_session
from heartbeat.training.preview import route_preview
from heartbeat.training.values import SessionValueError, same_distance_shown
from heartbeat.training.views.symptoms import after_symptoms, checklist, symptoms_ticked

# Self-reports waiting for a therapist, shown above the log's first page.
WAITING_SHOWN = 20


def _page_size() -> int:
    return current_app.config["HEARTBEAT_PAGE_SIZE"]


# --- a participant's sessions -------------------------------------------------------------------


@bp.get("/participants/<int:participant_id>/sessions")
@login_required
def sessions(participant_id: int):
    participant = participant_or_404(participant_id, "participant.view")
    page = db.paginate(queries.sessions_for(participant.id), per_page=_page_size(), error_out=False)
    staff = current_user.is_staff
    waiting = (
        db.session.scalars(
            queries.waiting_for_verification(participant.id).limit(WAITING_SHOWN)
        ).all()
        if staff and page.page == 1
        else []
    )
    return render_template(
        "training/list.html",
        participant=participant,
        page=page,
        units=viewer_units(),
        tz=centre_tz(),
        staff=staff,
        waiting=waiting,
        can_verify=staff and can(current_user, "session.verify", participant),
    )


@bp.get("/me/sessions")
@login_required
def my_sessions():
    """The participant's own training log, page by page."""
    if current_user.role != Role.PARTICIPANT:
        return redirect(url_for("home.index"))
    participant = db.session.scalars(
        participant_queries.participant_for_user(current_user.id)
    ).one_or_none()
    if participant is None:
        return redirect(url_for("participants.portal"))
    return sessions(participant.id)


def _new_session_values(
    form, units: str, tz: tzinfo, participant: Participant
) -> dict[str, Any] | None:
    """A new-session form's values once it is sent and sound; None while it is not.

    A fresh form starts on today's date (the centre's); mistakes are put on the form's fields.
    The date is held to the participant's birth and enrolment (``values.date_problem``).
    """
    form.set_units(units)
    if request.method == "GET":
        form.date.data = now().astimezone(tz).date().isoformat()
        return None
    if not form.validate_on_submit():
        return None
    try:
        symptoms = symptoms_ticked(form, participant)
    except ValueError as error:
        form.ad_symptoms.errors = [str(error)]
        return None
    try:
        values = read_session(
            form.raw(), units=units, tz=tz, now=now(), timeline=services.timeline_of(participant)
        )
    except SessionValueError as error:
        apply_errors(form, error)
        return None
    return {**values, "symptoms": symptoms}


@bp.route("/participants/<int:participant_id>/sessions/new", methods=["GET", "POST"])
@staff_required
def new_session(participant_id: int):
    participant = participant_or_404(participant_id, "session.log")
    units, tz = viewer_units(), centre_tz()
    form = SessionForm()
    values = _new_session_values(form, units, tz, participant)
    if values is not None:
        symptoms = values.pop("symptoms")
        session = services.log_session(participant, actor=actor(), values=values, symptoms=symptoms)
        db.session.commit()
        flash(_("Session saved for %(name)s.", name=participant.display_name), "success")
        return after_symptoms(session, symptoms) or redirect(
            url_for("training.session", session_id=session.id)
        )
    return render_form(
        "training/form.html",
        form,
        participant=participant,
        session=None,
        units=units,
        **checklist(participant),
    )


@bp.get("/sessions/<int:session_id>")
@login_required
def session(session_id: int):
    session = session_or_404(session_id, "session.view", detail=True)
    units = viewer_units()
    preview = None
    if session.activity_file is not None:
        preview = route_preview(session.activity_file.route, units=units)
    return render_template(
        "training/detail.html",
        session=session,
        participant=session.participant,
        units=units,
        tz=centre_tz(),
        preview=preview,
        staff=current_user.is_staff,
        verify_form=ConfirmForm(),
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    session = session_or_404(session_id, "session.edit")
    participant = session.participant
    units, tz = viewer_units(), centre_tz()
    form, unchosen = versioned_form(SessionForm)
    form.set_units(units)

    def load() -> None:
        form.load(session, units=units, tz=tz)

    rebased = None
    if request.method == "GET":
        load()
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        try:
            symptoms = symptoms_ticked(form, participant)
            values = read_session(
                form.raw(),
                units=units,
                tz=tz,
                now=now(),
                timeline=services.timeline_of(participant),
            )
        except SessionValueError as error:
            apply_errors(form, error)
        except ValueError as error:  # a symptom the checklist does not know
            form.ad_symptoms.errors = [str(error)]
        else:
            # An untouched distance field keeps the device's exact figure.
            if same_distance_shown(values["distance_m"], session.distance_m, units):
                values["distance_m"] = session.distance_m
            outcome = save_versioned(
                form,
                lambda: services.update_session(
                    session,
                    participant,
                    actor=actor(),
                    values=values,
                    expected_version=form.expected_version(),
                    now=now(),
                    symptoms=symptoms,
                ),
                load=load,
            )
            if outcome.saved:
                changes = outcome.result
                if symptoms:
                    flash(_("Session saved."), "success")
                    return after_symptoms(session, symptoms, newest=True) or redirect(
                        url_for("training.session", session_id=session_id)
                    )
                flash(
                    _("Session saved.")
                    if changes
                    else _("Nothing had changed, so nothing was saved."),
                    "success" if changes else "info",
                )
                return redirect(url_for("training.session", session_id=session_id))
            rebased = outcome.rebased
    return render_form(
        "training/form.html",
        form,
        participant=participant,
        session=session,
        units=units,
        rebased=rebased,
        tz=tz,
        **checklist(participant, session=session),
    )


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@login_required
def delete_session(session_id: int):
    session = session_or_404(session_id, "session.delete")
    participant = session.participant
    form = ConfirmForm()
    changed = False
    if request.method == "GET":
        form.version.data = str(session.version)
    elif form.validate_on_submit():
        if parse_version(form.version.data) != session.version:
            changed = True
            form.version.data = str(session.version)
        else:
            services.delete_session(session, participant, actor=actor(), now=now())
            db.session.commit()
            flash(_("Session deleted."), "success")
            return redirect(url_for("training.sessions", participant_id=participant.id))
    return render_template(
        "training/confirm_delete.html",
        form=form,
        session=session,
        participant=participant,
        units=viewer_units(),
        tz=centre_tz(),
        changed=changed,
    ), (409 if changed else 200)


# --- verifying self-reported sessions ------------------------------------------------------------


def _verify_selected(sessions: list[TrainingSession]) -> int:
    for session in sessions:
        require("session.verify", session)
    participants: dict[int, Participant] = {s.participant_id: s.participant for s in sessions}
    verified = services.verify_sessions(sessions, participants, actor=actor(), now=now())
    db.session.commit()
    return len(verified)


def _selected_ids() -> list[int]:
    ids = []
    for raw in request.form.getlist("session_id")[:500]:
        with suppress(ValueError):
            ids.append(row_id(raw))
    return ids


def _flash_verified(count: int) -> None:
    if count:
        flash(
            ngettext(
                "%(num)s session verified: it now counts towards milestones.",
                "%(num)s sessions verified: they now count towards milestones.",
                count,
            ),
            "success",
        )
    else:
        flash(_("Nothing was verified: tick the sessions to verify first."), "info")


@bp.post("/participants/<int:participant_id>/sessions/verify")
@login_required
def verify(participant_id: int):
    participant = participant_or_404(participant_id, "session.verify")
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    chosen = [
        s
        for s in db.session.scalars(queries.sessions_by_ids(_selected_ids())).unique()
        if s.participant_id == participant.id
    ]
    _flash_verified(_verify_selected(chosen))
    if request.form.get("back") == "session" and len(chosen) == 1:
        return redirect(url_for("training.session", session_id=chosen[0].id))
    return redirect(url_for("training.sessions", participant_id=participant.id))


@bp.route("/sessions/waiting", methods=["GET", "POST"])
@staff_required
def waiting():
    require("session.verify", current_user.centre)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen = list(db.session.scalars(queries.sessions_by_ids(_selected_ids())).unique())
        chosen = [s for s in chosen if s.self_reported and s.verified_at is None]
        _flash_verified(_verify_selected(chosen))
        return redirect(url_for("training.waiting"))
    page = db.paginate(
        queries.waiting_for_verification(), per_page=_page_size() * 2, error_out=False
    )
    return render_template(
        "training/waiting.html", page=page, form=form, units=viewer_units(), tz=centre_tz()
    )


# --- the participant's own log --------------------------------------------------------------------


@bp.route("/me/sessions/new", methods=["GET", "POST"])
@login_required
def self_report():
    if current_user.role != Role.PARTICIPANT:
        abort(403)
    participant = db.session.scalars(queries.participant_for_user(current_user.id)).one_or_none()
    if participant is None:
        abort(404)
    require("session.self_report", participant)
    units, tz = viewer_units(), centre_tz()
    form = SelfReportForm()
    values = _new_session_values(form, units, tz, participant)
    if values is not None:
        symptoms = values.pop("symptoms")
        session = services.self_report(
            participant, actor=actor(), values=values, now=now(), symptoms=symptoms
        )
        db.session.commit()
        if (flagged := after_symptoms(session, symptoms)) is not None:
            return flagged
        flash(
            _(
                "Session saved. It shows in this week's distance and your streak now, and counts"
                " towards your milestones and Heartbeat Miles once your therapist confirms it."
            ),
            "success",
        )
        return redirect(url_for("participants.portal"))
    return render_form(
        "training/self_report.html",
        form,
        participant=participant,
        units=units,
        **checklist(participant),
    )

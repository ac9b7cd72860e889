"""One participant's record: enrolment, the profile, and the forms that change it.

Every participant is loaded through the request's centre scope: another centre's id is simply
not found (404). An erased record can be viewed but no longer changed.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from heartbeat.auth import services as account_services
from heartbeat.auth.invitations import show_new_link
from heartbeat.auth.models import Role
from heartbeat.auth.viewer import language_of_login
from heartbeat.core.edits import (
    StaleEdit,
    apply_errors,
    parse_version,
    refuse_unchosen,
    render_form,
    save_versioned,
    versioned_form,
)
from heartbeat.core.i18n import _, ngettext, speaking
from heartbeat.core.public_url import public_url_for
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import queries, services
from heartbeat.participants.blueprint import bp
from heartbeat.participants.forms import (
    ConsentForm,
    EnrolForm,
    FittingForm,
    NoteForm,
    ParticipantForm,
    PortalInviteForm,
    StatusForm,
)
from heartbeat.participants.models import Participant
from heartbeat.participants.views.common import (
    actor,
    load_participant,
    refuse_if_erased,
    therapists,
    today,
)
from heartbeat.participants.views.profile import render_records
from heartbeat.permissions import require, staff_required

# --- enrolment and edits ------------------------------------------------------------------------


@bp.route("/participants/new", methods=["GET", "POST"])
@staff_required
def enrol():
    centre = current_user.centre
    require("participant.enrol", centre)
    form = EnrolForm(therapists=therapists())
    if request.method == "GET":
        form.enrolled_on.data = form.consent_recorded_on.data = today()
        if current_user.role == Role.THERAPIST:
            form.therapist_id.data = str(current_user.id)
    if form.validate_on_submit():
        try:
            participant = services.enrol(
                centre_id=centre.id,
                actor=actor(),
                details=form.details(),
                consents=form.consents(),
                consent_recorded_on=form.consent_recorded_on.data,
                today=today(),
            )
        except services.ParticipantError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is enrolled.", name=participant.display_name), "success")
            return redirect(url_for(".profile", participant_id=participant.id))
    return render_form("participants/enrol.html", form)


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@login_required
def edit(participant_id: int):
    participant = load_participant(participant_id, "participant.edit")
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    form, unchosen = versioned_form(ParticipantForm, therapists=therapists())
    rebased = None
    if request.method == "GET":
        form.load(participant)
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        outcome = save_versioned(
            form,
            lambda: services.update_details(
                participant,
                actor=actor(),
                details=form.details(),
                expected_version=form.expected_version(),
                today=today(),
            ),
            load=lambda: form.load(participant),
        )
        if outcome.saved:
            changes = outcome.result
            flash(
                _("Details saved.") if changes else _("Nothing had changed, so nothing was saved."),
                "success" if changes else "info",
            )
            return redirect(url_for(".profile", participant_id=participant.id))
        rebased = outcome.rebased
    return render_form("participants/edit.html", form, participant=participant, rebased=rebased)


@bp.post("/participants/<int:participant_id>/status")
@login_required
def change_status(participant_id: int):
    participant = load_participant(participant_id, "participant.edit")
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    form = StatusForm()
    # Any status may be asked for; the service says which moves are allowed.
    if form.validate_on_submit():
        try:
            change = services.change_status(
                participant,
                actor=actor(),
                to_status=form.to_status.data,
                on=form.changed_on.data,
                reason=form.reason.data,
                expected_version=parse_version(form.version.data),
                today=today(),
            )
        except StaleEdit:
            form.version.data = str(participant.version)
            return render_records(participant, status_form=form, status_stale=True, code=409)
        except services.ParticipantError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is now %(status)s.",
                    name=participant.display_name,
                    status=str(change.to_status.label).lower(),
                ),
                "success",
            )
            return redirect(url_for(".records", participant_id=participant.id, _anchor="status"))
    return render_records(participant, status_form=form, code=422)


@bp.post("/participants/<int:participant_id>/notes")
@login_required
def add_note(participant_id: int):
    participant = load_participant(participant_id, "note.add")
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    form = NoteForm()
    if form.validate_on_submit():
        try:
            note = services.add_note(
                participant, actor=actor(), body=form.body.data, shared=form.shared.data
            )
        except services.ParticipantError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("Note added and shared with the participant.")
                if note.shared
                else _("Note added (staff only)."),
                "success",
            )
            return redirect(url_for(".records", participant_id=participant.id, _anchor="notes"))
    return render_records(participant, note_form=form, code=422)


@bp.route("/participants/<int:participant_id>/equipment", methods=["GET", "POST"])
@login_required
def equipment(participant_id: int):
    participant = load_participant(participant_id, "participant.edit")
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    form = FittingForm()
    if request.method == "GET":
        form.fitted_on.data = today()
    if form.validate_on_submit():
        try:
            services.add_fitting(
                participant,
                actor=actor(),
                chair_make=form.chair_make.data,
                chair_model=form.chair_model.data,
                fitted_on=form.fitted_on.data,
                wheel_size=form.wheel_size.data,
                push_rim_mm=form.push_rim_mm.data,
                gloves=form.gloves.data or None,
                notes=form.notes.data,
                today=today(),
            )
        except services.ParticipantError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Fitting saved; earlier fittings stay in the history."), "success")
            return redirect(url_for(".records", participant_id=participant.id, _anchor="equipment"))
    return render_form(
        "participants/equipment.html",
        form,
        participant=participant,
        fittings=db.session.scalars(queries.fittings_for(participant.id)).all(),
    )


@bp.route("/participants/<int:participant_id>/consents", methods=["GET", "POST"])
@login_required
def consents(participant_id: int):
    participant = load_participant(participant_id, "participant.edit")
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    rows = _consent_rows(participant)
    form, unchosen = versioned_form(ConsentForm)

    def load() -> None:
        answers = {row.kind: row.given for row in _consent_rows(participant)}
        form.load(answers, today(), participant.version)

    rebased = None
    if request.method == "GET":
        load()
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        outcome = save_versioned(
            form,
            lambda: services.set_consents(
                participant,
                actor=actor(),
                answers=form.consents(),
                recorded_on=form.consent_recorded_on.data,
                expected_version=form.expected_version(),
                today=today(),
            ),
            load=load,
        )
        if outcome.saved:
            changed = outcome.result
            flash(
                ngettext(
                    "%(num)s consent answer recorded.",
                    "%(num)s consent answers recorded.",
                    len(changed),
                )
                if changed
                else _("No answer changed."),
                "success" if changed else "info",
            )
            return redirect(url_for(".records", participant_id=participant.id, _anchor="consents"))
        rebased = outcome.rebased
        rows = _consent_rows(participant)
    return render_form(
        "participants/consents.html", form, participant=participant, rows=rows, rebased=rebased
    )


def _consent_rows(participant: Participant):
    return db.session.scalars(queries.consents_for(participant.id)).all()


@bp.route("/participants/<int:participant_id>/invite", methods=["GET", "POST"])
@login_required
def invite(participant_id: int):
    participant = load_participant(participant_id, "participant.invite")
    require("invite.role", Role.PARTICIPANT)
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    if participant.user_id is not None:
        flash(_("%(name)s already has a login.", name=participant.display_name), "info")
        return redirect(url_for(".profile", participant_id=participant.id))
    form = PortalInviteForm()
    if request.method == "GET":
        form.email.data = participant.email
    existing = None
    if form.validate_on_submit():
        centre = current_user.centre
        try:
            issued = account_services.create_invite(
                centre=centre,
                inviter=actor(),
                email=form.email.data or "",  # required: validated, it is the text sent
                name=participant.display_name,
                role=Role.PARTICIPANT,
                now=utcnow(),
                participant_id=participant.id,
            )
        except account_services.AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
            existing = getattr(error, "invite", None)  # one already waiting: offered instead
        else:
            # Read before the commit expires it: a refresh of the participant would also reload
            # its therapist (maybe the signed-in user) without the centre the page header needs.
            back_url = url_for(".profile", participant_id=participant_id)
            link = public_url_for("auth.accept_invite", token=issued.token)
            # Written in the centre's language: the person has no login (nor language) yet.
            with speaking(language_of_login(None, centre)):
                emailed = account_services.queue_invitation(
                    issued,
                    link=link,
                    subject=_("Your Heartbeat Miles page at %(centre)s", centre=centre.name),
                    inviter=centre.name,
                    role=_("a participant, to see your progress"),
                )
            db.session.commit()
            return show_new_link(issued, back_url=back_url, emailed=emailed)
    return render_form("participants/invite.html", form, participant=participant, existing=existing)

"""A participant's data rights, for the centre's admins: a subject-access export, and erasure."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from heartbeat.auth import services as account_services
from heartbeat.core.edits import apply_errors
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.participants import erasure, subject_access
from heartbeat.participants.blueprint import bp
from heartbeat.participants.forms import EraseForm
from heartbeat.participants.services import ParticipantError
from heartbeat.participants.views.common import (
    actor,
    load_participant,
    refuse_if_erased,
    today,
)


@bp.post("/participants/<int:participant_id>/subject-access")
@login_required
def subject_access_export(participant_id: int):
    participant = load_participant(participant_id, "participant.subject_access")
    centre = current_user.centre
    archive, _files = subject_access.build_archive(participant, centre=centre, actor=actor())
    filename = (
        f"subject-access-{centre.slug}-participant-{participant.id}-{today().isoformat()}.zip"
    )
    db.session.commit()
    return Response(
        archive,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _password_confirmed(form: EraseForm) -> bool:
    """Re-authentication: erasure cannot be undone, so a signed-in screen alone is not enough."""
    if account_services.check_password(actor(), form.password.data or ""):
        return True
    form.password.errors = [*form.password.errors, _("That password is not right.")]
    return False


@bp.route("/participants/<int:participant_id>/erase", methods=["GET", "POST"])
@login_required
def erase(participant_id: int):
    participant = load_participant(participant_id, "participant.erase")
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    form = EraseForm()
    if form.validate_on_submit() and _password_confirmed(form):
        try:
            result = erasure.erase(
                participant,
                actor=actor(),
                confirm_name=form.confirm_name.data,
                today=today(),
            )
        except ParticipantError as error:
            apply_errors(form, error)
        else:
            back = url_for(".profile", participant_id=participant_id)
            db.session.commit()
            message = _("Participant %(id)s's personal data was erased.", id=participant_id)
            if result.certificates_revoked is None:
                message += " " + _(
                    "Certificates could not be revoked automatically: check them by hand."
                )
            flash(message, "success")
            return redirect(back)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "participants/erase.html",
        participant=participant,
        form=form,
    ), status

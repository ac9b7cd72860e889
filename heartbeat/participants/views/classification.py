"""A participant's classification: the Medical Diagnostics Form checklist (their status and
review date are details, changed on the details form)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import login_required

from heartbeat.core.edits import (
    refuse_unchosen,
    render_form,
    save_versioned,
    versioned_form,
)
from heartbeat.core.i18n import ngettext
from heartbeat.participants import services
from heartbeat.participants.blueprint import bp
from heartbeat.participants.classification import MDF_ITEMS
from heartbeat.participants.forms import ClassificationChecklistForm
from heartbeat.participants.views.common import actor, load_participant, refuse_if_erased


@bp.route("/participants/<int:participant_id>/classification", methods=["GET", "POST"])
@login_required
def classification(participant_id: int):
    participant = load_participant(participant_id, "participant.edit")
    if (refused := refuse_if_erased(participant)) is not None:
        return refused
    form, unchosen = versioned_form(ClassificationChecklistForm)

    def load() -> None:
        form.load(participant)

    rebased = None
    if request.method == "GET":
        load()
    elif form.validate_on_submit() and not (rebased := refuse_unchosen(form, unchosen)):
        outcome = save_versioned(
            form,
            lambda: services.set_classification_checklist(
                participant,
                actor=actor(),
                ticked=form.checklist.data or [],
                expected_version=form.expected_version(),
            ),
            load=load,
        )
        if outcome.saved:
            done = len(outcome.result)
            flash(
                ngettext(
                    "Checklist saved: %(done)s of %(num)s item done.",
                    "Checklist saved: %(done)s of %(num)s items done.",
                    len(MDF_ITEMS),
                    done=done,
                ),
                "success",
            )
            return redirect(
                url_for(".records", participant_id=participant.id, _anchor="classification")
            )
        rebased = outcome.rebased
    return render_form(
        "participants/classification.html",
        form,
        participant=participant,
        rebased=rebased,
        items=len(MDF_ITEMS),
    )

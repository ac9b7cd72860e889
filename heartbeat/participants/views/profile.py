"""A participant's record for staff, in sections: the overview, and the records section.

The overview leads with who they are and what needs attention, then what the features above add
to it (``core/panels.py``: the ladder and this week from progress, recent sessions from
training). Each feature's own section (sessions, progress, certificates) is a page of its own;
``participants/sections.py`` lists them for the sub-navigation.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from heartbeat.core import panels
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import attention, queries, services
from heartbeat.participants.blueprint import bp
from heartbeat.participants.classification import MDF_ITEMS
from heartbeat.participants.forms import NoteForm, StatusForm
from heartbeat.participants.models import Participant
from heartbeat.participants.stages import chair_signed_off_on
from heartbeat.participants.views.common import actor, load_participant, today
from heartbeat.permissions import can


@bp.get("/participants/<int:participant_id>")
@login_required
def profile(participant_id: int):
    participant = load_participant(participant_id, "participant.view")
    if not current_user.is_staff:
        return redirect(url_for(".portal"))
    answered = {
        kind: given for kind, given in db.session.execute(queries.consent_answers(participant.id))
    }
    return render_template(
        "participants/profile.html",
        participant=participant,
        attention=attention.for_person(
            participant,
            answered,
            now=utcnow(),
            today=today(),
            consents_href=url_for(".consents", participant_id=participant.id),
        ),
        panels=panels.panels_for(panels.PROFILE, participant=participant, viewer=actor()),
        alerts=panels.panels_for(panels.PROFILE_ALERTS, participant=participant, viewer=actor()),
    )


@bp.get("/participants/<int:participant_id>/records")
@login_required
def records(participant_id: int):
    participant = load_participant(participant_id, "participant.view")
    if not current_user.is_staff:
        return redirect(url_for(".portal"))
    return render_records(participant)


def render_records(
    participant: Participant,
    *,
    status_form: StatusForm | None = None,
    note_form: NoteForm | None = None,
    status_stale: bool = False,
    code: int = 200,
):
    """The records section (details, goal, equipment, consents, status, notes, data rights),
    also shown again with a status or note form that came back with errors."""
    if status_form is None:
        status_form = StatusForm()
        status_form.changed_on.data = today()
        status_form.version.data = str(participant.version)
    allowed = services.TRANSITIONS[participant.status]
    # SelectChoice objects (WTForms 3.3), which the type stubs (3.2) do not know yet.
    choices: list[Any] = list(status_form.to_status.choices or [])
    status_form.to_status.choices = [choice for choice in choices if choice.value in allowed]
    fittings = db.session.scalars(queries.fittings_for(participant.id)).all()
    viewer = actor()
    return render_template(
        "participants/records.html",
        participant=participant,
        consents=db.session.scalars(queries.consents_for(participant.id)).all(),
        fittings=fittings,
        # "Chair fitted" signed off on the ladder: the equipment panel must not say "no chair".
        chair_signed_off_on=None
        if fittings
        else chair_signed_off_on(participant.id, ZoneInfo(current_user.centre.timezone)),
        changes=db.session.scalars(queries.status_changes_for(participant.id)).all(),
        notes=db.session.scalars(queries.notes_for(participant.id, shared_only=False)).all(),
        status_form=status_form,
        note_form=note_form or NoteForm(),
        status_stale=status_stale,
        mdf_items=MDF_ITEMS,
        may_export=can(viewer, "participant.subject_access", participant),
        may_erase=can(viewer, "participant.erase", participant) and not participant.erased,
    ), code

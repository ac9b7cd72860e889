"""What every participant page shares: loading a participant, form helpers."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import queries
from heartbeat.participants.models import Participant
from heartbeat.permissions import can, hide, require


def actor():
    return current_user._get_current_object()


def centre_zone() -> ZoneInfo | None:
    centre = current_user.centre
    return ZoneInfo(centre.timezone) if centre is not None else None


def today() -> date:
    """Today where the centre is: a date typed in the evening is still today's."""
    zone = centre_zone()
    return utcnow().astimezone(zone).date() if zone else utcnow().date()


def load_participant(participant_id: int, action: str) -> Participant:
    participant = db.session.scalars(
        queries.participant_by_bound_id(), {"participant_id": participant_id}
    ).one_or_none()
    if participant is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, "participant.view", participant):
        hide(action, participant)
    require(action, participant)
    return participant


def refuse_if_erased(participant: Participant):
    """A redirect to the profile when the record was erased (nothing can change it), else None."""
    if not participant.erased:
        return None
    flash(
        _("This participant's personal data was erased; the record can no longer be changed."),
        "info",
    )
    return redirect(url_for("participants.profile", participant_id=participant.id))


def therapists():
    return db.session.scalars(queries.staff()).all()

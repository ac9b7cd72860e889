"""What every participant page shares: loading a participant, form helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import queries, services
from heartbeat.participants.blueprint import bp
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
    participant = db.session.scalars(queries.participant_by_id(participant_id)).one_or_none()
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
        "This participant's personal data was erased; the record can no longer be changed.", "info"
    )
    return redirect(url_for("participants.profile", participant_id=participant.id))


def therapists():
    return db.session.scalars(queries.staff()).all()


def apply_errors(form, error: services.ParticipantError) -> None:
    placed = False
    for name, message in error.field_errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        form.form_errors.append(str(error))


def _describe(name: str, value: Any, names: dict[int, str]) -> str:
    """A value as the conflict page shows it."""
    if value is None or value == "":
        return "(empty)"
    if name == "therapist_id":
        return names.get(value, f"Staff member {value}")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value)


def conflict_rows(stale: services.StaleEdit) -> list[dict[str, str]]:
    names = {user.id: user.name for user in therapists()}
    return [
        {
            "field": conflict.field,
            "label": conflict.label,
            "yours": _describe(conflict.field, conflict.yours, names),
            "current": _describe(conflict.field, conflict.current, names),
        }
        for conflict in stale.conflicts
    ]


@dataclass
class Saved:
    """What ``save_versioned`` made of a form: saved (``result``), stale, or refused."""

    saved: bool = False
    result: Any = None
    conflicts: list[dict[str, str]] | None = None


def save_versioned(form, save: Callable[[], Any]) -> Saved:
    """Run ``save`` for a form that carries the record's version; commit if it succeeds.

    A stale version gives the conflict rows (the form now holds the current version, so sending
    it again re-applies the user's values); other refusals are put on the form's fields.
    """
    try:
        result = save()
    except services.StaleEdit as stale:
        form.version.data = str(stale.current_version)
        return Saved(conflicts=conflict_rows(stale))
    except services.ParticipantError as error:
        apply_errors(form, error)
        return Saved()
    db.session.commit()
    return Saved(saved=True, result=result)


@bp.errorhandler(StaleDataError)
def _saved_at_the_same_moment(error):
    # Two saves raced past the version check; the database's version column caught the second.
    db.session.rollback()
    return (
        render_template(
            "participants/saved_elsewhere.html", back=request.referrer or url_for(".caseload")
        ),
        409,
    )

"""The autonomic dysreflexia checklist on the session forms (new sessions, staff and self-report,
and the edit form): offered to participants at T6 and above, read with the rest of the form, and
after a save with ticks the red flag's page (the guidance first) comes next. On the edit form the
flags already raised with the session are listed above it; ticking more raises a new one."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for

from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety import queries as safety_queries
from heartbeat.safety import rules as safety_rules
from heartbeat.safety.services import guidance_text
from heartbeat.training.models import TrainingSession


def symptoms_ticked(form, participant: Participant) -> list[str]:
    """The autonomic dysreflexia checklist's ticks (only offered at T6 and above)."""
    if not safety_rules.at_risk(participant):
        return []
    return safety_rules.clean_symptoms(form.ad_symptoms.data or [])


# The edit form lists at most this many flags already raised with the session.
EARLIER_SHOWN = 5


def checklist(
    participant: Participant, *, session: TrainingSession | None = None
) -> dict[str, Any]:
    """What the form template needs for the checklist: whether to show it, the guidance, and
    (editing a session) the flags already raised with it."""
    if not safety_rules.at_risk(participant):
        return {"checklist": False, "guidance": None, "earlier_flags": []}
    earlier = (
        list(db.session.scalars(safety_queries.flags_of_session(session.id, limit=EARLIER_SHOWN)))
        if session is not None
        else []
    )
    return {
        "checklist": True,
        "guidance": guidance_text(participant.centre_id),
        "earlier_flags": earlier,
        "symptom_labels": safety_rules.symptom_labels,
    }


def after_symptoms(session: TrainingSession, symptoms: list[str], *, newest: bool = False):
    """With symptoms ticked, the next page is the red flag: the guidance first."""
    if not symptoms:
        return None
    flag = db.session.scalars(safety_queries.flag_for_session(session.id, newest=newest)).first()
    if flag is None:
        return None
    flash(_("Symptoms reported: follow the guidance below. The team has been told."), "error")
    return redirect(url_for("safety.flag", flag_id=flag.id))

"""What safety writes in the audit trail, in words: red flags raised and acknowledged, and the
centre's guidance changed."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _, _l
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety.models import FlagKind, RedFlag, SafetyGuidance
from heartbeat.safety.rules import symptom_labels

ACTIONS = {
    "red_flag.raise": _l("Red flag raised (symptoms reported)"),
    "red_flag.acknowledge": _l("Red flag acknowledged"),
    "safety.guidance": _l("Symptom guidance changed"),
}


def flag_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    wanted = [value for value in ids if isinstance(value, int) and not isinstance(value, bool)]
    rows = db.session.execute(
        sa.select(
            RedFlag.id,
            RedFlag.raised_at,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
        )
        .join(Participant, Participant.id == RedFlag.participant_id)
        .where(RedFlag.id.in_(wanted))
    )
    return {
        row.id: f"{row.preferred_name or row.given_name} {row.family_name}, "
        f"{formats.moment(row.raised_at, ctx)}"
        for row in rows
    }


def guidance_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    """A centre has one guidance text: it is named after the centre."""
    wanted = [value for value in ids if isinstance(value, int) and not isinstance(value, bool)]
    rows = db.session.execute(
        sa.select(SafetyGuidance.id, Centre.name)
        .join(Centre, Centre.id == SafetyGuidance.centre_id)
        .where(SafetyGuidance.id.in_(wanted))
    )
    return {row.id: _("%(centre)s's guidance", centre=row.name) for row in rows}


def _symptoms(value: Any, ctx: formats.Context) -> str:
    """The checklist's words for a symptom key (the page formats a list one item at a time)."""
    if isinstance(value, list):
        return "; ".join(symptom_labels(value)) or _("none")
    if isinstance(value, str):
        return symptom_labels([value])[0]
    return formats.text(value, ctx)


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity(
        "red_flag", _l("Red flag"), names=flag_names, participant_column=RedFlag.participant_id
    )
    registry.entity("safety_guidance", _l("Symptom guidance"), names=guidance_names)
    entity = "red_flag"
    registry.field("participant_id", _l("Participant"), refers_to="participant", entity=entity)
    registry.field("kind", _l("Kind"), formats.enum_labels(FlagKind), entity=entity)
    registry.field("symptoms", _l("Symptoms"), _symptoms, entity=entity)
    registry.field("session_id", _l("Session"), refers_to="training_session", entity=entity)
    registry.field(
        "self_reported", _l("Reported by the participant"), formats.yes_no, entity=entity
    )
    registry.field("acknowledged_at", _l("Acknowledged at"), formats.moment, entity=entity)
    registry.field("acknowledged_by_id", _l("Acknowledged by"), refers_to="user", entity=entity)
    registry.field("follow_up", _l("Follow-up note"), entity=entity)
    registry.field("guidance", _l("Guidance"), entity="safety_guidance")

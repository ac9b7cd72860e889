"""What the participants feature writes in the audit trail, in words: its actions, its records
named (in one query each), and each field it records with a label and a way to read it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.extensions import db
from heartbeat.participants.classification import ClassificationStatus, checklist_labels
from heartbeat.participants.exporting import EXPORT_COLUMNS
from heartbeat.participants.models import (
    Consent,
    ConsentKind,
    EquipmentFitting,
    Gloves,
    ImpairmentCategory,
    Note,
    Participant,
    ParticipantStatus,
    RacingClass,
)
from heartbeat.participants.names import NameOrder, display_name_of
from heartbeat.participants.services.cleaning import DETAIL_FIELDS

ACTIONS = {
    "participant.create": "Participant enrolled",
    "participant.update": "Participant details changed",
    "participant.status": "Status changed",
    "participant.link_user": "Portal login linked",
    "consent.change": "Consent recorded",
    "participant.classification_checklist": "Medical diagnostics form checklist changed",
    "equipment.create": "Equipment fitted",
    "note.create": "Note added",
    "participant.import": "Participants imported from CSV",
    "participant.export": "Caseload exported to CSV",
    "participant.subject_access": "Subject-access export downloaded",
    "participant.own_export": "Their own data downloaded (by them)",
    "participant.erase": "Personal data erased",
}

_DAYS = ("date_of_birth", "classification_review_on", "enrolled_on", "goal_target_on")
_CHOICES = {
    "impairment": ImpairmentCategory,
    "racing_class": RacingClass,
    "classification_status": ClassificationStatus,
    "status": ParticipantStatus,
    "name_order": NameOrder,
}
SECTIONS = {
    "details": "Details",
    "consents": "Consents",
    "status_history": "Status history",
    "equipment": "Equipment",
    "notes": "Notes",
}


def _ints(values: Collection[Any]) -> list[int]:
    return [value for value in values if isinstance(value, int) and not isinstance(value, bool)]


def _display(row: Any) -> str:
    return display_name_of(row)


def participant_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(
            Participant.id,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
            Participant.name_order,
        ).where(Participant.id.in_(_ints(ids)))
    )
    return {row.id: _display(row) for row in rows}


def _owned_names(model: Any, describe=None):
    """Names for a participant's records: the participant's name, and ``describe(row)``."""

    def namer(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
        columns = [model.id, Participant.given_name, Participant.preferred_name]
        columns += [Participant.family_name, Participant.name_order]
        columns += [*(describe[0] if describe else ())]
        rows = db.session.execute(
            sa.select(*columns)
            .join(Participant, Participant.id == model.participant_id)
            .where(model.id.in_(_ints(ids)))
        )
        if describe is None:
            return {row.id: _display(row) for row in rows}
        return {row.id: f"{_display(row)}, {describe[1](row, ctx)}" for row in rows}

    return namer


def choices() -> list[tuple[int, str]]:
    """Every participant of the centre, by family name (the trail's participant filter)."""
    rows = db.session.execute(
        sa.select(
            Participant.id,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
            Participant.name_order,
        ).order_by(Participant.family_name, Participant.given_name, Participant.id)
    )
    return [(row.id, _display(row)) for row in rows]


def _checklist(value: Any, ctx: formats.Context) -> str:
    """The checklist's ticked items in words ("nothing ticked" for none)."""
    if isinstance(value, list):
        return "; ".join(checklist_labels(value)) or "nothing ticked"
    if isinstance(value, str):
        return checklist_labels([value])[0]
    return formats.text(value, ctx)


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity(
        "participant",
        "Participant",
        names=participant_names,
        participant_column=Participant.id,
    )
    registry.entity(
        "consent",
        "Consent",
        names=_owned_names(
            Consent, ((Consent.kind,), lambda row, ctx: ConsentKind(row.kind).label)
        ),
        participant_column=Consent.participant_id,
    )
    registry.entity(
        "equipment_fitting",
        "Equipment fitting",
        names=_owned_names(
            EquipmentFitting,
            (
                (EquipmentFitting.chair_make, EquipmentFitting.fitted_on),
                lambda row, ctx: f"{row.chair_make}, {formats.day(row.fitted_on, ctx)}",
            ),
        ),
        participant_column=EquipmentFitting.participant_id,
    )
    registry.entity(
        "note", "Note", names=_owned_names(Note), participant_column=Note.participant_id
    )
    registry.subjects(choices)

    registry.field("participant_id", "Participant", refers_to="participant")
    for name, label in DETAIL_FIELDS.items():
        if name == "therapist_id":
            registry.field(name, label, refers_to="user", entity="participant")
        elif name in _DAYS:
            registry.field(name, label, formats.day, entity="participant")
        elif name in _CHOICES:
            registry.field(name, label, formats.enum_labels(_CHOICES[name]), entity="participant")
        else:
            registry.field(name, label, entity="participant")
    participant_fields = {
        "status": ("Status", formats.enum_labels(ParticipantStatus)),
        "changed_on": ("Status changed on", formats.day),
        "reason": ("Reason", formats.text),
        "sections": ("Sections exported", formats.counts(SECTIONS)),
        "erased_fields": ("Fields erased", formats.labels(DETAIL_FIELDS)),
        "cleared": ("Records cleared", formats.counts(SECTIONS)),
        "portal_login_closed": ("Portal login closed", formats.yes_no),
        "erased_at": ("Erased at", formats.moment),
        "audit_rows_redacted": ("Audit entries redacted", formats.number),
        "job_outputs_removed": ("Job results removed", formats.number),
        "files": ("Files exported", formats.counts({})),
    }
    for name, (label, format) in participant_fields.items():
        registry.field(name, label, format, entity="participant")
    registry.field("user_id", "Portal login", refers_to="user", entity="participant")
    registry.field(
        "classification_checklist",
        "Medical diagnostics form checklist",
        _checklist,
        entity="participant",
    )

    registry.field("kind", "Consent to", formats.enum_labels(ConsentKind), entity="consent")
    registry.field("given", "Given", formats.yes_no, entity="consent")
    registry.field("recorded_on", "Recorded on", formats.day, entity="consent")

    fitting = {
        "chair_make": ("Chair make", formats.text),
        "chair_model": ("Chair model", formats.text),
        "fitted_on": ("Fitted on", formats.day),
        "wheel_size": ("Wheel size", formats.text),
        "push_rim_mm": ("Push-rim diameter", formats.suffixed("mm")),
        "gloves": ("Gloves", formats.enum_labels(Gloves)),
        "notes": ("Notes", formats.text),
    }
    for name, (label, format) in fitting.items():
        registry.field(name, label, format, entity="equipment_fitting")

    registry.field("shared", "Shared with the participant", formats.yes_no, entity="note")
    registry.field("body", "Note", entity="note")

    registry.field("file", "File", entity="centre")
    registry.field("rows", "Rows", formats.number, entity="centre")
    registry.field("participant_ids", "Participants", refers_to="participant", entity="centre")
    registry.field("filters", "Filters", entity="centre")
    registry.field("columns", "Columns", formats.labels(EXPORT_COLUMNS), entity="centre")

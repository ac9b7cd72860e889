"""What the participants feature writes in the audit trail, in words: its actions, its records
named (in one query each), and each field it records with a label and a way to read it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.core.i18n import _, _l
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
    "participant.create": _l("Participant enrolled"),
    "participant.update": _l("Participant details changed"),
    "participant.status": _l("Status changed"),
    "participant.link_user": _l("Portal login linked"),
    "consent.change": _l("Consent recorded"),
    "participant.classification_checklist": _l("Medical diagnostics form checklist changed"),
    "equipment.create": _l("Equipment fitted"),
    "note.create": _l("Note added"),
    "participant.import": _l("Participants imported from CSV"),
    "participant.export": _l("Caseload exported to CSV"),
    "participant.subject_access": _l("Subject-access export downloaded"),
    "participant.own_export": _l("Their own data downloaded (by them)"),
    "participant.erase": _l("Personal data erased"),
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
    "details": _l("Details"),
    "consents": _l("Consents"),
    "status_history": _l("Status history"),
    "equipment": _l("Equipment"),
    "notes": _l("Notes"),
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
        return "; ".join(checklist_labels(value)) or _("nothing ticked")
    if isinstance(value, str):
        return checklist_labels([value])[0]
    return formats.text(value, ctx)


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity(
        "participant",
        _l("Participant"),
        names=participant_names,
        participant_column=Participant.id,
    )
    registry.entity(
        "consent",
        _l("Consent"),
        names=_owned_names(
            Consent, ((Consent.kind,), lambda row, ctx: ConsentKind(row.kind).label)
        ),
        participant_column=Consent.participant_id,
    )
    registry.entity(
        "equipment_fitting",
        _l("Equipment fitting"),
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
        "note", _l("Note"), names=_owned_names(Note), participant_column=Note.participant_id
    )
    registry.subjects(choices)

    registry.field("participant_id", _l("Participant"), refers_to="participant")
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
        "status": (_l("Status"), formats.enum_labels(ParticipantStatus)),
        "changed_on": (_l("Status changed on"), formats.day),
        "reason": (_l("Reason"), formats.text),
        "sections": (_l("Sections exported"), formats.counts(SECTIONS)),
        "erased_fields": (_l("Fields erased"), formats.labels(DETAIL_FIELDS)),
        "cleared": (_l("Records cleared"), formats.counts(SECTIONS)),
        "portal_login_closed": (_l("Portal login closed"), formats.yes_no),
        "erased_at": (_l("Erased at"), formats.moment),
        "audit_rows_redacted": (_l("Audit entries redacted"), formats.number),
        "job_outputs_removed": (_l("Job results removed"), formats.number),
        "files": (_l("Files exported"), formats.counts({})),
    }
    for name, (label, format) in participant_fields.items():
        registry.field(name, label, format, entity="participant")
    registry.field("user_id", _l("Portal login"), refers_to="user", entity="participant")
    registry.field(
        "classification_checklist",
        _l("Medical diagnostics form checklist"),
        _checklist,
        entity="participant",
    )

    registry.field("kind", _l("Consent to"), formats.enum_labels(ConsentKind), entity="consent")
    registry.field("given", _l("Given"), formats.yes_no, entity="consent")
    registry.field("recorded_on", _l("Recorded on"), formats.day, entity="consent")

    fitting = {
        "chair_make": (_l("Chair make"), formats.text),
        "chair_model": (_l("Chair model"), formats.text),
        "fitted_on": (_l("Fitted on"), formats.day),
        "wheel_size": (_l("Wheel size"), formats.text),
        "push_rim_mm": (_l("Push-rim diameter"), formats.suffixed("mm")),
        "gloves": (_l("Gloves"), formats.enum_labels(Gloves)),
        "notes": (_l("Notes"), formats.text),
    }
    for name, (label, format) in fitting.items():
        registry.field(name, label, format, entity="equipment_fitting")

    registry.field("shared", _l("Shared with the participant"), formats.yes_no, entity="note")
    registry.field("body", _l("Note"), entity="note")

    registry.field("file", _l("File"), entity="centre")
    registry.field("rows", _l("Rows"), formats.number, entity="centre")
    registry.field("participant_ids", _l("Participants"), refers_to="participant", entity="centre")
    registry.field("filters", _l("Filters"), entity="centre")
    registry.field("columns", _l("Columns"), formats.labels(EXPORT_COLUMNS), entity="centre")

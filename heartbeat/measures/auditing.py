"""What outcome measures write in the audit trail, in words."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.audit.models import AuditEvent
from heartbeat.core.i18n import _, _l
from heartbeat.extensions import db
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.measures.scoring import SCALES
from heartbeat.participants.models import Participant

ACTIONS = {
    "measure.define": _l("Outcome measure added"),
    "measure.update": _l("Outcome measure schedule changed"),
    "measure.retire": _l("Outcome measure retired"),
    "measure.restore": _l("Outcome measure restored"),
    "measure.delete": _l("Outcome measure deleted"),
    "measure.start": _l("Questionnaire started"),
    "measure.answer": _l("Questionnaire answer saved"),
    "measure.complete": _l("Questionnaire submitted"),
}


def measure_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    wanted = [value for value in ids if isinstance(value, int) and not isinstance(value, bool)]
    rows = db.session.execute(sa.select(Measure.id, Measure.title).where(Measure.id.in_(wanted)))
    names: dict[Any, str] = {row.id: row.title for row in rows}
    gone = [value for value in wanted if value not in names]
    if gone:  # a deleted measure goes by the title its deletion recorded (one more query)
        deletions = db.session.execute(
            sa.select(AuditEvent.entity_id, AuditEvent.changes).where(
                AuditEvent.entity_type == "measure",
                AuditEvent.action == "measure.delete",
                AuditEvent.entity_id.in_(gone),
            )
        )
        for row in deletions:
            title = ((row.changes or {}).get("title") or {}).get("before")
            if isinstance(title, str):
                names[row.entity_id] = _("%(title)s (deleted)", title=title)
    return names


def _scale(value: Any, ctx: formats.Context) -> str:
    found = SCALES.get(value) if isinstance(value, str) else None
    return found.label if found is not None else formats.text(value, ctx)


def _answer(value: Any, ctx: formats.Context) -> str:
    """One answer of a submitted questionnaire (the page formats a list item by item)."""
    return _("not done") if value is None else formats.number(value, ctx)


def response_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    wanted = [value for value in ids if isinstance(value, int) and not isinstance(value, bool)]
    rows = db.session.execute(
        sa.select(
            MeasureResponse.id,
            Measure.title,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
        )
        .join(Measure, Measure.id == MeasureResponse.measure_id)
        .join(Participant, Participant.id == MeasureResponse.participant_id)
        .where(MeasureResponse.id.in_(wanted))
    )
    return {
        row.id: f"{row.title}: {row.preferred_name or row.given_name} {row.family_name}"
        for row in rows
    }


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity("measure", _l("Outcome measure"), names=measure_names)
    registry.entity(
        "measure_response",
        _l("Questionnaire"),
        names=response_names,
        participant_column=MeasureResponse.participant_id,
    )
    entity = "measure_response"
    registry.field("measure_id", _l("Measure"), refers_to="measure", entity=entity)
    registry.field("value", _l("Answer"), formats.number, entity=entity)
    registry.field("not_done", _l("Not done"), formats.yes_no, entity=entity)
    registry.field("item", _l("Question"), formats.number, entity=entity)
    registry.field("total", _l("Total"), formats.number, entity=entity)
    registry.field(
        "on_behalf", _l("Completed by staff on their behalf"), formats.yes_no, entity=entity
    )
    registry.field("completed_at", _l("Submitted at"), formats.moment, entity=entity)
    registry.field("answers", _l("Answers"), _answer, entity=entity)
    for name, label in (
        ("due_after_days", _l("Due every (days)")),
        ("overdue_after_days", _l("Overdue after (days)")),
        ("smallest_real_change", _l("Smallest real change")),
        ("items", _l("Items")),
    ):
        registry.field(name, label, formats.number, entity="measure")
    registry.field("title", _l("Title"), entity="measure")
    registry.field("scale", _l("Scale"), _scale, entity="measure")
    registry.field("retired_at", _l("Retired at"), formats.moment, entity="measure")

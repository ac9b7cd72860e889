"""What the plans feature writes in the audit trail, in words: templates named by their names,
plans by whose they are, and each target with its label and units."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import (
    CalendarFeed,
    Plan,
    PlanStatus,
    PlanTemplate,
    Squad,
    SquadSession,
    Unavailability,
)
from heartbeat.plans.values import HR_ZONES
from heartbeat.training.models import SessionKind

ACTIONS = {
    "plan_template.create": _l("Plan template added"),
    "plan_template.update": _l("Plan template changed"),
    "plan_template.add_session": _l("Session added to a plan template"),
    "plan_template.change_session": _l("Session of a plan template changed"),
    "plan_template.remove_session": _l("Session removed from a plan template"),
    "plan_template.retire": _l("Plan template retired"),
    "plan_template.restore": _l("Plan template brought back"),
    "plan_template.delete": _l("Plan template deleted"),
    "plan_template.copy_plan": _l("Plan saved as a template"),
    "plan.assign": _l("Plan assigned"),
    "plan.add_session": _l("Session added to a plan"),
    "plan.change_session": _l("Planned session adjusted"),
    "plan.remove_session": _l("Planned session removed"),
    "plan.pause": _l("Plan paused"),
    "plan.resume": _l("Plan resumed"),
    "plan.end": _l("Plan ended"),
    "plan.unavailable": _l("Days marked unavailable"),
    "plan.available": _l("Day marked available again"),
    "squad.save": _l("Squad saved"),
    "squad.delete": _l("Squad deleted"),
    "squad.plan_session": _l("Squad session planned"),
    "squad.cancel_session": _l("Planned squad session called off"),
    "squad_session.record": _l("Squad session recorded"),
    "calendar_feed.create": _l("Calendar feed address made"),
    "calendar_feed.revoke": _l("Calendar feed address revoked"),
}


def _ints(values: Collection[Any]) -> list[int]:
    return [value for value in values if isinstance(value, int) and not isinstance(value, bool)]


def _gone_names(entity: str, ids: set[int]) -> dict[int, str]:
    """Names of deleted templates and squads, from the trail's own rows about them."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(AuditEvent.entity_id, AuditEvent.changes)
        .where(AuditEvent.entity_type == entity, AuditEvent.entity_id.in_(ids))
        .order_by(AuditEvent.id)
    )
    names = {}
    for entity_id, changes in rows:
        change = changes.get("name") if isinstance(changes, dict) else None
        if isinstance(change, dict):
            value = change.get("after") or change.get("before")
            if isinstance(value, str):
                names[entity_id] = f"{value} (deleted)"
    return names


def template_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    wanted = set(_ints(ids))
    rows = db.session.execute(
        sa.select(PlanTemplate.id, PlanTemplate.name).where(PlanTemplate.id.in_(wanted))
    )
    names = {row.id: row.name for row in rows}
    return {**_gone_names("plan_template", wanted - set(names)), **names}


def plan_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(
            Plan.id,
            Plan.name,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
        )
        .join(Participant, Participant.id == Plan.participant_id)
        .where(Plan.id.in_(_ints(ids)))
    )
    return {
        row.id: f"{row.name}, {row.preferred_name or row.given_name} {row.family_name}"
        for row in rows
    }


def squad_session_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(SquadSession.id, SquadSession.started_at, SquadSession.kind).where(
            SquadSession.id.in_(_ints(ids))
        )
    )
    return {
        row.id: f"{SessionKind(row.kind).label} squad session,"
        f" {formats.day(row.started_at.astimezone(ctx.zone).date(), ctx)}"
        for row in rows
    }


def squad_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    wanted = set(_ints(ids))
    rows = db.session.execute(sa.select(Squad.id, Squad.name).where(Squad.id.in_(wanted)))
    names = {row.id: row.name for row in rows}
    return {**_gone_names("squad", wanted - set(names)), **names}


def feed_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(CalendarFeed.id, User.name)
        .join(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.id.in_(_ints(ids)))
    )
    return {row.id: f"{row.name}'s calendar address" for row in rows}


FIELDS: dict[str, tuple[str, formats.Formatter]] = {
    "name": ("Name", formats.text),
    "summary": ("Summary", formats.text),
    "weeks": ("Weeks", formats.number),
    "week": ("Week", formats.number),
    "day": ("Day of the week (0 = the block's first day)", formats.number),
    "on": ("Planned for", formats.day),
    "starts_on": ("Starts on", formats.day),
    "kind": ("Kind", formats.enum_labels(SessionKind)),
    "target_distance_m": ("Target distance", formats.distance),
    "target_duration_s": ("Target time", formats.duration),
    "target_rpe": ("Target effort (RPE)", formats.out_of_ten),
    "hr_zone": ("Heart-rate zone", formats.labels({k: v for k, v in HR_ZONES.items()})),
    "notes": ("Notes", formats.text),
    "status": ("Status", formats.enum_labels(PlanStatus)),
    "paused_on": ("Paused on", formats.day),
    "ended_on": ("Ended on", formats.day),
    "planned_sessions": ("Planned sessions", formats.number),
    "template_session_id": ("Template session", formats.number),
    "planned_session_id": ("Planned session", formats.number),
    "unavailable_from": ("Unavailable from", formats.day),
    "unavailable_to": ("Unavailable to", formats.day),
    "reason": ("Reason", formats.enum_labels(Unavailability)),
    "attended": ("Attended", formats.number),
    "absent": ("Absent", formats.number),
    "members": ("Members", formats.number),
    "retired": ("Retired", formats.yes_no),
    "starts_at": ("Planned for", formats.moment),
    "planned_squad_session_id": ("Planned squad session", formats.number),
    "place": ("Place", formats.text),
    "meets_weekday": (
        "Meets on",
        formats.labels(
            dict(
                enumerate(
                    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
                )
            )
        ),
    ),
    "meets_at": ("Meets at", formats.text),
}


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity("plan_template", _l("Plan template"), names=template_names)
    registry.entity(
        "training_plan",
        _l("Training plan"),
        names=plan_names,
        participant_column=Plan.participant_id,
    )
    registry.entity("squad", _l("Squad"), names=squad_names)
    registry.entity("squad_session", _l("Squad session"), names=squad_session_names)
    registry.entity("calendar_feed", _l("Calendar feed"), names=feed_names)
    registry.field("created_at", _l("Made at"), formats.moment, entity="calendar_feed")
    registry.field("revoked_at", _l("Revoked at"), formats.moment, entity="calendar_feed")
    # Days marked unavailable are recorded on the participant.
    for name in ("unavailable_from", "unavailable_to", "reason"):
        label, format = FIELDS[name]
        registry.field(name, label, format, entity="participant")
    # A session a squad session made says which.
    registry.field(
        "squad_session_id",
        _l("Squad session"),
        refers_to="squad_session",
        entity="training_session",
    )
    registry.names("squad_session", squad_session_names)
    for entity in ("plan_template", "training_plan", "squad", "squad_session"):
        for name, (label, format) in FIELDS.items():
            registry.field(name, label, format, entity=entity)
    registry.field("template_id", _l("Template"), refers_to="plan_template", entity="training_plan")
    registry.field(
        "copied_from_plan",
        _l("Copied from the plan"),
        refers_to="training_plan",
        entity="plan_template",
    )
    registry.names("plan_template", template_names)

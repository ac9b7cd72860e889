"""The centre's library of plan templates: seeded with the defaults, edited by admins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import check_version
from heartbeat.core.i18n import LANGUAGES, _, ngettext, speaking
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.plans.library import DEFAULT_TEMPLATES, TemplateSpec
from heartbeat.plans.models import PlanTemplate, TemplateSession
from heartbeat.plans.values import MAX_WEEKS, PlanInputError

TEMPLATE_FIELDS = ("name", "summary", "weeks")
SESSION_FIELDS = (
    "week",
    "day",
    "kind",
    "target_distance_m",
    "target_duration_s",
    "target_rpe",
    "hr_zone",
    "notes",
)


def default_names(spec: TemplateSpec) -> set[str]:
    """A default template's name in every language the app speaks: a centre has it if it has
    a template of any of these names (its own language's, or English from before)."""
    names = set()
    for language in LANGUAGES:
        with speaking(language):
            names.add(str(spec.name))
    return names


def seed_default_templates(centre_id: int) -> list[PlanTemplate]:
    """Add the default templates a centre does not have yet (by name, in any language); returns
    those added, worded in the language spoken around the call (a new centre's: ``plans.hooks``;
    an admin adding the defaults back: the centre's, ``views.library``)."""
    have = set(
        db.session.scalars(
            sa.select(PlanTemplate.name)
            .where(PlanTemplate.centre_id == centre_id)
            .execution_options(all_centres=True)
        )
    )
    added = []
    for spec in DEFAULT_TEMPLATES:
        if default_names(spec) & have:
            continue
        template = PlanTemplate(
            centre_id=centre_id, name=str(spec.name), summary=str(spec.summary), weeks=spec.weeks
        )
        template.sessions = [
            TemplateSession(
                centre_id=centre_id,
                week=s.week,
                day=s.day,
                kind=s.kind,
                target_distance_m=s.distance_m,
                target_duration_s=s.duration_s,
                target_rpe=s.rpe,
                hr_zone=s.hr_zone,
                notes=str(s.notes) if s.notes is not None else None,
            )
            for s in spec.sessions
        ]
        db.session.add(template)
        added.append(template)
    db.session.flush()
    return added


def _check_template(centre_id: int, values: Mapping[str, Any], template_id: int | None) -> None:
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the template a name.")
    elif any(ord(character) < 32 for character in name):
        # Checked before the name is looked up: PostgreSQL refuses a NUL in any query.
        errors["name"] = _("A name cannot hold control characters such as tabs or line breaks.")
    elif db.session.scalar(
        sa.select(PlanTemplate.id).where(
            PlanTemplate.centre_id == centre_id,
            PlanTemplate.name == name,
            PlanTemplate.id != (template_id or 0),
        )
    ):
        errors["name"] = _("Another template has this name.")
    weeks = values.get("weeks")
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        errors["weeks"] = _("A block is 1 to %(weeks)s weeks.", weeks=MAX_WEEKS)
    if errors:
        raise PlanInputError(_("Check the template."), errors)


def create_template(
    centre_id: int, *, actor: User, values: Mapping[str, Any], now: datetime | None = None
) -> PlanTemplate:
    _check_template(centre_id, values, None)
    now = now or utcnow()
    template = PlanTemplate(
        centre_id=centre_id,
        name=values["name"].strip(),
        summary=values.get("summary") or None,
        weeks=values["weeks"],
        created_at=now,
        updated_at=now,
    )
    db.session.add(template)
    db.session.flush()
    audit.record(
        actor,
        centre_id,
        "plan_template.create",
        "plan_template",
        template.id,
        audit.created(audit.snapshot(template, TEMPLATE_FIELDS)),
        at=now,
    )
    return template


def update_template(
    template: PlanTemplate,
    *,
    actor: User,
    values: Mapping[str, Any],
    expected_version: int | None,
    now: datetime | None = None,
) -> audit.Changes:
    check_version(expected_version, template.version, _("this template"))
    _check_template(template.centre_id, values, template.id)
    weeks = values["weeks"]
    beyond = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TemplateSession)
        .where(TemplateSession.template_id == template.id, TemplateSession.week > weeks)
    )
    if beyond:
        raise PlanInputError(
            _("Sessions are planned after that week."),
            {
                "weeks": ngettext(
                    "%(num)s planned session falls after week %(week)s: remove it first.",
                    "%(num)s planned sessions fall after week %(week)s: remove them first.",
                    beyond,
                    week=weeks,
                )
            },
        )
    before = audit.snapshot(template, TEMPLATE_FIELDS)
    template.name = values["name"].strip()
    template.summary = values.get("summary") or None
    template.weeks = weeks
    changes = audit.diff(before, audit.snapshot(template, TEMPLATE_FIELDS))
    if changes:
        now = now or utcnow()
        template.updated_at = now
        db.session.flush()
        audit.record(
            actor,
            template.centre_id,
            "plan_template.update",
            "plan_template",
            template.id,
            changes,
            at=now,
        )
    return changes


def _check_place(template: PlanTemplate, week: Any, day: Any) -> None:
    errors = {}
    if not isinstance(week, int) or not 1 <= week <= template.weeks:
        errors["week"] = _("Choose a week from 1 to %(weeks)s.", weeks=template.weeks)
    if not isinstance(day, int) or not 0 <= day <= 6:
        errors["day"] = _("Choose a day of the week.")
    if errors:
        raise PlanInputError(_("Check the week and day."), errors)


def add_template_session(
    template: PlanTemplate, *, actor: User, values: Mapping[str, Any], now: datetime | None = None
) -> TemplateSession:
    _check_place(template, values.get("week"), values.get("day"))
    now = now or utcnow()
    row = TemplateSession(
        centre_id=template.centre_id,
        template_id=template.id,
        **{name: values[name] for name in SESSION_FIELDS},
    )
    db.session.add(row)
    template.updated_at = now  # a new version: open forms of the template are stale
    db.session.flush()
    audit.record(
        actor,
        template.centre_id,
        "plan_template.add_session",
        "plan_template",
        template.id,
        audit.created({"template_session_id": row.id, **audit.snapshot(row, SESSION_FIELDS)}),
        at=now,
    )
    return row


def update_template_session(
    row: TemplateSession,
    template: PlanTemplate,
    *,
    actor: User,
    values: Mapping[str, Any],
    expected_version: int | None,
    now: datetime | None = None,
) -> audit.Changes:
    check_version(expected_version, row.version, _("this planned session"))
    _check_place(template, values.get("week"), values.get("day"))
    changes = audit.assign(row, SESSION_FIELDS, values)
    if changes:
        now = now or utcnow()
        db.session.flush()
        audit.record(
            actor,
            template.centre_id,
            "plan_template.change_session",
            "plan_template",
            template.id,
            {"template_session_id": {"before": row.id, "after": row.id}, **changes},
            at=now,
        )
    return changes


def delete_template_session(
    row: TemplateSession, template: PlanTemplate, *, actor: User, now: datetime | None = None
) -> None:
    now = now or utcnow()
    gone = audit.diff({"template_session_id": row.id, **audit.snapshot(row, SESSION_FIELDS)}, {})
    db.session.delete(row)
    db.session.flush()
    audit.record(
        actor,
        template.centre_id,
        "plan_template.remove_session",
        "plan_template",
        template.id,
        gone,
        at=now,
    )


def empty_weeks(template: PlanTemplate, sessions: list[TemplateSession]) -> list[int]:
    """The template's weeks with no planned session (a plan cannot be assigned from it)."""
    used = {row.week for row in sessions}
    return [week for week in range(1, template.weeks + 1) if week not in used]


def plans_using(template: PlanTemplate) -> int:
    """How many plans were assigned from ``template`` (any status)."""
    from heartbeat.plans.models import Plan

    return int(
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Plan).where(Plan.template_id == template.id)
        )
        or 0
    )


def retire_template(
    template: PlanTemplate, *, actor: User, retired: bool = True, now: datetime | None = None
) -> audit.Changes:
    """Take a template out of the list therapists assign from (``retired=False`` brings it
    back). Plans assigned from it keep their sessions and their link to it."""
    changes = audit.assign(template, ("retired",), {"retired": retired})
    if changes:
        now = now or utcnow()
        template.updated_at = now
        db.session.flush()
        where = (template.centre_id, "plan_template", template.id)
        if retired:
            audit.record(actor, where[0], "plan_template.retire", *where[1:], changes, at=now)
        else:
            audit.record(actor, where[0], "plan_template.restore", *where[1:], changes, at=now)
    return changes


class TemplateInUse(PlanInputError):
    """A template plans were assigned from is retired, never deleted."""


def delete_template(template: PlanTemplate, *, actor: User, now: datetime | None = None) -> None:
    """Delete a template no plan was assigned from (``TemplateInUse`` otherwise: retire it)."""
    used = plans_using(template)
    if used:
        raise TemplateInUse(
            ngettext(
                "%(num)s plan was assigned from this template: retire it instead.",
                "%(num)s plans were assigned from this template: retire it instead.",
                used,
            ),
            {"template": _("Plans use it: retire it instead.")},
        )
    now = now or utcnow()
    sessions = int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TemplateSession)
            .where(TemplateSession.template_id == template.id)
        )
        or 0
    )
    gone = audit.diff(
        {**audit.snapshot(template, TEMPLATE_FIELDS), "planned_sessions": sessions}, {}
    )
    centre_id, template_id = template.centre_id, template.id
    db.session.execute(sa.delete(TemplateSession).where(TemplateSession.template_id == template_id))
    db.session.execute(
        sa.delete(PlanTemplate)
        .where(PlanTemplate.id == template_id)
        .execution_options(synchronize_session=False)
    )
    db.session.expunge(template)
    audit.record(
        actor, centre_id, "plan_template.delete", "plan_template", template_id, gone, at=now
    )


def template_from_plan(
    plan: Any,
    planned: Sequence[Any],
    *,
    actor: User,
    values: Mapping[str, Any],
    keep_notes: bool = True,
    now: datetime | None = None,
) -> PlanTemplate:
    """A new template copied from one person's plan as adjusted: each planned session goes to
    its week and day of the plan (those moved outside the plan's weeks are left out). Nothing
    names the person; their notes are copied only when ``keep_notes``."""
    name = (values.get("name") or "").strip()
    _check_template(plan.centre_id, {"name": name, "weeks": plan.weeks}, None)
    now = now or utcnow()
    template = PlanTemplate(
        centre_id=plan.centre_id,
        name=name,
        summary=values.get("summary") or None,
        weeks=plan.weeks,
        created_at=now,
        updated_at=now,
    )
    template.sessions = []
    for row in planned:
        offset = (row.on - plan.starts_on).days
        if not 0 <= offset < 7 * plan.weeks:
            continue
        template.sessions.append(
            TemplateSession(
                centre_id=plan.centre_id,
                week=offset // 7 + 1,
                day=offset % 7,
                kind=row.kind,
                target_distance_m=row.target_distance_m,
                target_duration_s=row.target_duration_s,
                target_rpe=row.target_rpe,
                hr_zone=row.hr_zone,
                notes=row.notes if keep_notes else None,
            )
        )
    db.session.add(template)
    db.session.flush()
    audit.record(
        actor,
        plan.centre_id,
        "plan_template.copy_plan",
        "plan_template",
        template.id,
        audit.created(
            {
                **audit.snapshot(template, TEMPLATE_FIELDS),
                "planned_sessions": len(template.sessions),
                "copied_from_plan": plan.id,
            }
        ),
        at=now,
    )
    return template

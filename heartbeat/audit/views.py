"""The audit trail, read-only, for the centre's admins. There are no edit or delete routes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from heartbeat.audit import filters, presenting, registry
from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import Role, User
from heartbeat.auth.viewer import current_units
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.permissions import admin_required, require

bp = Blueprint("audit", __name__, template_folder="templates")


def _people() -> dict[str, list[tuple[int, str]]]:
    """The centre's people who can act, for the "Who" filter: staff, then participants."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.role).order_by(User.name, User.id)
    ).all()
    staff = [(row.id, row.name) for row in rows if row.role != Role.PARTICIPANT]
    participants = [(row.id, row.name) for row in rows if row.role == Role.PARTICIPANT]
    return {_("Staff"): staff, _("Participants"): participants}


@bp.get("/audit")
@admin_required
def index():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("audit.view", centre)
    ctx = presenting.context_for(centre, current_units())
    chosen = filters.parse(request.args)
    stmt = filters.apply(sa.select(AuditEvent), chosen, ctx.zone)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    page = db.paginate(stmt, per_page=current_app.config["HEARTBEAT_PAGE_SIZE"], error_out=False)
    return render_template(
        "audit/index.html",
        page=page,
        events=presenting.present(page.items, ctx),
        zone_name=ctx.zone_name,
        actions=registry.action_labels(),
        entities={
            code: registry.said(kind.label) for code, kind in registry.entity_types().items()
        },
        people=_people(),
        participants=registry.subject_choices(),
        filters=chosen,
        system_actor=filters.SYSTEM_ACTOR,
        kept=chosen.kept(),
    )

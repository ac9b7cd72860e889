"""The audit trail, read-only, for the centre's admins. There are no edit or delete routes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from heartbeat.audit.models import AuditEvent
from heartbeat.db import row_id
from heartbeat.extensions import db
from heartbeat.permissions import admin_required, require

bp = Blueprint("audit", __name__, template_folder="templates")

ACTIONS = {
    "participant.create": "Participant enrolled",
    "participant.update": "Participant details changed",
    "participant.status": "Status changed",
    "participant.link_user": "Portal login linked",
    "consent.change": "Consent recorded",
    "equipment.create": "Equipment fitted",
    "note.create": "Note added",
    "participant.import": "Participants imported from CSV",
    "participant.export": "Caseload exported to CSV",
    "participant.subject_access": "Subject-access export downloaded",
    "participant.erase": "Personal data erased",
    "session.create": "Session logged",
    "session.update": "Session changed",
    "session.delete": "Session deleted",
    "session.verify": "Session verified",
    "awards.evaluate": "Awards re-evaluated",
    "award.sign_off": "Stage signed off",
    "award.verify": "Award verified",
    "award.withdraw": "Award withdrawn",
}
ENTITIES = {
    "participant": "Participant",
    "consent": "Consent",
    "equipment_fitting": "Equipment fitting",
    "note": "Note",
    "centre": "Centre",
    "training_session": "Training session",
    "award": "Award",
}


@bp.get("/audit")
@admin_required
def index():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("audit.view", centre)
    action = request.args.get("action", "")
    entity = request.args.get("entity", "")
    entity_id = request.args.get("entity_id", type=row_id)
    stmt = sa.select(AuditEvent).options(joinedload(AuditEvent.actor))
    kept: dict[str, str] = {}
    if action in ACTIONS:
        stmt = stmt.where(AuditEvent.action == action)
        kept["action"] = action
    if entity in ENTITIES:
        stmt = stmt.where(AuditEvent.entity_type == entity)
        kept["entity"] = entity
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
        kept["entity_id"] = str(entity_id)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    page = db.paginate(stmt, per_page=current_app.config["HEARTBEAT_PAGE_SIZE"], error_out=False)
    return render_template(
        "audit/index.html",
        page=page,
        actions=ACTIONS,
        entities=ENTITIES,
        action=action,
        entity=entity,
        entity_id=entity_id,
        kept=kept,
    )

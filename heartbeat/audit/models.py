"""The audit trail: one row per change to participant data, never edited, never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heartbeat.auth.models import User
from heartbeat.core.personal import declare
from heartbeat.db import CentreScoped, UTCDateTime, utcnow
from heartbeat.extensions import Model


class AuditEvent(CentreScoped, Model):
    __tablename__ = "audit_event"
    # The trail names who did what; values about an erased person are redacted by erasure itself
    # (``audit.services.redact``), found through the rows' entities rather than a subject column.
    __personal_data__ = declare(
        kept=("changes",),
        not_personal=(
            "id",
            "at",
            "actor_id",
            "via",
            "action",
            "entity_type",
            "entity_id",
            "centre_id",
        ),
    )
    __table_args__ = (
        sa.Index("ix_audit_event_centre_at", "centre_id", "at"),
        sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # How the actor reached the app when it was not a web page: "api" (a personal access token).
    via: Mapped[str | None] = mapped_column(sa.String(8))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int] = mapped_column()
    # {"field": {"before": ..., "after": ...}, ...}: JSON-safe values only.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.entity_type}:{self.entity_id}>"


class AuditTrailIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(mapper, connection, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly("audit events are never changed or deleted")

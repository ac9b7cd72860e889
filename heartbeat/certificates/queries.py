"""Select builders for the certificate pages, each eager-loading what its page shows.

They rely on the request's centre scope (``heartbeat.db``) for isolation, as every query does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from heartbeat.certificates.models import Certificate
from heartbeat.core.i18n import _l
from heartbeat.db import MAX_ID
from heartbeat.extensions import db
from heartbeat.participants.models import Participant

PRINTED_FILTERS = {"": _l("Printed or not"), "no": _l("Not printed yet"), "yes": _l("Printed")}
STATUS_FILTERS = {
    "standing": _l("Standing (not revoked)"),
    "revoked": _l("Revoked"),
    "all": _l("All"),
}


@dataclass(frozen=True)
class RegisterFilter:
    stage: str = ""  # "" any, "club" clubs, or a ladder stage id
    issued_from: date | None = None
    issued_to: date | None = None
    printed: str = ""
    status: str = "standing"
    q: str = ""


def register(f: RegisterFilter) -> sa.Select:
    """The centre's certificates, newest first, with the participant for the name column."""
    stmt = (
        sa.select(Certificate)
        .join(Certificate.participant)
        .options(contains_eager(Certificate.participant), joinedload(Certificate.issued_by))
    )
    if f.stage == "club":
        stmt = stmt.where(Certificate.stage_id.is_(None))
    elif f.stage.isascii() and f.stage.isdigit() and int(f.stage) <= MAX_ID:
        stmt = stmt.where(Certificate.stage_id == int(f.stage))
    if f.issued_from is not None:
        stmt = stmt.where(Certificate.issued_on >= f.issued_from)
    if f.issued_to is not None:
        stmt = stmt.where(Certificate.issued_on <= f.issued_to)
    if f.printed == "yes":
        stmt = stmt.where(Certificate.printed_at.is_not(None))
    elif f.printed == "no":
        stmt = stmt.where(Certificate.printed_at.is_(None))
    if f.status == "standing":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif f.status == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    q = f.q.strip()
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                Certificate.serial.ilike(pattern, escape="\\"),
                Certificate.participant_name.ilike(pattern, escape="\\"),
                Participant.family_name.ilike(pattern, escape="\\"),
            )
        )
    return stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc())


def for_participant(participant_id: int) -> sa.Select:
    return (
        sa.select(Certificate)
        .where(Certificate.participant_id == participant_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )


def certificate_query(certificate_id: int) -> sa.Select:
    return (
        sa.select(Certificate)
        .options(
            joinedload(Certificate.branding),
            joinedload(Certificate.participant),
            joinedload(Certificate.issued_by),
            joinedload(Certificate.revoked_by),
            sa.orm.undefer(Certificate.credential),
        )
        .where(Certificate.id == certificate_id)
    )


def certificate_by_serial(serial: str, *, all_centres: bool = False) -> Certificate | None:
    stmt = (
        sa.select(Certificate)
        .options(joinedload(Certificate.branding), sa.orm.undefer(Certificate.credential))
        .where(Certificate.serial == serial)
    )
    if all_centres:
        stmt = stmt.execution_options(all_centres=True)
    return db.session.scalars(stmt).one_or_none()


def latest_achievement(centre_id: int, achievement_id: str) -> dict[str, Any] | None:
    """The achievement with that id as the centre's newest credential for it describes it."""
    award_key = achievement_id.rsplit("/", 1)[-1].removesuffix(".json").replace("-", ":", 1)
    rows = db.session.scalars(
        sa.select(Certificate.credential)
        .where(Certificate.centre_id == centre_id, Certificate.award_key == award_key)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(20)
        .execution_options(all_centres=True)
    )
    for credential in rows:
        subject = (credential or {}).get("credentialSubject") or {}
        found = subject.get("achievement") if isinstance(subject, dict) else None
        if isinstance(found, dict) and found.get("id") == achievement_id:
            return dict(found)
    return None

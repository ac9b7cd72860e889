"""A subject-access export: everything the centre holds about one participant, in a ZIP.

The archive holds one JSON file with every section, the same sections as CSV files (one table
each, safe for spreadsheets), and a README saying what each file is. Rows are serialised from
their mapped columns, so a column added to a model later is exported without changing this code.
Secrets (password and token hashes) are never exported.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import zipfile
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload, undefer

from heartbeat.audit import services as audit
from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import Invite, User
from heartbeat.centres.models import Centre
from heartbeat.core.csvfiles import write_csv
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import queries
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.services import award_title
from heartbeat.training.models import ActivityFile, TrainingSession

NEVER_EXPORTED = frozenset({"password_hash", "token_hash", "session_version"})

SECTIONS: dict[str, str] = {
    "details": "Their details as recorded, their therapist, and their portal login",
    "consents": "Their answers to each consent, with who recorded them and when",
    "status_history": "Every change of status (enrolment, pauses, withdrawal...)",
    "equipment": "Every racing-chair fitting",
    "notes": "Every note staff wrote, shared with them or not",
    "training_sessions": "Every training session and race",
    "activity_files": "Device files (GPX, TCX, FIT): what was read from them",
    "awards": "Ladder stages and clubs reached",
    "certificates": "Certificates issued for those awards",
    "invitations": "Invitations to their portal page",
    "audit_events": "The audit trail: every recorded change about them, and by their login",
}


def _value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return audit.json_value(value)


def row_dict(obj: Any, **extra: Any) -> dict[str, Any]:
    """Every mapped column of ``obj`` (secrets left out), plus ``extra``."""
    values = {
        attr.key: _value(getattr(obj, attr.key))
        for attr in sa.inspect(type(obj)).column_attrs
        if attr.key not in NEVER_EXPORTED
    }
    values.update({key: _value(value) for key, value in extra.items()})
    return values


def certificate_model() -> type | None:
    """The Certificate model, once the certificates feature has registered one."""
    if "certificate" not in db.metadata.tables:  # not in heartbeat/models.py: no table yet
        return None
    try:
        module = importlib.import_module("heartbeat.certificates.models")
    except ModuleNotFoundError as error:
        if error.name != "heartbeat.certificates.models":
            raise
        return None
    return getattr(module, "Certificate", None)


def _name(user: User | None) -> str | None:
    return user.name if user is not None else None


def collect(participant: Participant, centre: Centre) -> dict[str, list[dict[str, Any]]]:
    """Every section as a list of plain rows. One query per section, whatever the volume."""
    pid = participant.id
    stage_titles = dict(
        db.session.execute(
            sa.select(LadderStage.id, LadderStage.title).where(
                LadderStage.centre_id == participant.centre_id
            )
        ).all()
    )
    login = participant.user
    details = row_dict(
        participant,
        therapist=_name(participant.therapist),
        current_stage=stage_titles.get(participant.current_stage_id),
        centre=centre.name,
        portal_login=(
            {
                "email": login.email,
                "name": login.name,
                "active": login.active,
                "created_at": audit.json_value(login.created_at),
                "last_login_at": audit.json_value(login.last_login_at),
            }
            if login is not None
            else None
        ),
    )
    consents = db.session.scalars(queries.consents_for(pid)).all()
    changes = db.session.scalars(queries.status_changes_for(pid)).all()
    fittings = db.session.scalars(queries.fittings_for(pid)).all()
    notes = db.session.scalars(queries.notes_for(pid, shared_only=False)).all()
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .options(joinedload(TrainingSession.recorded_by), joinedload(TrainingSession.verified_by))
        .where(TrainingSession.participant_id == pid)
        .order_by(TrainingSession.started_at, TrainingSession.id)
    ).all()
    files = db.session.scalars(
        sa.select(ActivityFile).where(ActivityFile.participant_id == pid).order_by(ActivityFile.id)
    ).all()
    awards = db.session.scalars(
        sa.select(Award)
        .options(selectinload(Award.stage), joinedload(Award.verified_by))
        .where(Award.participant_id == pid)
        .order_by(Award.achieved_at, Award.id)
    ).all()
    invites = db.session.scalars(
        sa.select(Invite).where(Invite.participant_id == pid).order_by(Invite.id)
    ).all()
    certificates = _certificates(pid, [award.id for award in awards])

    sections: dict[str, list[dict[str, Any]]] = {
        "details": [details],
        "consents": [row_dict(c, recorded_by=_name(c.recorded_by)) for c in consents],
        "status_history": [row_dict(c, changed_by=_name(c.changed_by)) for c in changes],
        "equipment": [row_dict(f, recorded_by=_name(f.recorded_by)) for f in fittings],
        "notes": [row_dict(n, author=_name(n.author)) for n in notes],
        "training_sessions": [
            row_dict(s, recorded_by=_name(s.recorded_by), verified_by=_name(s.verified_by))
            for s in sessions
        ],
        "activity_files": [row_dict(f) for f in files],
        "awards": [
            row_dict(a, title=award_title(a), verified_by=_name(a.verified_by)) for a in awards
        ],
        "certificates": [row_dict(c) for c in certificates],
        "invitations": [row_dict(i) for i in invites],
    }
    ids = {
        "participant": [pid],
        "consent": [c.id for c in consents],
        "status_change": [c.id for c in changes],
        "equipment_fitting": [f.id for f in fittings],
        "note": [n.id for n in notes],
        # The training feature may name its rows either way; both mean these sessions.
        "training_session": [s.id for s in sessions],
        "session": [s.id for s in sessions],
        "activity_file": [f.id for f in files],
        "award": [a.id for a in awards],
        "certificate": [getattr(c, "id", None) for c in certificates],
    }
    sections["audit_events"] = [
        row_dict(event, actor=_name(event.actor))
        for event in _audit_events(ids, pid, participant.user_id)
    ]
    return sections


def _certificates(participant_id: int, award_ids: list[int]) -> list[Any]:
    model = certificate_model()
    if model is None:
        return []
    if hasattr(model, "participant_id"):
        where = model.participant_id == participant_id
    elif hasattr(model, "award_id"):
        where = model.award_id.in_(award_ids)
    else:  # pragma: no cover - a certificate that names nobody
        return []
    # Deferred columns (the signed credential) are part of what is held: load them in one go.
    stmt = sa.select(model).options(undefer("*")).where(where).order_by(model.id)
    return list(db.session.scalars(stmt))


_PARTICIPANT_ID_PATTERNS = (
    '%"participant_id": {{"before": null, "after": {pid}}}%',
    '%"participant_id": {{"before": {pid}, "after": null}}%',
    '%"participant_id": {{"before": {pid}, "after": {pid}}}%',
)


def audit_events_about(participant: Participant) -> list[AuditEvent]:
    """Every audit row about this participant or any record of theirs (erasure redacts them)."""
    pid = participant.id
    model_ids = {
        "consent": queries.consents_for(pid),
        "status_change": queries.status_changes_for(pid),
        "equipment_fitting": queries.fittings_for(pid),
        "note": queries.notes_for(pid, shared_only=False),
    }
    ids: dict[str, list[int | None]] = {"participant": [pid]}
    for entity, query in model_ids.items():
        ids[entity] = [row.id for row in db.session.scalars(query)]
    session_ids = list(
        db.session.scalars(
            sa.select(TrainingSession.id).where(TrainingSession.participant_id == pid)
        )
    )
    ids["training_session"] = ids["session"] = session_ids
    ids["activity_file"] = list(
        db.session.scalars(sa.select(ActivityFile.id).where(ActivityFile.participant_id == pid))
    )
    ids["award"] = list(db.session.scalars(sa.select(Award.id).where(Award.participant_id == pid)))
    return _audit_events(ids, pid, participant.user_id)


def _audit_events(
    ids: dict[str, list[int | None]], participant_id: int, user_id: int | None
) -> list[AuditEvent]:
    about = [
        sa.and_(AuditEvent.entity_type == entity, AuditEvent.entity_id.in_(known))
        for entity, some in ids.items()
        if (known := [value for value in some if value is not None])
    ]
    if user_id is not None:
        about.append(AuditEvent.actor_id == user_id)
    # Rows about records that are gone (a deleted session) still name the participant in their
    # changes; JSON is stored as serialised text on both backends, so a text match finds them.
    as_text = sa.cast(AuditEvent.changes, sa.Text)
    for pattern in _PARTICIPANT_ID_PATTERNS:
        about.append(as_text.like(pattern.format(pid=participant_id)))
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .where(sa.or_(*about))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def _csv(rows: list[dict[str, Any]]) -> str:
    header: list[str] = []
    for row in rows:
        header.extend(key for key in row if key not in header)

    def cell(value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return value

    return write_csv(header, ([cell(row.get(key)) for key in header] for row in rows))


def _readme(participant: Participant, centre: Centre, now: datetime, counts: dict) -> str:
    lines = [
        f"Subject-access export from {centre.name}",
        f"Participant number {participant.id}, made {now.isoformat(timespec='seconds')} (UTC).",
        "",
        "subject-access.json holds every section below in one file.",
        "The csv folder holds the same sections as tables (UTF-8; open with a spreadsheet).",
        "Dates are ISO 8601; times are UTC; distances are metres; durations are seconds.",
        "",
    ]
    lines += [f"csv/{name}.csv ({counts[name]} rows): {what}" for name, what in SECTIONS.items()]
    return "\r\n".join(lines) + "\r\n"


def build_archive(
    participant: Participant, *, centre: Centre, actor: User, now: datetime | None = None
) -> tuple[bytes, dict[str, int]]:
    """The ZIP's bytes and the row count of each section; the export itself is audited."""
    now = now or utcnow()
    sections = collect(participant, centre)
    counts = {name: len(sections[name]) for name in SECTIONS}
    document = {
        "format": "heartbeat-miles subject access export, version 1",
        "generated_at": now.isoformat(),
        "centre": centre.name,
        "participant_id": participant.id,
        "sections": sections,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(participant, centre, now, counts))
        archive.writestr(
            "subject-access.json",
            json.dumps(document, indent=2, ensure_ascii=False, default=str),
        )
        for name in SECTIONS:
            archive.writestr(f"csv/{name}.csv", _csv(sections[name]))
    audit.record(
        actor,
        participant.centre_id,
        "participant.subject_access",
        "participant",
        participant.id,
        audit.created({"sections": counts}),
        at=now,
    )
    return buffer.getvalue(), counts

"""A subject-access export: everything the centre holds about one participant, in a ZIP.

The archive holds one JSON file with every section, the same sections as CSV files (one table
each, safe for spreadsheets), and a README saying what each file is. The sections come from
the models' personal-data declarations (``core.personal``): every model whose rows are about one
participant is a section, every mapped column is exported, and declared secrets (password and
token hashes) never are.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload, undefer

from heartbeat.audit import services as audit
from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core import personal
from heartbeat.core.csvfiles import write_csv
from heartbeat.core.wording import plural
from heartbeat.db import utcnow
from heartbeat.extensions import Model, db
from heartbeat.participants import stages
from heartbeat.participants.models import Participant


def sections() -> dict[str, str]:
    """Every section of the export and what it holds, in order (from the models' declarations)."""
    found = {declared.section: declared.describe for _, declared in _declared() if declared.section}
    found["audit_events"] = "The audit trail: every recorded change about them, and by their login"
    return found


def _declared() -> list[tuple[type[Any], personal.PersonalData]]:
    models = [mapper.class_ for mapper in Model.registry.mappers]
    return personal.about_a_participant(models)


def _value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return audit.json_value(value)


def row_dict(obj: Any, **extra: Any) -> dict[str, Any]:
    """Every mapped column of ``obj`` but its declared secrets, plus ``extra``."""
    declared = personal.declaration(type(obj))
    secret = declared.secret if declared is not None else frozenset()
    values = {
        attr.key: _value(getattr(obj, attr.key))
        for attr in sa.inspect(type(obj)).column_attrs
        if attr.key not in secret
    }
    values.update({key: _value(value) for key, value in extra.items()})
    return values


def _name(user: User | None) -> str | None:
    return user.name if user is not None else None


def _rows(model: type[Any], declared: personal.PersonalData, participant_id: int) -> list[Any]:
    mapper = sa.inspect(model)
    related = [*declared.names.values(), *declared.load]
    options: list[Any] = [undefer("*")]  # deferred columns (a signed credential) are held too
    options += [
        selectinload(getattr(model, name)) for name in related if name in mapper.relationships
    ]
    stmt = (
        sa.select(model)
        .options(*options)
        .where(declared.subject_column(model) == participant_id)
        .order_by(*_sort(model, declared.sort))
    )
    return list(db.session.scalars(stmt))


def _sort(model: type, names: tuple[str, ...]) -> list[sa.ColumnElement[Any]]:
    return [
        getattr(model, name[1:]).desc() if name.startswith("-") else getattr(model, name)
        for name in names
    ]


def _exported(obj: Any, declared: personal.PersonalData) -> dict[str, Any]:
    added = {out: _name(getattr(obj, rel)) for out, rel in declared.names.items()}
    if declared.derived is not None:
        added.update(declared.derived(obj))
    return row_dict(obj, **added)


def _details_extra(participant: Participant, centre: Centre) -> dict[str, Any]:
    login = participant.user
    return {
        "current_stage": stages.titles(participant.centre_id).get(participant.current_stage_id),
        "centre": centre.name,
        "portal_login": (
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
    }


def _ids(participant_id: int) -> dict[str, list[int]]:
    """The ids of every row about them, by the audit trail's name for each kind of row."""
    ids: dict[str, list[int]] = {}
    for model, declared in _declared():
        entity = declared.audit_entity or model.__tablename__
        ids[entity] = list(
            db.session.scalars(
                sa.select(model.id).where(declared.subject_column(model) == participant_id)
            )
        )
    return ids


def collect(participant: Participant, centre: Centre) -> dict[str, list[dict[str, Any]]]:
    """Every section as a list of plain rows. One query per section, whatever the volume."""
    pid = participant.id
    found: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, list[int]] = {}
    for model, declared in _declared():
        rows = _rows(model, declared, pid)
        ids[declared.audit_entity or model.__tablename__] = [row.id for row in rows]
        if declared.section is None:
            continue
        exported = [_exported(row, declared) for row in rows]
        if model is Participant:
            for row in exported:
                row.update(
                    {key: _value(v) for key, v in _details_extra(participant, centre).items()}
                )
        found[declared.section] = exported
    found["audit_events"] = [
        row_dict(event, actor=_name(event.actor))
        for event in _audit_events(ids, pid, participant.user_id)
    ]
    return found


_PARTICIPANT_ID_PATTERNS = (
    '%"participant_id": {{"before": null, "after": {pid}}}%',
    '%"participant_id": {{"before": {pid}, "after": null}}%',
    '%"participant_id": {{"before": {pid}, "after": {pid}}}%',
)


def audit_events_about(participant: Participant) -> list[AuditEvent]:
    """Every audit row about this participant or any record of theirs (erasure redacts them)."""
    return _audit_events(_ids(participant.id), participant.id, participant.user_id)


def _audit_events(
    ids: dict[str, list[int]], participant_id: int, user_id: int | None
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


def attached_files(participant_id: int) -> list[tuple[str, bytes]]:
    """Files kept outside the database about them (original device files), as
    (path in the archive, bytes): ``files/<section>/<name>``, from the models' declarations."""
    found: list[tuple[str, bytes]] = []
    for model, declared in _declared():
        if declared.files is None or declared.section is None:
            continue
        for row in _rows(model, declared, participant_id):
            attached = declared.files(row)
            if attached is not None:
                name, data = attached
                found.append((f"files/{declared.section}/{_safe_name(name)}", data))
    return found


def _safe_name(name: str) -> str:
    """One path segment: no folders, no parent references, nothing unprintable."""
    cleaned = "".join(c if c.isprintable() and c not in "/\\:" else "_" for c in name)
    return cleaned.strip(". ") or "file"


def _csv(rows: list[dict[str, Any]]) -> str:
    header: list[str] = []
    for row in rows:
        header.extend(key for key in row if key not in header)

    def cell(value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return value

    return write_csv(header, ([cell(row.get(key)) for key in header] for row in rows))


def _readme(
    participant: Participant, centre: Centre, now: datetime, counts: dict, files: int = 0
) -> str:
    lines = [
        f"Subject-access export from {centre.name}",
        f"Participant number {participant.id}, made {now.isoformat(timespec='seconds')} (UTC).",
        "",
        "subject-access.json holds every section below in one file.",
        "The csv folder holds the same sections as tables (UTF-8; open with a spreadsheet).",
        "Dates are ISO 8601; times are UTC; distances are metres; durations are seconds.",
        "",
    ]
    lines += [
        f"csv/{name}.csv ({plural(counts[name], 'row', 'rows')}): {what}"
        for name, what in sections().items()
    ]
    if files:
        lines.append(
            f"files/ ({plural(files, 'file', 'files')}): the original files they or staff uploaded "
            "(device files, named by session number), exactly as uploaded."
        )
    return "\r\n".join(lines) + "\r\n"


def build_archive(
    participant: Participant, *, centre: Centre, actor: User, now: datetime | None = None
) -> tuple[bytes, dict[str, int]]:
    """The ZIP's bytes and the row count of each section; the export itself is audited."""
    now = now or utcnow()
    collected = collect(participant, centre)
    counts = {name: len(collected.get(name, [])) for name in sections()}
    document = {
        "format": "heartbeat-miles subject access export, version 1",
        "generated_at": now.isoformat(),
        "centre": centre.name,
        "participant_id": participant.id,
        "sections": collected,
    }
    files = attached_files(participant.id)
    counts["files"] = len(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(participant, centre, now, counts, len(files)))
        archive.writestr(
            "subject-access.json",
            json.dumps(document, indent=2, ensure_ascii=False, default=str),
        )
        for name in sections():
            archive.writestr(f"csv/{name}.csv", _csv(collected.get(name, [])))
        for path, data in files:
            archive.writestr(path, data)
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

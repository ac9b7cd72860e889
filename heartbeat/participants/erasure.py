"""Erasing a participant's personal data at their request, keeping the centre's statistics.

What goes is what each model declares as ``erased`` (``core.personal``): names (the record
becomes "Erased participant #<id>"), contact details, the date of birth (a placeholder the schema
accepts), emergency contacts, condition, SCI level, goal, the text of notes, status reasons,
fitting notes and session notes, GPS routes and file names of device files, the invitations'
addresses, the name on certificates; also the portal login (deactivated, anonymised, detached)
and the files and tables of ended background jobs that carry their name or their certificates.
What stays is what they declare ``kept``: the row and its id, impairment category and racing
class, enrolment date, therapist, consents given or not, every session's numbers (distance,
times, kind, RPE, pain) and the awards, so centre totals still add up. Features above this
package act through ``participant_erasing`` (certificates are revoked).

The audit row names the fields that were erased, never their values, before or after. Earlier
audit rows about them keep who did what and when, but their recorded text values are replaced
with "(erased)" (``audit.services.redact``, the trail's one deliberate exception to append-only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from heartbeat.audit import services as audit
from heartbeat.auth import services as account_services
from heartbeat.auth.models import Invite, User
from heartbeat.core import personal
from heartbeat.core.events import event
from heartbeat.core.i18n import _
from heartbeat.db import rows_changed, utcnow
from heartbeat.extensions import Model, db
from heartbeat.jobs.models import Job, JobState
from heartbeat.outbox.models import OutboxEmail
from heartbeat.participants.models import Participant, ParticipantStatus, StatusChange
from heartbeat.participants.services import ParticipantError

ERASURE_REASON = "Personal data erased at the participant's request."

# Features above this package act on an erasure here (certificates are revoked). Sender: the
# participant; actor, now, reason. A receiver returns a dict of counts for the audit row
# ("job_outputs_removed" adds to this package's own count).
participant_erasing = event(
    "participants.erasing", "A participant's personal data is about to be erased."
)


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


def name_matches(typed: str | None, participant: Participant) -> bool:
    """The confirmation: their full name, ignoring case and extra spaces."""
    if not typed:
        return False
    return _normalised(typed) == _normalised(participant.full_name)


@dataclass(frozen=True)
class ErasureResult:
    erased_fields: list[str]
    cleared: dict[str, int]
    certificates_revoked: int | None  # None: the certificates feature cannot revoke yet
    portal_login_closed: bool


JOB_OUTPUT_REMOVED = "Removed when a participant's personal data was erased."


def _names_of(participant: Participant) -> set[str]:
    """The ways a job's file or table may have written their name, lower-cased."""
    given, family = participant.given_name, participant.family_name
    # In their order and in the other (a job may have run before their name order was recorded).
    forms = {participant.full_name, participant.display_name, f"{family}, {given}"}
    forms |= {f"{given} {family}", f"{family} {given}"}
    if participant.preferred_name:
        preferred = participant.preferred_name
        forms |= {f"{family}, {preferred}", f"{preferred} {family}", f"{family} {preferred}"}
    return {_normalised(form) for form in forms if len(form.strip()) >= 3}


def _forget_job_outputs(participant: Participant) -> int:
    """Remove the files and tables of ended jobs that carry this participant's data.

    A session import's file, problem table or summary, or an award re-evaluation's list, may
    hold their name (a print batch holding their certificates is found by the certificates
    feature, which knows its own ids). The job stays listed, its summary saying what was
    removed. Returns how many jobs lost their outputs.
    """
    names = _names_of(participant)
    ended = db.session.scalars(
        sa.select(Job)
        .where(
            Job.centre_id == participant.centre_id,
            Job.state.in_([JobState.DONE, JobState.FAILED]),
        )
        .options(orm.undefer(Job.params), orm.undefer(Job.details))
    ).all()
    removed = 0
    for job in ended:
        if (job.summary or {}).get("result_removed"):
            continue
        if _mentions(job, names):
            forget_job_output(job)
            removed += 1
    return removed


def forget_job_output(job: Job) -> None:
    """Remove what an ended job produced, keeping it listed with a line saying why."""
    job.result = None
    job.result_filename = job.result_mimetype = job.result_size = None
    job.details = None
    job.params = {}
    job.summary = {**(job.summary or {}), "result_removed": JOB_OUTPUT_REMOVED}


def _mentions(job: Job, names: set[str]) -> bool:
    text = json.dumps([job.params, job.details, job.summary], ensure_ascii=False, default=str)
    if job.result_size and job.result_mimetype and job.result_mimetype.startswith("text/"):
        data = db.session.scalar(sa.select(Job.result).where(Job.id == job.id))
        text += (data or b"").decode("utf-8", errors="replace")
    haystack = _normalised(text)
    return any(name in haystack for name in names)


def _bulk(stmt: sa.Update | sa.Delete) -> int:
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    return rows_changed(result)


def _erase_declared(participant_id: int) -> dict[str, int]:
    """Every declared personal column of every row about them, replaced in one statement per
    table; the count of rows that had something to erase, by subject-access section.

    A table with a version column gets a new version, so a form opened before the erasure is
    refused rather than writing the erased values back.
    """
    cleared: dict[str, int] = {}
    for model, declared in personal.about_a_participant(
        mapper.class_ for mapper in Model.registry.mappers
    ):
        if not declared.erased:
            continue
        columns = [getattr(model, name) for name in declared.erased]
        values = {name: personal.replacement(model, v) for name, v in declared.erased.items()}
        version = sa.inspect(model).version_id_col
        if version is not None:
            values[version.key] = version + 1
        cleared[declared.section or model.__tablename__] = _bulk(
            sa.update(model)
            .where(
                declared.subject_column(model) == participant_id,
                sa.or_(*(column.is_not(None) for column in columns)),
            )
            .values(values)
        )
    return cleared


def erase(
    participant: Participant,
    *,
    actor: User,
    confirm_name: str | None,
    today: date,
    now: datetime | None = None,
) -> ErasureResult:
    """Erase their personal data; refused unless ``confirm_name`` is their full name."""
    if participant.erased:
        raise ParticipantError(_("This participant's personal data was already erased."))
    if not name_matches(confirm_name, participant):
        raise ParticipantError(
            _("The name typed does not match: nothing was erased."),
            {
                "confirm_name": _(
                    "Type their full name exactly as shown above (case does not matter)."
                )
            },
        )
    now = now or utcnow()
    pid = participant.id
    # Earlier audit rows recorded names, notes and dates as they were: their values go too.
    from heartbeat.participants.subject_access import audit_events_about

    audit_rows_redacted = audit.redact(audit_events_about(participant))
    reports: dict[str, Any] = {}
    for _receiver, report in participant_erasing.send(
        participant, actor=actor, now=now, reason=ERASURE_REASON
    ):
        reports.update(report or {})
    job_outputs_removed = _forget_job_outputs(participant) + reports.pop("job_outputs_removed", 0)

    declared = personal.declaration(Participant)
    assert declared is not None
    erased_fields = [
        name for name in declared.erased if getattr(participant, name) not in (None, "")
    ]
    # Pending invitations to their portal close; every invitation loses their address below.
    _bulk(
        sa.update(Invite)
        .where(Invite.participant_id == pid, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    cleared = _erase_declared(pid)
    db.session.expire(participant)
    given, family = participant.given_name, participant.family_name

    portal_login_closed = False
    if participant.user_id is not None:
        # The emails to their login (its address, what about) go, sent or waiting.
        reports["emails_removed"] = _bulk(
            sa.delete(OutboxEmail).where(OutboxEmail.user_id == participant.user_id)
        )
        login = db.session.get(User, participant.user_id)
        participant.user_id = None
        if login is not None:
            account_services.set_active(login, False)  # ends every session it holds, too
            login.email = f"erased-user-{login.id}@erased.invalid"
            login.name = f"{given} {family}"
            login.password_hash = None
            portal_login_closed = True

    before_status = participant.status
    if before_status != ParticipantStatus.WITHDRAWN:
        participant.status = ParticipantStatus.WITHDRAWN
        db.session.add(
            StatusChange(
                centre_id=participant.centre_id,
                participant_id=pid,
                from_status=before_status,
                to_status=ParticipantStatus.WITHDRAWN,
                changed_on=max(today, participant.enrolled_on),
                reason=ERASURE_REASON,
                changed_by_id=actor.id,
                created_at=now,
            )
        )
    participant.erased_at = now
    participant.updated_at = now
    db.session.flush()

    # Field names and counts only: no erased value, before or after, enters the trail.
    changes: audit.Changes = {
        "erased_fields": {"before": None, "after": erased_fields},
        "cleared": {"before": None, "after": cleared},
        "portal_login_closed": {"before": None, "after": portal_login_closed},
        **{name: {"before": None, "after": count} for name, count in reports.items()},
        "erased_at": {"before": None, "after": audit.json_value(now)},
        "audit_rows_redacted": {"before": None, "after": audit_rows_redacted},
        "job_outputs_removed": {"before": None, "after": job_outputs_removed},
    }
    if before_status != ParticipantStatus.WITHDRAWN:
        changes["status"] = {
            "before": before_status.value,
            "after": ParticipantStatus.WITHDRAWN.value,
        }
    audit.record(
        actor, participant.centre_id, "participant.erase", "participant", pid, changes, at=now
    )
    return ErasureResult(
        erased_fields, cleared, reports.get("certificates_revoked"), portal_login_closed
    )

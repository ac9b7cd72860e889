"""Erasing a participant's personal data at their request, keeping the centre's statistics.

What goes: names (the record becomes "Erased participant #<id>"), contact details, the date of
birth (a placeholder the schema accepts), emergency contacts, condition, SCI level, goal, the text
of notes, status reasons, fitting notes and session notes, GPS routes and file names of device
files, the invitations' addresses, the portal login (deactivated, anonymised, detached), and
the files and tables of ended background jobs that carry their name or their certificates.
What stays: the row and its id, impairment category and racing class, enrolment date, therapist,
consents given or not, and every session's numbers (distance, times, kind, RPE, pain) and the
awards, so centre totals still add up. Certificates are revoked.

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
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import (
    EquipmentFitting,
    Note,
    Participant,
    ParticipantStatus,
    StatusChange,
)
from heartbeat.participants.services import ParticipantError
from heartbeat.training.models import ActivityFile, TrainingSession

PLACEHOLDER_BIRTH = date(1900, 1, 1)
ERASED_TEXT = "(erased)"
ERASURE_REASON = "Personal data erased at the participant's request."

# The participant's own columns that are personal, and what each becomes.
ERASED_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "email",
    "phone",
    "emergency_name",
    "emergency_phone",
    "condition",
    "sci_level",
    "goal",
    "goal_milestone",
    "goal_target_on",
)


def anonymous_name(participant_id: int) -> tuple[str, str]:
    return "Erased participant", f"#{participant_id}"


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


def name_matches(typed: str | None, participant: Participant) -> bool:
    """The confirmation: their full name, ignoring case and extra spaces."""
    return bool(typed) and _normalised(typed) == _normalised(participant.full_name)


@dataclass(frozen=True)
class ErasureResult:
    erased_fields: list[str]
    cleared: dict[str, int]
    certificates_revoked: int | None  # None: the certificates feature cannot revoke yet
    portal_login_closed: bool


def _revoke_certificates(participant: Participant, actor: User, now: datetime) -> int | None:
    """Revoke their certificates through the certificates feature, when it offers that."""
    if "certificate" not in db.metadata.tables:  # not in heartbeat/models.py: no table yet
        return None
    try:
        from heartbeat.certificates import services as certificate_services
    except ModuleNotFoundError as error:
        if error.name != "heartbeat.certificates.services":
            raise
        return None
    revoke = getattr(certificate_services, "revoke_all_for_participant", None)
    if revoke is None:
        return None
    revoked = revoke(participant, actor=actor, reason=ERASURE_REASON, now=now)
    if isinstance(revoked, int) and not isinstance(revoked, bool):
        return revoked
    try:
        return len(revoked)
    except TypeError:
        return 0


JOB_OUTPUT_REMOVED = "Removed when a participant's personal data was erased."


def _names_of(participant: Participant) -> set[str]:
    """The ways a job's file or table may have written their name, lower-cased."""
    given, family = participant.given_name, participant.family_name
    forms = {participant.full_name, participant.display_name, f"{family}, {given}"}
    if participant.preferred_name:
        forms.add(f"{family}, {participant.preferred_name}")
    return {_normalised(form) for form in forms if len(form.strip()) >= 3}


def _forget_job_outputs(participant: Participant) -> int:
    """Remove the files and tables of ended jobs that carry this participant's data.

    A print batch holds their certificates' pages; a session import's file, problem table or
    summary, or an award re-evaluation's list, may hold their name. The job stays listed, its
    summary saying what was removed. Returns how many jobs lost their outputs.
    """
    from heartbeat.certificates.models import Certificate
    from heartbeat.jobs.models import Job, JobState

    certificate_ids = set(
        db.session.scalars(
            sa.select(Certificate.id).where(Certificate.participant_id == participant.id)
        )
    )
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
        printed = {int(value) for value in (job.params or {}).get("certificate_ids", [])}
        if printed & certificate_ids or _mentions(job, names):
            job.result = None
            job.result_filename = job.result_mimetype = job.result_size = None
            job.details = None
            job.params = {}
            job.summary = {**(job.summary or {}), "result_removed": JOB_OUTPUT_REMOVED}
            removed += 1
    return removed


def _mentions(job, names: set[str]) -> bool:
    from heartbeat.jobs.models import Job

    text = json.dumps([job.params, job.details, job.summary], ensure_ascii=False, default=str)
    if job.result_size and job.result_mimetype and job.result_mimetype.startswith("text/"):
        data = db.session.scalar(sa.select(Job.result).where(Job.id == job.id))
        text += (data or b"").decode("utf-8", errors="replace")
    haystack = _normalised(text)
    return any(name in haystack for name in names)


def _bulk(stmt) -> int:
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    return result.rowcount or 0


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
        raise ParticipantError("This participant's personal data was already erased.")
    if not name_matches(confirm_name, participant):
        raise ParticipantError(
            "The name typed does not match: nothing was erased.",
            {"confirm_name": "Type their full name exactly as shown above (case does not matter)."},
        )
    now = now or utcnow()
    pid = participant.id
    # Earlier audit rows recorded names, notes and dates as they were: their values go too.
    from heartbeat.participants.subject_access import audit_events_about

    audit_rows_redacted = audit.redact(audit_events_about(participant))
    certificates_revoked = _revoke_certificates(participant, actor, now)
    job_outputs_removed = _forget_job_outputs(participant)

    erased_fields = [name for name in ERASED_FIELDS if getattr(participant, name) not in (None, "")]
    given, family = anonymous_name(pid)
    anonymous: dict[str, Any] = dict.fromkeys(ERASED_FIELDS)
    anonymous.update(given_name=given, family_name=family, date_of_birth=PLACEHOLDER_BIRTH)
    for name, value in anonymous.items():
        setattr(participant, name, value)

    cleared = {
        "notes": _bulk(sa.update(Note).where(Note.participant_id == pid).values(body=ERASED_TEXT)),
        "status_reasons": _bulk(
            sa.update(StatusChange)
            .where(StatusChange.participant_id == pid)
            .values(reason=ERASED_TEXT)
        ),
        "equipment_notes": _bulk(
            sa.update(EquipmentFitting)
            .where(EquipmentFitting.participant_id == pid, EquipmentFitting.notes.is_not(None))
            .values(notes=None)
        ),
        # Numbers stay for the centre's totals; the words go. The version bump refuses any
        # session form opened before the erasure.
        "session_notes": _bulk(
            sa.update(TrainingSession)
            .where(TrainingSession.participant_id == pid, TrainingSession.notes.is_not(None))
            .values(notes=None, version=TrainingSession.version + 1)
        ),
        # A GPS track shows where someone lives and trains; a file name often carries a name.
        "activity_files": _bulk(
            sa.update(ActivityFile)
            .where(ActivityFile.participant_id == pid)
            .values(route=[], original_name="erased." + ActivityFile.source_format)
        ),
        "invitations": _bulk(
            sa.update(Invite)
            .where(Invite.participant_id == pid)
            .values(
                email=sa.literal("erased-invite-")
                + sa.cast(Invite.id, sa.String)
                + sa.literal("@erased.invalid"),
                name=f"{given} {family}",
                revoked_at=sa.case(
                    (sa.and_(Invite.used_at.is_(None), Invite.revoked_at.is_(None)), now),
                    else_=Invite.revoked_at,
                ),
            )
        ),
    }

    portal_login_closed = False
    if participant.user_id is not None:
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
        "certificates_revoked": {
            "before": None,
            "after": certificates_revoked if certificates_revoked is not None else "unavailable",
        },
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
    return ErasureResult(erased_fields, cleared, certificates_revoked, portal_login_closed)

"""What certificates add to the packages below them: sections on the participant pages, and
revocation when a participant's data is erased."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.certificates import attention, auditing, notes, own_export, panels, services
from heartbeat.certificates.models import Certificate
from heartbeat.certificates.services import certificate_issued
from heartbeat.core.events import connect
from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.jobs.models import Job, JobState
from heartbeat.participants.erasure import forget_job_output, participant_erasing
from heartbeat.participants.models import Participant
from heartbeat.participants.sections import Section, register_portal_section, register_section


def _revoke_for_erasure(
    participant: Participant, *, actor: User, now: datetime, reason: str, **_: object
) -> dict[str, int]:
    revoked = services.revoke_all_for_participant(participant, actor=actor, reason=reason, now=now)
    # Print batches hold their certificates' pages: the files go, the jobs stay listed.
    theirs = set(
        db.session.scalars(
            sa.select(Certificate.id).where(Certificate.participant_id == participant.id)
        )
    )
    batches = db.session.scalars(
        sa.select(Job)
        .where(
            Job.centre_id == participant.centre_id,
            Job.kind == "certificates.print_batch",
            Job.state.in_([JobState.DONE, JobState.FAILED]),
        )
        .options(sa.orm.undefer(Job.params))
    ).all()
    removed = 0
    for job in batches:
        printed = {int(value) for value in (job.params or {}).get("certificate_ids", [])}
        if printed & theirs:
            forget_job_output(job)
            removed += 1
    return {"certificates_revoked": revoked, "job_outputs_removed": removed}


def register() -> None:
    own_export.register()
    auditing.register()
    panels.register()
    attention.register()
    register_section(
        Section("certificates", _l("Certificates"), "certificates.participant_certificates", 40)
    )
    register_portal_section(
        Section("certificates", _l("My certificates"), "certificates.my_certificates", 40)
    )
    connect(participant_erasing, _revoke_for_erasure)
    connect(certificate_issued, notes.note_certificate)

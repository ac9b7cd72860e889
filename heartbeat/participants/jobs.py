"""Background jobs of the participants package: a participant's own export, when it is large
(``HEARTBEAT_OWN_EXPORT_JOB_FILES``). Found by ``heartbeat.jobs.registry`` by its kind."""

from __future__ import annotations

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import registry
from heartbeat.jobs.context import JobContext, JobError, JobResult
from heartbeat.participants import own_export
from heartbeat.participants.models import Participant

OWN_EXPORT_JOB = "participants.own_export"


@registry.handler(OWN_EXPORT_JOB, label="Your data, as a ZIP file")
def build_own_export(ctx: JobContext, params: dict) -> JobResult:
    participant = db.session.get(Participant, int(params.get("participant_id") or 0))
    actor = ctx.actor()
    if participant is None or participant.erased_at is not None or actor is None:
        raise JobError("There is nothing to export any more.")
    if participant.user_id != actor.id:
        raise JobError("Only the participant themself may export their data this way.")
    now = utcnow()
    data, counts = own_export.build(participant, actor=actor, now=now, progress=ctx.progress)
    # Their name in the summary: erasing them finds this job and removes its file.
    summary = {"for": participant.full_name, "files": sum(counts.values())}
    return JobResult(
        data=data,
        filename=own_export.filename(participant, now),
        mimetype="application/zip",
        summary=summary,
    )

"""Background jobs of the progress feature: re-evaluating every award of a centre.

The ladder page's "Re-evaluate" button queues ``progress.recompute_awards``; its page shows
"212 of 500 participants re-evaluated", then the counts, the participants whose awards changed
and a CSV of them to download. ``flask recompute-awards`` does the same work inline.
"""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core.csvfiles import write_csv
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import registry
from heartbeat.jobs.context import JobContext, JobError, JobResult, JobTable
from heartbeat.jobs.models import Job, JobState
from heartbeat.progress.services import RecomputeSummary, recompute_centre

RECOMPUTE_JOB = "progress.recompute_awards"
# Participants listed on the job's page; the CSV has every one.
TABLE_ROWS = 200


def unfinished_recompute() -> int | None:
    """The centre's re-evaluation still queued or running, if any (through the centre scope)."""
    return db.session.scalar(
        sa.select(Job.id)
        .where(Job.kind == RECOMPUTE_JOB, Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
        .order_by(Job.id.desc())
        .limit(1)
    )


def submit_recompute(centre: Centre, *, actor: User | None) -> int:
    """Queue the re-evaluation of ``centre`` and return the job id (commit, then dispatch)."""
    from heartbeat.jobs.services import submit

    return submit(RECOMPUTE_JOB, centre_id=centre.id, actor=actor, params={}).id


def _counts(summary: RecomputeSummary) -> dict[str, int]:
    return {
        "participants_re-evaluated": summary.participants,
        **{f"awards_{label.replace(' ', '_')}": count for label, count in summary.counts.items()},
        "participants_with_changes": len(summary.changed),
    }


def report_csv(summary: RecomputeSummary) -> bytes:
    rows = [
        [changes.participant_id, changes.name, summary.describe(changes.result)]
        for changes in summary.changed
    ]
    return write_csv(["participant_id", "name", "changes"], rows).encode("utf-8")


def changes_table(summary: RecomputeSummary) -> JobTable:
    shown = summary.changed[:TABLE_ROWS]
    more = len(summary.changed) - len(shown)
    return JobTable(
        caption="Participants whose awards changed",
        columns=["Participant", "Number", "What changed"],
        rows=[
            [changes.name, f"#{changes.participant_id}", summary.describe(changes.result)]
            for changes in shown
        ],
        note=f"And {more:,} more: the CSV file lists everyone." if more > 0 else "",
    )


@registry.handler(RECOMPUTE_JOB, label="Re-evaluate awards")
def recompute_awards(ctx: JobContext, params: dict) -> JobResult | None:
    centre = db.session.get(Centre, ctx.centre_id)
    if centre is None:
        raise JobError("The centre no longer exists.")
    slug = centre.slug
    now = utcnow()
    summary = recompute_centre(
        centre.id,
        actor=ctx.actor(),
        now=now,
        progress=lambda done, total: ctx.progress(done, total, "participants re-evaluated"),
    )
    if not summary.changed:
        ctx.summary = _counts(summary)
        return None
    return JobResult(
        report_csv(summary),
        f"awards-re-evaluated-{slug}-{now:%Y%m%d-%H%M}.csv",
        "text/csv",
        summary=_counts(summary),
        details=changes_table(summary),
    )

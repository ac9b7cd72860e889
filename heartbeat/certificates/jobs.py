"""Background jobs of the certificates feature (found by ``heartbeat.jobs.registry``)."""

from __future__ import annotations

from heartbeat.auth.viewer import language_for
from heartbeat.centres.models import Centre
from heartbeat.certificates import printing
from heartbeat.certificates.services import CertificateError
from heartbeat.core.i18n import _, _l, speaking
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import registry
from heartbeat.jobs.context import JobContext, JobError, JobResult

# The summary's names and values, kept in English on the job's row and shown in the reader's
# language by the job's page (``jobs.words.said``): marked here for the catalogue.
SUMMARY_WORDS = (
    _l("Certificates"),
    _l("Chosen"),
    _l("Left out as revoked"),
    _l("Issued this month"),
    _l("Not printed yet"),
    _l("Chosen in the register"),
)


@registry.handler(printing.PRINT_JOB, label=_l("Print certificates"))
def print_batch(ctx: JobContext, params: dict) -> JobResult:
    """One PDF of the chosen certificates; they are marked printed when the runner stores it.

    The marks are flushed in the runner's session and committed with the file, after all the
    rendering: a crash before then leaves every certificate unprinted, ready for a rerun.
    """
    centre = db.session.get(Centre, ctx.centre_id)
    if centre is None:
        raise JobError(_("The centre no longer exists."))
    slug = centre.slug
    ids = [int(value) for value in params.get("certificate_ids", [])]
    now = utcnow()
    try:
        prepared = printing.prepare_batch(centre, ids)
    except CertificateError as error:
        raise JobError(str(error)) from None
    # The file's own properties (its title) in the language of whoever asked for it; each page
    # is in its certificate's language.
    actor = ctx.actor()
    language = language_for(actor, centre) if actor is not None else centre.language
    # End the read before the long render: on SQLite an open transaction of a job holds the
    # database's write lock, which would keep every other writer waiting for seconds.
    db.session.rollback()
    with speaking(language):
        batch = printing.render_prepared(prepared, now=now, progress_report=ctx.progress)
    printing.mark_printed(batch.certificate_ids, now=now, job_id=ctx.job_id)
    summary: dict[str, int | str] = {"certificates": batch.count}
    if params.get("selection"):
        summary["chosen"] = str(params["selection"])
    revoked = len(set(ids)) - batch.count
    if revoked:
        summary["left_out_as_revoked"] = revoked
    # Committed with the file by the runner, or not at all.
    printing.record_printed(
        batch,
        centre_id=ctx.centre_id,
        job_id=ctx.job_id,
        actor=ctx.actor(),
        now=utcnow(),
        skipped=revoked,
    )
    return JobResult(
        data=batch.pdf,
        filename=f"certificates-{slug}-{now:%Y%m%d-%H%M}.pdf",
        mimetype="application/pdf",
        summary=summary,
    )

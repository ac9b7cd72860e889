"""Printing many certificates at once: one HTML document, one ``write_pdf``, a page each.

``render_batch`` only reads; ``mark_printed`` records the result. The job handler
(``certificates.jobs``) and the ``print-batch`` command call them in that order, so the rows are
marked printed in the same transaction that stores the finished file: a crash mid-batch marks
nothing, and the batch can simply be run again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import render
from heartbeat.certificates.models import Certificate
from heartbeat.certificates.services import CertificateError, centre_today, printable
from heartbeat.core.i18n import _, date_text, ngettext
from heartbeat.db import rows_changed, utcnow
from heartbeat.extensions import db
from heartbeat.jobs.models import Job

PRINT_JOB = "certificates.print_batch"
SELECTIONS = {
    "month": "Issued this month",
    "unprinted": "Not printed yet",
    "selected": "Chosen in the register",
}
MAX_BATCH = 2000


def batch_ids(
    centre: Centre,
    mode: str,
    *,
    ids: Sequence[int] = (),
    now: datetime | None = None,
    since: date | None = None,
) -> list[int]:
    """The certificates a batch prints, oldest first: never revoked ones, never another centre's."""
    now = now or utcnow()
    stmt = (
        sa.select(Certificate.id)
        .where(Certificate.centre_id == centre.id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at, Certificate.id)
    )
    if mode == "month":
        today = centre_today(centre, now)
        stmt = stmt.where(Certificate.issued_on >= today.replace(day=1))
    elif mode == "unprinted":
        stmt = stmt.where(Certificate.printed_at.is_(None))
    elif mode == "selected":
        wanted = sorted({int(i) for i in ids})[:MAX_BATCH]
        if not wanted:
            return []
        stmt = stmt.where(Certificate.id.in_(wanted))
    elif mode == "since":
        if since is None:
            raise CertificateError(_("Give the date to print from."))
        stmt = stmt.where(Certificate.issued_on >= since)
    else:
        raise CertificateError(_("Choose which certificates to print."))
    return list(db.session.scalars(stmt.limit(MAX_BATCH).execution_options(all_centres=True)))


@dataclass(frozen=True)
class Batch:
    pdf: bytes
    certificate_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.certificate_ids)


@dataclass(frozen=True)
class PreparedBatch:
    """Everything a batch prints, as plain values: rendering it needs no database."""

    pages: list[render.Printable]
    certificate_ids: list[int]
    centre_name: str


def prepare_batch(centre: Centre, ids: Sequence[int]) -> PreparedBatch:
    """Load the standing certificates among ``ids`` (this centre's only), oldest first."""
    certificates = db.session.scalars(
        sa.select(Certificate)
        .options(selectinload(Certificate.branding))
        .where(
            Certificate.centre_id == centre.id,
            Certificate.id.in_(list(ids)),
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.issued_at, Certificate.id)
        .execution_options(all_centres=True)
    ).all()
    if not certificates:
        raise CertificateError(_("There is nothing to print: no standing certificate was chosen."))
    return PreparedBatch(
        pages=[printable(certificate, with_credential=False) for certificate in certificates],
        certificate_ids=[certificate.id for certificate in certificates],
        centre_name=centre.name,
    )


def render_prepared(
    prepared: PreparedBatch,
    *,
    now: datetime,
    progress_report: Callable[[int, int, str], None] | None = None,
) -> Batch:
    """One print-ready PDF, a page per certificate: one HTML document, one ``write_pdf``."""
    total = len(prepared.pages)
    with render.layout_progress(total, progress_report, what="certificates"):
        result = render.render_pdf(
            prepared.pages,
            title=_("Certificates for printing: %(centre)s", centre=prepared.centre_name),
            subject=ngettext(
                "%(num)s certificate from %(centre)s, printed %(date)s",
                "%(num)s certificates from %(centre)s, printed %(date)s",
                total,
                centre=prepared.centre_name,
                date=date_text(now, "%d %B %Y"),
            ),
            author=prepared.centre_name,
            created=now,
            attach_credentials=False,
        )
    return Batch(pdf=result.pdf, certificate_ids=list(prepared.certificate_ids))


def render_batch(
    centre: Centre,
    ids: Sequence[int],
    *,
    now: datetime | None = None,
    progress_report: Callable[[int, int, str], None] | None = None,
) -> Batch:
    """``prepare_batch`` then ``render_prepared``. Reads only: ``mark_printed`` records it."""
    prepared = prepare_batch(centre, ids)
    return render_prepared(prepared, now=now or utcnow(), progress_report=progress_report)


def mark_printed(
    certificate_ids: Sequence[int], *, now: datetime, job_id: int | None = None
) -> int:
    if not certificate_ids:
        return 0
    result = db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id.in_(list(certificate_ids)))
        .values(printed_at=now, print_job_id=job_id, version=Certificate.version + 1)
        .execution_options(synchronize_session=False, all_centres=True)
    )
    return rows_changed(result)


# --- the audit trail: a batch asked for, and a batch printed -------------------------------------


def submit_batch(centre: Centre, ids: Sequence[int], *, selection: str, actor: User) -> Job:
    """Queue a print job for ``ids`` (flushed; commit, then dispatch it), in the audit trail."""
    from heartbeat.jobs.services import submit

    job = submit(
        PRINT_JOB,
        centre_id=centre.id,
        actor=actor,
        params={"certificate_ids": list(ids), "selection": selection},
    )
    audit.record(
        actor,
        centre.id,
        "print_batch.submit",
        "print_batch",
        job.id,
        audit.created({"selection": selection, "certificates": len(ids)}),
        at=job.created_at,
    )
    return job


def record_printed(
    batch: Batch,
    *,
    centre_id: int,
    job_id: int | None,
    actor: User | None,
    now: datetime,
    skipped: int = 0,
) -> None:
    """The trail's row for a printed batch: a job's, or one written from the command line."""
    changes = audit.created({"printed": batch.count, "skipped_revoked": skipped or None})
    if job_id is None:
        audit.record(actor, centre_id, "print_batch.command", "centre", centre_id, changes, at=now)
    else:
        audit.record(actor, centre_id, "print_batch.finish", "print_batch", job_id, changes, at=now)

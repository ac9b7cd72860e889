"""Job pages: a status page that follows a job to its end, its JSON twin, the result, a list.

Every job is loaded through the request's centre scope: another centre's job is not found (404).
Polling a page is also when a job whose worker died is noticed (``sweep_stale``).
"""

from __future__ import annotations

import io
import textwrap
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from heartbeat.auth.viewer import local_time
from heartbeat.core.i18n import (
    DEFAULT_LANGUAGE,
    _,
    current_language,
    decimal_text,
    ngettext,
    number,
)
from heartbeat.extensions import db
from heartbeat.jobs import registry, services
from heartbeat.jobs.live import LiveRow
from heartbeat.jobs.models import Job, JobState
from heartbeat.jobs.words import said
from heartbeat.permissions import require, staff_required

bp = Blueprint("jobs", __name__, template_folder="templates")


# --- helpers ------------------------------------------------------------------------------------


def _job(job_id: int, action: str = "job.view") -> Job:
    # Recover the job first if its worker died, so that what is loaded next is current (on
    # SQLite a read transaction, once started, would not see the sweep's change).
    if (
        current_user.is_staff
        and current_user.centre_id is not None
        and services.sweep_stale(
            job_id=job_id, centre_id=current_user.centre_id, read_with=db.session.connection()
        )
    ):
        _see_changes_since_the_request_began()
    job = db.session.scalars(services.job_by_id(job_id)).one_or_none()
    if job is None:
        abort(404)
    require(action, job)
    return job


def _see_changes_since_the_request_began() -> None:
    """End the request's read transaction (nothing to save: a GET), keeping what it loaded.

    On SQLite a read transaction keeps the snapshot of its first read (the signed-in user);
    the sweep has just changed the job on another connection.
    """
    session = db.session()
    if not session.in_transaction():
        return
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def _local(value: datetime | None) -> str:
    # The live status (JSON) carries the same text as the page: the centre's clock.
    return local_time(value, "%d %b %Y %H:%M")


def _count(n: int) -> str:
    return number(n)


def _progress(job: Job, live: LiveRow | None) -> tuple[int, int, str]:
    if live is not None and live.progress_total is not None:
        return live.progress_done or 0, live.progress_total, live.progress_message or ""
    return job.progress_done, job.progress_total, job.progress_message or ""


def progress_text(job: Job, live: LiveRow | None = None) -> str:
    """ "212 of 500 pages rendered", or what the job is doing when it has no count.

    A finished job shows how it ended instead (``ended_text``): the last thing it reported while
    running ("Writing the file") is no longer true.
    """
    if job.state.finished:
        return ended_text(job)
    done, total, message = _progress(job, live)
    if total:
        return _(
            "%(done)s of %(total)s %(what)s",
            done=_count(done),
            total=_count(total),
            what=said(message),
        ).strip()
    if job.state == JobState.QUEUED:
        return _("Waiting to start.")
    return said(message) or _("Working…")


# A failure's reason in a list cell: enough to recognise it; the job's page has all of it.
ENDED_TEXT_LIMIT = 160


def ended_text(job: Job) -> str:
    """One line for a finished job: its summary ("Certificates: 28 · Chosen: …") or its failure."""
    if job.state == JobState.FAILED:
        reason = said(job.error) or _("Failed.")
        return textwrap.shorten(reason, ENDED_TEXT_LIMIT, placeholder="…")
    rows = _summary_rows(job)
    if rows:
        return " · ".join(
            _("%(label)s: %(value)s", label=label, value=value) for label, value in rows
        )
    if job.has_result:
        return _("%(file)s is ready to download.", file=job.result_filename)
    return _("Finished.")


def attempt_text(job: Job) -> str:
    """Which attempt this is, or how many it took; empty before the first one starts."""
    tried, most = job.attempts, job.max_attempts
    if job.state == JobState.RUNNING:
        return _("Attempt %(attempt)s of %(most)s", attempt=tried, most=most)
    if job.state == JobState.QUEUED:
        if not tried:
            return ""
        return _("Attempt %(attempt)s of %(most)s, waiting to start", attempt=tried + 1, most=most)
    if job.state == JobState.DONE:
        if tried <= 0:
            return ""
        if tried == 1:
            return _("Done on the first attempt")
        return _("Done on attempt %(attempt)s of %(most)s", attempt=tried, most=most)
    if tried <= 0:
        return _("It never started")
    if tried == 1:
        return _("Failed on the first attempt")
    return ngettext("Failed after %(num)s attempt", "Failed after %(num)s attempts", tried)


def _size(n: int | None) -> str:
    if not n:
        return ""
    if n < 1024:
        return _("%(size)s bytes", size=n)
    if n < 1024 * 1024:
        return _("%(size)s KB", size=_measured(n / 1024, 0))
    return _("%(size)s MB", size=_measured(n / (1024 * 1024), 1))


def _measured(value: float, places: int) -> str:
    # English as it always was ("1000 KB", no grouping); other languages their own way.
    if current_language() == DEFAULT_LANGUAGE:
        return f"{value:.{places}f}"
    return decimal_text(value, places)


def _waiting_long(job: Job) -> bool:
    return job.state == JobState.QUEUED and services.looks_stale(job)


def _attempt_note(job: Job) -> str:
    if job.state.finished or not job.error:
        return ""
    attempt = job.attempts + 1 if job.state == JobState.QUEUED else job.attempts
    return _(
        "Attempt %(attempt)s of %(most)s. The previous attempt stopped: %(error)s",
        attempt=attempt,
        most=job.max_attempts,
        error=said(job.error),
    )


def _outcome(job: Job) -> str:
    if job.state == JobState.DONE:
        if job.has_result:
            return _("Finished. %(file)s is ready to download.", file=job.result_filename)
        return _("Finished.")
    if job.state == JobState.FAILED:
        return _("Failed: %(error)s", error=said(job.error)) if job.error else _("Failed.")
    return ""


def _summary_rows(job: Job) -> list[tuple[str, str]]:
    rows = []
    for key, value in (job.summary or {}).items():
        label = str(key).replace("_", " ")
        rows.append(
            (
                said(label[:1].upper() + label[1:]),
                _count(value)
                if isinstance(value, int) and not isinstance(value, bool)
                else said(str(value)),
            )
        )
    return rows


def details(job: Job) -> dict[str, Any] | None:
    """The job's table (``JobTable.to_json``) once it has ended; None when it has none."""
    if not job.state.finished or not job.details or not job.details.get("columns"):
        return None
    return job.details


def payload(job: Job) -> dict[str, Any]:
    """What the status page shows, as JSON for jobs.js."""
    live = services.live_progress([job]).get(job.id)
    done, total, message = _progress(job, live)
    if job.state == JobState.DONE:
        percent: int | None = 100
    else:
        percent = max(0, min(100, done * 100 // total)) if total else None
    return {
        "id": job.id,
        "kind": job.kind,
        "label": said(registry.label(job.kind)),
        "state": job.state.value,
        "state_label": job.state.label,
        "finished": job.state.finished,
        "done": done,
        "total": total,
        "percent": percent,
        "message": message,
        "progress_text": progress_text(job, live),
        "attempt": job.attempts,
        "max_attempts": job.max_attempts,
        "attempt_text": attempt_text(job),
        "attempt_note": _attempt_note(job),
        "started": _local(job.started_at),
        "ended": _local(job.finished_at),
        "waiting_long": _waiting_long(job),
        "error": job.error if job.state == JobState.FAILED else None,
        "outcome": _outcome(job),
        "summary": [{"label": label, "value": value} for label, value in _summary_rows(job)],
        "download_url": url_for(".result", job_id=job.id) if job.has_result else None,
        "result_filename": job.result_filename if job.has_result else None,
        "result_size": _size(job.result_size) if job.has_result else None,
        "details": details(job),
    }


# --- pages --------------------------------------------------------------------------------------


@bp.get("/jobs")
@staff_required
def index():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("job.view", centre)
    if services.sweep_stale(centre_id=centre.id, read_with=db.session.connection()):
        _see_changes_since_the_request_began()
    page = services.recent_jobs_page(current_app.config["HEARTBEAT_PAGE_SIZE"])
    live = services.live_progress(page.items)
    return render_template(
        "jobs/index.html",
        page=page,
        label=lambda kind: said(registry.label(kind)),
        local=_local,
        progress_text=lambda job: progress_text(job, live.get(job.id)),
    )


@bp.get("/jobs/<int:job_id>")
@login_required
def status(job_id: int):
    job = _job(job_id, "job.follow")
    return render_template(
        "jobs/status.html",
        job=job,
        status=payload(job),
        label=said(registry.label(job.kind)),
        summary=_summary_rows(job),
        local=_local,
    )


@bp.get("/jobs/<int:job_id>.json")
@login_required
def status_json(job_id: int):
    return jsonify(payload(_job(job_id, "job.follow")))


@bp.get("/jobs/<int:job_id>/result")
@login_required
def result(job_id: int):
    job = _job(job_id, "job.follow")
    if not job.has_result:
        abort(404)
    data = db.session.scalar(sa.select(Job.result).where(Job.id == job.id))
    if data is None:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=job.result_mimetype or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_filename or f"job-{job.id}",
        max_age=0,
    )


@bp.post("/jobs/<int:job_id>/retry")
@login_required
def retry(job_id: int):
    job = _job(job_id)
    try:
        services.retry(job, actor=current_user._get_current_object())
    except services.JobNotRetryable as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".status", job_id=job_id))
    db.session.commit()
    services.dispatch(job_id)
    flash(_("The job will run again."), "success")
    return redirect(url_for(".status", job_id=job_id))

"""Staff pages: the register, issuing, a certificate's page and file, revoking, batch printing.

Certificates and participants are loaded through the request's centre scope: another centre's id
is simply not found (404). A participant may download their own certificates and learns nothing
about anyone else's (404 as well).
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from heartbeat.certificates import printing, queries, services
from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.forms import BatchForm, IssueForm, RegisterFilterForm, RevokeForm
from heartbeat.certificates.models import Certificate
from heartbeat.core.edits import render_form
from heartbeat.core.i18n import _
from heartbeat.db import row_id, utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.permissions import admin_required, can, hide, require, staff_required
from heartbeat.progress.models import Award
from heartbeat.progress.services import ladder


def _actor():
    return current_user._get_current_object()


def _centre():
    centre = current_user.centre
    if centre is None:  # a platform operator belongs to no centre
        abort(404)
    return centre


def load_certificate(certificate_id: int, action: str) -> Certificate:
    certificate = (
        db.session.scalars(queries.certificate_query(certificate_id)).unique().one_or_none()
    )
    if certificate is None:
        abort(404)
    if not current_user.is_staff and not can(current_user, action, certificate):
        hide(action, certificate)  # a participant learns nothing of anyone else's certificate
    require(action, certificate)
    return certificate


def _participant(participant_id: int) -> Participant:
    participant = db.session.scalars(
        sa.select(Participant).where(Participant.id == participant_id)
    ).one_or_none()
    if participant is None:
        abort(404)
    return participant


def _is_row_id(raw: str) -> bool:
    try:
        row_id(raw)
    except ValueError:
        return False
    return True


def _profile_url(participant_id: int) -> str:
    return url_for("certificates.participant_certificates", participant_id=participant_id)


# --- the register ---------------------------------------------------------------------------------


@bp.get("/certificates")
@staff_required
def register():
    centre = _centre()
    require("certificate.register", centre)
    stages = ladder(centre.id)
    form = RegisterFilterForm(request.args, stages=stages)
    form.validate()
    f = queries.RegisterFilter(
        stage=form.stage.data or "",
        issued_from=None if form.issued_from.errors else form.issued_from.data,
        issued_to=None if form.issued_to.errors else form.issued_to.data,
        printed=form.printed.data if form.printed.data in queries.PRINTED_FILTERS else "",
        status=form.status.data if form.status.data in queries.STATUS_FILTERS else "standing",
        q=(form.q.data or "").strip()[:100] if not form.q.errors else "",
    )
    page = db.paginate(
        queries.register(f), per_page=current_app.config["HEARTBEAT_PAGE_SIZE"], error_out=False
    )
    kept = {
        "stage": f.stage,
        "issued_from": f.issued_from.isoformat() if f.issued_from else "",
        "issued_to": f.issued_to.isoformat() if f.issued_to else "",
        "printed": f.printed,
        "status": f.status,
        "q": f.q,
    }
    return render_template(
        "certificates/register.html",
        page=page,
        form=form,
        kept={key: value for key, value in kept.items() if value},
        can_print=can(current_user, "certificate.print", centre),
    )


# --- issuing --------------------------------------------------------------------------------------


@bp.post("/participants/<int:participant_id>/certificates/issue")
@login_required
def issue(participant_id: int):
    participant = _participant(participant_id)
    if not current_user.is_staff:
        hide("certificate.issue", participant)
    require("certificate.issue", participant)
    form = IssueForm()
    chosen = form.award_id.data if form.validate_on_submit() else None
    award_id: int | None
    try:
        award_id = row_id(chosen)
    except ValueError:
        award_id = None
    if award_id is None:
        flash(_("Choose an award to issue a certificate for."), "error")
        return redirect(_profile_url(participant.id))
    award = db.session.scalars(
        sa.select(Award)
        .options(joinedload(Award.stage))
        .where(Award.id == award_id, Award.participant_id == participant.id)
    ).one_or_none()
    if award is None:
        abort(404)
    require("certificate.issue", award)
    try:
        certificate = services.issue(
            award,
            participant=participant,
            centre=_centre(),
            actor=_actor(),
            now=utcnow(),
            language=form.language.data or None,
        )
        serial, certificate_id, title = certificate.serial, certificate.id, certificate.title
        db.session.commit()
    except services.CertificateError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_profile_url(participant_id))
    except sa.exc.IntegrityError:
        # Someone issued this award's certificate at the same moment: theirs stands.
        db.session.rollback()
        flash(_("This award already has a certificate (issued a moment ago)."), "error")
        return redirect(_profile_url(participant_id))
    flash(_("Certificate %(serial)s issued for %(title)s.", serial=serial, title=title), "success")
    return redirect(url_for(".detail", certificate_id=certificate_id))


# --- one certificate ------------------------------------------------------------------------------


@bp.get("/certificates/<int:certificate_id>")
@staff_required
def detail(certificate_id: int):
    certificate = load_certificate(certificate_id, "certificate.register")
    return render_template(
        "certificates/detail.html",
        certificate=certificate,
        can_revoke=can(current_user, "certificate.revoke", certificate),
    )


@bp.get("/certificates/<int:certificate_id>/certificate.pdf")
@login_required
def download(certificate_id: int):
    certificate = load_certificate(certificate_id, "certificate.download")
    pdf = services.certificate_pdf(certificate)
    filename = certificate.filename
    if certificate.revoked:
        filename = filename.replace(".pdf", "-REVOKED.pdf")
    return send_file(
        io.BytesIO(pdf), mimetype="application/pdf", download_name=filename, as_attachment=False
    )


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@admin_required
def revoke(certificate_id: int):
    certificate = load_certificate(certificate_id, "certificate.revoke")
    if certificate.revoked:
        flash(_("This certificate was already revoked."), "info")
        return redirect(url_for(".detail", certificate_id=certificate.id))
    form = RevokeForm()
    if request.method == "GET":
        form.version.data = str(certificate.version)
    elif form.validate_on_submit():
        if form.version.data != str(certificate.version):
            form.form_errors.append(
                _(
                    "The certificate changed since this page was opened (printed or revoked by "
                    "someone else). Check it below and confirm again."
                )
            )
            form.version.data = str(certificate.version)
            return render_template(
                "certificates/revoke.html", certificate=certificate, form=form
            ), 409
        try:
            services.revoke(
                certificate, actor=_actor(), reason=form.reason.data or "", now=utcnow()
            )
        except services.CertificateError as error:
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            serial = certificate.serial
            db.session.commit()
            flash(
                _(
                    "Certificate %(serial)s is revoked. Its verify page now says so, and "
                    "downloads are stamped REVOKED.",
                    serial=serial,
                ),
                "success",
            )
            return redirect(url_for(".detail", certificate_id=certificate_id))
    return render_form("certificates/revoke.html", form, certificate=certificate)


# --- batch printing -------------------------------------------------------------------------------


def _submit_print_job(centre, ids: list[int], selection: str):
    from heartbeat.jobs.services import dispatch

    job = printing.submit_batch(centre, ids, selection=selection, actor=_actor())
    job_id = job.id
    db.session.commit()
    dispatch(job_id)
    return redirect(url_for("jobs.status", job_id=job_id))


@bp.route("/certificates/print", methods=["GET", "POST"])
@admin_required
def print_batch():
    centre = _centre()
    require("certificate.print", centre)
    form = BatchForm()
    if request.method == "POST" and request.form.get("mode") == "selected":
        # Ticked in the register (CSRFProtect has checked the token of every POST already).
        raw = request.form.getlist("certificate_ids")
        chosen = [row_id(value) for value in raw if _is_row_id(value)]
        ids = printing.batch_ids(centre, "selected", ids=chosen) if chosen else []
        if not ids:
            flash(_("Tick at least one standing certificate in the register to print it."), "error")
            return redirect(url_for(".register"))
        return _submit_print_job(centre, ids, printing.SELECTIONS["selected"])
    if form.validate_on_submit():
        ids = printing.batch_ids(centre, form.mode.data, now=utcnow())
        if ids:
            return _submit_print_job(centre, ids, printing.SELECTIONS[form.mode.data])
        form.mode.errors = [
            *form.mode.errors,
            _("No standing certificate matches: nothing to print."),
        ]
    counts = {
        mode: len(printing.batch_ids(centre, mode, now=utcnow())) for mode in ("month", "unprinted")
    }
    return render_form("certificates/print.html", form, counts=counts, limit=printing.MAX_BATCH)

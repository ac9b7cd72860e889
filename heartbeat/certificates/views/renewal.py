"""Renewing an expiring certificate after a new sign-off: a confirmation page, then one POST."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from heartbeat.certificates import renewal
from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.errors import CertificateError
from heartbeat.certificates.forms import RenewForm
from heartbeat.certificates.views.staff import load_certificate
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.permissions import staff_required


@bp.route("/certificates/<int:certificate_id>/renew", methods=["GET", "POST"])
@staff_required
def renew(certificate_id: int):
    certificate = load_certificate(certificate_id, "certificate.renew")
    if not renewal.renewable(certificate):
        flash(_("Only a standing certificate that expires can be renewed."), "info")
        return redirect(url_for(".detail", certificate_id=certificate.id))
    form = RenewForm()
    if request.method == "GET":
        form.version.data = str(certificate.version)
    elif form.validate_on_submit():
        if form.version.data != str(certificate.version):
            form.form_errors.append(
                _("The certificate changed since this page was opened. Check it and confirm again.")
            )
            form.version.data = str(certificate.version)
            return _page(certificate, form), 409
        try:
            successor = renewal.renew(
                certificate, actor=current_user._get_current_object(), now=utcnow()
            )
            serial, successor_id = successor.serial, successor.id
            db.session.commit()
        except CertificateError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for(".detail", certificate_id=certificate_id))
        flash(
            _(
                "Renewed: certificate %(serial)s replaces %(old)s.",
                serial=serial,
                old=certificate.serial,
            ),
            "success",
        )
        return redirect(url_for(".detail", certificate_id=successor_id))
    return _page(certificate, form)


def _page(certificate, form: RenewForm) -> str:
    return render_template(
        "certificates/renew.html",
        certificate=certificate,
        form=form,
        expired=certificate.expired(utcnow()),
    )

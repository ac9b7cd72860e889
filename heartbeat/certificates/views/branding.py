"""The certificate design of a centre (admins): logo, colours, signatory, paper, and a preview."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from heartbeat.certificates import branding, serials, services
from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.forms import BrandingForm
from heartbeat.core.edits import refuse_unchosen, render_form, save_versioned, versioned_form
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.permissions import admin_required, require


def _centre():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("branding.edit", centre)
    return centre


def _upload(field) -> bytes | None:
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.read()


def _render(centre, form: BrandingForm, current, rebased=None):
    return render_form(
        "certificates/branding.html", form, centre=centre, current=current, rebased=rebased
    )


@bp.route("/centre/branding", methods=["GET", "POST"])
@admin_required
def branding_settings():
    centre = _centre()
    current = branding.branding_for(centre.id)
    form, unchosen = versioned_form(BrandingForm)

    def load() -> None:
        form.load(centre, branding.branding_for(centre.id))

    if request.method == "GET":
        load()
        return _render(centre, form, current)
    if not form.validate_on_submit():
        return _render(centre, form, current)
    if "preview" in request.form:
        # "Preview": the design as edited, nothing saved; the frame asks for it by its values.
        edits = {name: getattr(form, name).data or "" for name in branding.PREVIEW_FIELDS}
        return render_form(
            "certificates/branding.html",
            form,
            200,
            centre=centre,
            current=current,
            rebased=None,
            preview_url=url_for(".branding_preview", **edits),
        )
    if (rebased := refuse_unchosen(form, unchosen)) is not None:
        return _render(centre, form, current, rebased)
    outcome = save_versioned(
        form,
        lambda: branding.update_branding(
            centre,
            actor=current_user._get_current_object(),
            values={name: getattr(form, name).data or "" for name in branding.TEXT_FIELDS},
            paper_size=form.paper_size.data,
            logo=_upload(form.logo),
            remove_logo=form.remove_logo.data,
            signature=_upload(form.signature),
            remove_signature=form.remove_signature.data,
            expected_version=form.expected_version(),
            now=utcnow(),
        ),
        load=load,
    )
    if not outcome.saved:
        return _render(centre, form, branding.branding_for(centre.id), outcome.rebased)
    if outcome.result:
        flash(
            _("Certificate design saved. New certificates use it; issued ones keep theirs."),
            "success",
        )
    else:
        flash(_("Nothing had changed, so nothing was saved."), "info")
    return redirect(url_for(".branding_settings", _anchor="preview"))


@bp.get("/centre/branding/preview.pdf")
@admin_required
def branding_preview():
    centre = _centre()
    data = branding.branding_data(centre, branding.branding_for(centre.id))
    # Values being edited (the design page's "Preview"), in place of the saved ones.
    data = branding.with_edits(data, request.args)
    now = utcnow()
    pdf = branding.preview_pdf(
        centre,
        data,
        today=services.centre_today(centre, now),
        base_url=serials.public_base_url(),
        now=now,
    )
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        download_name="certificate-preview.pdf",
        as_attachment=False,
    )
    # Shown in a frame on the design page itself (everything else refuses to be framed).
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response

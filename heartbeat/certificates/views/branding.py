"""The certificate design of a centre (admins): logo, colours, signatory, paper, and a preview."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from heartbeat.certificates import branding, serials, services
from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.forms import BrandingForm
from heartbeat.certificates.models import DEFAULT_ACCENT, DEFAULT_PRIMARY, DEFAULT_PROGRAMME
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.permissions import admin_required, require


def _centre():
    centre = current_user.centre
    if centre is None:
        abort(404)
    require("branding.edit", centre)
    return centre


def _version(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _upload(field) -> bytes | None:
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.read()


def _render(centre, form: BrandingForm, current, conflicts=None, status: int = 200):
    return render_template(
        "certificates/branding.html",
        centre=centre,
        form=form,
        current=current,
        conflicts=conflicts,
    ), status


@bp.route("/centre/branding", methods=["GET", "POST"])
@admin_required
def branding_settings():
    centre = _centre()
    current = branding.branding_for(centre.id)
    form = BrandingForm()
    if request.method == "GET":
        form.programme_name.data = current.programme_name if current else DEFAULT_PROGRAMME
        form.primary_colour.data = current.primary_colour if current else DEFAULT_PRIMARY
        form.accent_colour.data = current.accent_colour if current else DEFAULT_ACCENT
        form.signatory_name.data = current.signatory_name if current else ""
        form.signatory_title.data = current.signatory_title if current else ""
        form.paper_size.data = centre.paper_size.value
        form.version.data = str(current.version) if current else ""
        return _render(centre, form, current)
    if not form.validate_on_submit():
        return _render(centre, form, current, status=422)
    try:
        changed = branding.update_branding(
            centre,
            actor=current_user._get_current_object(),
            values={name: getattr(form, name).data or "" for name in branding.TEXT_FIELDS},
            paper_size=form.paper_size.data,
            logo=_upload(form.logo),
            remove_logo=form.remove_logo.data,
            signature=_upload(form.signature),
            remove_signature=form.remove_signature.data,
            expected_version=_version(form.version.data),
            now=utcnow(),
        )
    except branding.StaleBranding as stale:
        db.session.rollback()
        form.version.data = str(stale.current_version)
        rows = [
            {"field": c.field, "label": c.label, "yours": c.yours, "current": c.current}
            for c in stale.conflicts
        ]
        return _render(centre, form, branding.branding_for(centre.id), rows, 409)
    except branding.BrandingError as error:
        db.session.rollback()
        for name, message in error.field_errors.items():
            field = getattr(form, name)
            field.errors = [*field.errors, message]
        return _render(centre, form, branding.branding_for(centre.id), status=422)
    db.session.commit()
    if changed:
        flash(
            "Certificate design saved. New certificates use it; issued ones keep theirs.",
            "success",
        )
    else:
        flash("Nothing had changed, so nothing was saved.", "info")
    return redirect(url_for(".branding_settings", _anchor="preview"))


@bp.get("/centre/branding/preview.pdf")
@admin_required
def branding_preview():
    centre = _centre()
    data = branding.branding_data(centre, branding.branding_for(centre.id))
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

"""Certificates: the centre's register (or a participant's own), one certificate, and its PDF."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import marshmallow as ma
from flask import send_file
from flask_login import current_user

from heartbeat.api import links
from heartbeat.api.blueprint import bp
from heartbeat.api.etags import ETAG_HEADER, quoted
from heartbeat.api.paging import Key, Order, page
from heartbeat.api.schemas.certificates import (
    CertificateArgs,
    CertificatePageSchema,
    CertificateSchema,
)
from heartbeat.api.views.common import centre_or_404, one, own_participant, visible
from heartbeat.certificates import queries, services
from heartbeat.certificates.models import Certificate
from heartbeat.permissions import require

TAG = ["Certificates"]
NEWEST_FIRST = Order(
    "newest",
    (Key(Certificate.issued_at, True, decode=datetime.fromisoformat), Key(Certificate.id, True)),
    lambda c: (c.issued_at, c.id),
)
PDF = {"type": "string", "contentMediaType": "application/pdf"}


def _certificate(certificate_id: int) -> Certificate:
    # The participant too: a participant may see their own certificates (as they download them).
    certificate = one(queries.certificate_query(certificate_id))
    return visible(certificate, "certificate.download", view_action="certificate.download")


@bp.route("/certificates", tags=TAG)
@bp.doc(operationId="listCertificates", **links.FIRST_CERTIFICATE)
@bp.arguments(CertificateArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@bp.response(200, CertificatePageSchema)
def list_certificates(args: dict[str, Any]):
    """Certificates, newest first

    Staff: the centre's register. A participant's token: their own certificates.
    """
    centre = centre_or_404()
    f = queries.RegisterFilter(status=args["status"], q=(args.get("q") or "").strip())
    stmt = queries.register(f).order_by(None)
    if current_user.is_staff:
        require("certificate.register", centre)
    else:
        own = own_participant()
        stmt = stmt.where(Certificate.participant_id == (own.id if own is not None else -1))
    if args.get("participant") is not None:
        stmt = stmt.where(Certificate.participant_id == args["participant"])
    rows, cursor = page(
        stmt, NEWEST_FIRST, list_name="certificates", cursor=args.get("cursor"), limit=args["limit"]
    )
    return {"items": rows, "next_cursor": cursor}


@bp.route("/certificates/<int:certificate_id>", tags=TAG)
@bp.doc(operationId="getCertificate")
@bp.response(200, CertificateSchema, headers={"ETag": ETAG_HEADER})
def get_certificate(certificate_id: int):
    """One certificate"""
    certificate = _certificate(certificate_id)
    return certificate, 200, {"ETag": quoted(certificate.version)}


@bp.route("/certificates/<int:certificate_id>/pdf", tags=TAG)
@bp.doc(operationId="getCertificatePdf")
@bp.response(200, PDF, content_type="application/pdf", description="The certificate as a PDF.")
def get_certificate_pdf(certificate_id: int):
    """The certificate's PDF

    The file as issued (its SHA-256 is the certificate's sha256); a revoked one is stamped
    REVOKED.
    """
    certificate = _certificate(certificate_id)
    pdf = services.certificate_pdf(certificate)
    name = certificate.filename
    if certificate.revoked:
        name = name.replace(".pdf", "-REVOKED.pdf")
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=name)

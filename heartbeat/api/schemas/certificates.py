"""Certificates: the record as issued (the PDF has its own route)."""

from __future__ import annotations

import marshmallow as ma

from heartbeat.api.fields import Text
from heartbeat.api.schemas.common import PageArgs, page_of
from heartbeat.db import MAX_ID


class CertificateArgs(PageArgs):
    participant = ma.fields.Integer(
        validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "Only this participant's certificates."},
    )
    status = ma.fields.String(
        load_default="all",
        validate=ma.validate.OneOf(("standing", "revoked", "all")),
    )
    q = Text(validate=ma.validate.Length(max=100), metadata={"description": "Serial or name."})


class CertificateSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    serial = ma.fields.String(required=True)
    participant_id = ma.fields.Integer(required=True)
    award_id = ma.fields.Integer(required=True, allow_none=True)
    stage_id = ma.fields.Integer(required=True, allow_none=True)
    participant_name = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    achieved_on = ma.fields.Date(required=True)
    issued_on = ma.fields.Date(required=True)
    issued_at = ma.fields.DateTime(required=True)
    verify_url = ma.fields.String(required=True)
    sha256 = ma.fields.String(
        required=True, metadata={"description": "SHA-256 of the PDF as issued."}
    )
    printed_at = ma.fields.DateTime(required=True, allow_none=True)
    revoked = ma.fields.Boolean(required=True)
    revoked_at = ma.fields.DateTime(required=True, allow_none=True)
    revoked_reason = ma.fields.String(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


CertificatePageSchema = page_of(CertificateSchema, "CertificatePage")

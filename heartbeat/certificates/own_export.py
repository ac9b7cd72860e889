"""Certificates' part of a participant's own export: each certificate's PDF and its signed
credential (Open Badges 3.0 JSON), as the verify page serves it (``participants.own_export``)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, undefer

from heartbeat.certificates import services
from heartbeat.certificates.models import Certificate
from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.participants.own_export import ExportPart, register_part


def _theirs(participant_id: int) -> sa.Select[Certificate]:
    return (
        sa.select(Certificate)
        .options(
            joinedload(Certificate.branding),
            joinedload(Certificate.participant),
            joinedload(Certificate.issued_by),
            joinedload(Certificate.revoked_by),
            undefer(Certificate.credential),
        )
        .where(Certificate.participant_id == participant_id)
        .order_by(Certificate.issued_at, Certificate.id)
    )


def count(participant: Participant) -> int:
    found = db.session.scalar(
        sa.select(sa.func.count()).where(Certificate.participant_id == participant.id)
    )
    return 2 * int(found or 0)


def files(participant: Participant) -> Iterator[tuple[str, bytes]]:
    for certificate in db.session.scalars(_theirs(participant.id)).unique():
        stem = certificate.filename.removesuffix(".pdf")
        if certificate.revoked:
            stem += "-REVOKED"
        yield f"certificates/{stem}.pdf", services.certificate_pdf(certificate)
        credential = json.dumps(certificate.credential, indent=2, ensure_ascii=False)
        yield f"certificates/{stem}.json", credential.encode("utf-8")


def register() -> None:
    register_part(
        ExportPart(
            name="certificates",
            describe=_l(
                "certificates/: each certificate as a PDF, and its signed credential (Open "
                "Badges 3.0) as JSON that anyone can check at the verify address it names"
            ),
            order=40,
            count=count,
            files=files,
        )
    )

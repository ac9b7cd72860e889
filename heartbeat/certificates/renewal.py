"""Renewing a certificate that expires: one action after a new sign-off.

The member of staff renewing it signs the award off again (``verified_at``/``verified_by`` become
now and them, as a fresh sign-off would), the old certificate is superseded (revoked, so its
status bit flips and wallets see it), and a new one is issued with a new ``validUntil``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import services
from heartbeat.certificates.errors import CertificateError
from heartbeat.certificates.models import Certificate
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award


def renewable(certificate: Certificate) -> bool:
    return certificate.valid_until is not None and not certificate.revoked


def renew(certificate: Certificate, *, actor: User, now: datetime) -> Certificate:
    """Sign the award off again, supersede ``certificate`` and issue its successor."""
    if not renewable(certificate) or certificate.award_id is None:
        raise CertificateError(_("Only a standing certificate that expires can be renewed."))
    award = db.session.scalars(
        sa.select(Award).options(joinedload(Award.stage)).where(Award.id == certificate.award_id)
    ).one()
    participant = db.session.get(Participant, certificate.participant_id)
    centre = db.session.get(Centre, certificate.centre_id)
    if participant is None or centre is None:
        raise CertificateError(_("This certificate's participant is no longer on record."))
    award.verified_at, award.verified_by_id = now, actor.id
    services.revoke(certificate, actor=actor, reason="Renewed after a new sign-off", now=now)
    db.session.flush()
    successor = services.issue(award, participant=participant, centre=centre, actor=actor, now=now)
    audit.record(
        actor,
        centre.id,
        "certificate.renew",
        "certificate",
        successor.id,
        audit.created({"serial": successor.serial, "renews": certificate.serial}),
        at=now,
    )
    return successor

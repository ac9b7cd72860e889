"""Issuing, rendering, revoking and printing certificates: plain functions that flush, never commit.

Issuing writes the row, signs its credential and renders its PDF in one go: the file's SHA-256
is stored on the row, so if rendering fails nothing is left behind (the caller rolls back). The
PDF itself is not stored; rendering is a pure function of the row and its branding snapshot, so a
download re-renders the same bytes and the stored hash proves it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.auth.viewer import language_of_login
from heartbeat.centres.models import Centre
from heartbeat.certificates import render
from heartbeat.certificates.branding import (
    branding_data,
    branding_for,
    freeze_branding,
    snapshot_data,
)

# Raised by this module; re-exported so callers need only the services.
from heartbeat.certificates.errors import CertificateError as CertificateError
from heartbeat.certificates.issuing import signed_credential
from heartbeat.certificates.models import REVOKED_NAME, Certificate
from heartbeat.certificates.serials import new_serial, public_base_url, verify_url
from heartbeat.core.events import event
from heartbeat.core.i18n import DEFAULT_LANGUAGE, speaking, supported
from heartbeat.core.i18n import gettext as _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Consent, ConsentKind, Participant
from heartbeat.progress import services as progress
from heartbeat.progress.models import Award
from heartbeat.progress.sentences import milestone_sentence

log = logging.getLogger("heartbeat.certificates")

certificate_issued = event(
    "certificates.issued", "A certificate was issued (sender: the certificate, flushed; now)."
)


def centre_today(centre: Centre, now: datetime) -> date:
    return now.astimezone(ZoneInfo(centre.timezone or "UTC")).date()


# --- issuing -------------------------------------------------------------------------------------


def _awards_query(participant_id: int) -> sa.Select[Award]:
    return (
        sa.select(Award)
        .options(joinedload(Award.stage))
        .where(Award.participant_id == participant_id)
        .order_by(Award.achieved_at, Award.id)
    )


def issuable_awards(participant: Participant) -> list[Award]:
    """Verified awards with no standing certificate: what can be issued now (two queries)."""
    awards = [
        award
        for award in db.session.scalars(
            _awards_query(participant.id).where(Award.verified_at.is_not(None))
        )
        if not award.needs_review
    ]
    if not awards:
        return []
    covered = set(
        db.session.scalars(
            sa.select(Certificate.standing_award_id).where(
                Certificate.standing_award_id.in_([award.id for award in awards])
            )
        )
    )
    return [award for award in awards if award.id not in covered]


def _journey(participant: Participant, award: Award) -> list[dict[str, object]]:
    stages = progress.ladder(participant.centre_id, include_retired=False)
    reached = set(
        db.session.scalars(
            sa.select(Award.stage_id).where(
                Award.participant_id == participant.id,
                Award.stage_id.is_not(None),
                Award.verified_at.is_not(None),
            )
        )
    )
    return [
        {"title": stage.title, "reached": stage.id in reached, "this": stage.id == award.stage_id}
        for stage in stages
    ]


def _unique_serial(year: int) -> str:
    for _attempt in range(8):
        serial = new_serial(year)
        taken = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Certificate)
            .where(Certificate.serial == serial)
            .execution_options(all_centres=True)
        )
        if not taken:
            return serial
    raise CertificateError(_("Could not find a free serial; please try again."))  # pragma: no cover


def issue(
    award: Award,
    *,
    participant: Participant,
    centre: Centre,
    actor: User,
    now: datetime | None = None,
    base_url: str | None = None,
    language: str | None = None,
) -> Certificate:
    """Issue the certificate of a verified award: the row, its signed credential and its PDF,
    in ``language`` (the participant's when not given: ``participant_language``)."""
    now = now or utcnow()
    if award.participant_id != participant.id or award.centre_id != centre.id:
        raise CertificateError(_("That award does not belong to this participant."))
    if getattr(participant, "erased", False):
        raise CertificateError(
            _("This participant's personal data was erased: no certificate can be issued.")
        )
    if not award.verified:
        raise CertificateError(
            _("This award has not been verified yet: verify it before issuing a certificate.")
        )
    if award.needs_review:
        raise CertificateError(
            _("This award is flagged for review: resolve the review before issuing a certificate.")
        )
    standing = db.session.scalar(
        sa.select(Certificate.serial).where(Certificate.standing_award_id == award.id)
    )
    if standing is not None:
        raise CertificateError(
            _("This award already has a certificate (%(serial)s).", serial=standing)
        )

    base = base_url or public_base_url()
    serial = _unique_serial(now.year)
    # Recorded as the ladder says it (the credential and the register keep it as issued).
    with speaking(DEFAULT_LANGUAGE):
        title = str(progress.award_title(award))
        description = str(progress.award_description(award))
    data = branding_data(centre, branding_for(centre.id))
    snapshot = freeze_branding(centre.id, data)
    with speaking(DEFAULT_LANGUAGE):  # the credential is in English, whoever issues it
        made = signed_credential(
            centre=centre,
            participant=participant,
            award=award,
            serial=serial,
            title=title,
            description=description,
            programme=data.programme_name,
            base=base,
            now=now,
        )
    certificate = Certificate(
        centre_id=centre.id,
        serial=serial,
        participant_id=participant.id,
        award_id=award.id,
        standing_award_id=award.id,
        stage_id=award.stage_id,
        award_key=award.key,
        participant_name=participant.display_name,
        title=title,
        description=description,
        achieved_on=centre_today(centre, award.achieved_at),
        issued_on=centre_today(centre, now),
        journey=_journey(participant, award),
        verify_url=verify_url(base, serial),
        credential=made.credential,
        identity_salt=made.identity_salt,
        status_index=made.status_index,
        valid_until=made.valid_until,
        language=supported(language) or participant_language(participant, centre),
        branding_id=snapshot.id,
        sha256="",
        issued_at=now,
        issued_by_id=actor.id,
    )
    certificate.branding = snapshot
    # Drawn before the row is added: a certificate that cannot be rendered is never issued.
    try:
        result = render_certificate(certificate, stamp_revoked=False)
    except Exception:
        log.exception("certificate %s could not be rendered", serial)
        raise CertificateError(
            _(
                "The certificate could not be drawn, so it was not issued. Nothing was saved; "
                "please try again, and tell your administrator if it keeps failing."
            )
        ) from None
    certificate.sha256 = result.sha256
    db.session.add(certificate)
    db.session.flush()
    audit.record(
        actor,
        centre.id,
        "certificate.issue",
        "certificate",
        certificate.id,
        audit.created(
            {
                "serial": serial,
                "participant_id": participant.id,
                "award_id": award.id,
                "title": title,
                "sha256": certificate.sha256,
            }
        ),
        at=now,
    )
    certificate_issued.send(certificate, now=now)
    return certificate


# --- rendering -----------------------------------------------------------------------------------


def participant_language(participant: Participant, centre: Centre) -> str:
    """What a new certificate's own words are printed in unless the issuer chooses: the
    language of the participant's login, else their centre's."""
    return language_of_login(participant.user_id, centre)


def printable(
    certificate: Certificate,
    *,
    stamp_revoked: bool = True,
    with_credential: bool = True,
    language: str | None = None,
) -> render.Printable:
    """What the certificate's page shows (``branding`` must be loaded; ``credential`` too
    unless ``with_credential`` is false, as for print batches, which attach none)."""
    revoked_on = None
    if stamp_revoked and certificate.revoked_at is not None:
        revoked_on = certificate.revoked_at.date()
    return render.Printable(
        serial=certificate.serial,
        participant_name=certificate.participant_name,
        title=certificate.title,
        description=certificate.description,
        achieved_on=certificate.achieved_on,
        issued_on=certificate.issued_on,
        verify_url=certificate.verify_url,
        branding=snapshot_data(certificate.branding),
        journey=tuple(
            render.JourneyStep(str(step["title"]), bool(step["reached"]), bool(step["this"]))
            for step in certificate.journey or []
        ),
        revoked_on=revoked_on,
        credential=certificate.credential if with_credential else None,
        language=language or certificate.language or DEFAULT_LANGUAGE,
    )


class _Metadata(TypedDict):
    title: str
    subject: str
    author: str
    created: datetime


def _metadata(certificate: Certificate) -> _Metadata:
    """The PDF's properties, in the language being spoken."""
    return {
        "title": _(
            "%(title)s certificate: %(name)s",
            title=certificate.title,
            name=certificate.participant_name,
        ),
        "subject": _(
            "%(sentence)s Serial %(serial)s; verify at %(url)s",
            sentence=milestone_sentence(certificate.participant_name, certificate.description),
            serial=certificate.serial,
            url=certificate.verify_url,
        ),
        "author": certificate.branding.centre_name,
        "created": certificate.issued_at,
    }


def render_certificate(
    certificate: Certificate, *, stamp_revoked: bool = True
) -> render.RenderResult:
    """The certificate's PDF, in the language it was issued in; a revoked one is stamped
    REVOKED unless told otherwise."""
    page = printable(certificate, stamp_revoked=stamp_revoked)
    with speaking(page.language):
        return render.render_pdf([page], **_metadata(certificate))


def certificate_pdf(certificate: Certificate) -> bytes:
    """The file to hand out: the issued bytes, or for a revoked certificate a stamped copy."""
    result = render_certificate(certificate)
    if not certificate.revoked and result.sha256 != certificate.sha256:
        # Same record, same branding: only a different renderer version can cause this.
        log.warning(
            "certificate %s re-rendered with a different hash (stored %s, now %s)",
            certificate.serial,
            certificate.sha256[:12],
            result.sha256[:12],
        )
    return result.pdf


# --- revoking ------------------------------------------------------------------------------------


def revoke(
    certificate: Certificate, *, actor: User, reason: str, now: datetime | None = None
) -> Certificate:
    now = now or utcnow()
    reason = (reason or "").strip()
    if certificate.revoked:
        raise CertificateError(_("This certificate was already revoked."))
    if len(reason) < 3:
        raise CertificateError(_("Give the reason for revoking it (at least a few words)."))
    if len(reason) > 1000:
        raise CertificateError(_("Keep the reason under 1,000 characters."))
    certificate.revoked_at = now
    certificate.revoked_by_id = actor.id
    certificate.revoked_reason = reason
    certificate.standing_award_id = None
    db.session.flush()
    audit.record(
        actor,
        certificate.centre_id,
        "certificate.revoke",
        "certificate",
        certificate.id,
        {
            "revoked_at": {"before": None, "after": audit.json_value(now)},
            "revoked_reason": {"before": None, "after": reason},
            "participant_id": {
                "before": certificate.participant_id,
                "after": certificate.participant_id,
            },
        },
        at=now,
    )
    return certificate


def revoke_all_for_participant(
    participant: Participant, *, actor: User, reason: str, now: datetime | None = None
) -> int:
    """Revoke every standing certificate of a participant whose data is being erased.

    Their name, journey and the salt of the credential's name hash (so nobody can ever test a
    name against it) go with the rest of their personal data (``Certificate``'s declaration), so
    what remains is the serial, the milestone and the dates. Returns how many were revoked.
    """
    now = now or utcnow()
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.participant_id == participant.id)
    ).all()
    revoked = 0
    for certificate in certificates:
        if not certificate.revoked:
            revoke(certificate, actor=actor, reason=reason, now=now)
            revoked += 1
    db.session.flush()
    return revoked


# --- public verification -------------------------------------------------------------------------


def shows_name_publicly(certificate: Certificate) -> bool:
    """The participant said yes to their name on the public verify page."""
    given = db.session.scalar(
        sa.select(Consent.given)
        .where(
            Consent.participant_id == certificate.participant_id,
            Consent.kind == ConsentKind.PUBLIC_VERIFICATION,
        )
        .execution_options(all_centres=True)
    )
    return bool(given) and certificate.participant_name != REVOKED_NAME

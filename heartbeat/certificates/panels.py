"""The certificates section of a participant's record (staff), and the portal's certificates.

The section offers a certificate for each verified award that has none (right after a
therapist verifies an award they land back on this page) and lists the ones issued. Each builder
runs a fixed number of queries, whatever the number of awards or certificates.
"""

from __future__ import annotations

from typing import Any

from heartbeat.centres.models import Centre
from heartbeat.certificates import queries, services, sharing
from heartbeat.core.i18n import LANGUAGES
from heartbeat.extensions import db
from heartbeat.permissions import can
from heartbeat.progress.services import award_title


def build_profile_panel(participant, viewer) -> dict[str, Any] | None:
    certificates = db.session.scalars(queries.for_participant(participant.id)).all()
    may_issue = can(viewer, "certificate.issue", participant) and not getattr(
        participant, "erased", False
    )
    issuable = services.issuable_awards(participant) if may_issue else []
    centre = db.session.get(Centre, participant.centre_id) if issuable else None
    return {
        "participant": participant,
        "certificates": certificates,
        "issuable": [
            {"id": award.id, "title": award_title(award), "achieved_at": award.achieved_at}
            for award in issuable
        ],
        "may_issue": may_issue,
        # What a certificate is printed in unless the issuer chooses another language.
        "own_language": services.participant_language(participant, centre) if centre else None,
        "languages": LANGUAGES,
    }


def build_portal_panel(participant, viewer) -> dict[str, Any] | None:
    certificates = db.session.scalars(queries.for_participant(participant.id)).all()
    centre = db.session.get(Centre, participant.centre_id)
    organisation = centre.name if centre is not None else ""
    return {
        "participant": participant,
        "certificates": certificates,
        "linkedin": {
            cert.id: sharing.linkedin_url(
                name=cert.title,
                organisation=organisation,
                issued_on=cert.issued_on,
                verify_url=cert.verify_url,
                serial=cert.serial,
            )
            for cert in certificates
            if not cert.revoked
        },
    }


def register() -> None:
    """Nothing on other features' pages: the certificates are sections of their own."""

"""The credential of a certificate being issued: what it says, its status bit, its proof."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from heartbeat.centres.models import Centre
from heartbeat.certificates import credentials, statuslist
from heartbeat.certificates.serials import achievement_url, did_web, verify_url
from heartbeat.core.units import Units, format_distance
from heartbeat.core.wording import plural, sentence
from heartbeat.participants.models import Participant
from heartbeat.progress import services as progress
from heartbeat.progress.models import Award, CriterionKind
from heartbeat.progress.sentences import after_name


def criteria_text(award: Award, units: Units) -> str:
    """What earning the award took, in a sentence (the achievement's criteria narrative)."""
    stage = award.stage
    if stage is None:
        club = progress.CLUBS_BY_CODE.get(award.club_code or "")
        if club is not None and club.kind == "marathons":
            return (
                f"Finish {plural(club.threshold, 'marathon')}, counted across every race and"
                " session."
            )
        if club is not None:
            return (
                f"Cover {club.threshold:,} miles in all, across every counting training session"
                " and race."
            )
        return "A Heartbeat Miles club, verified by a therapist."
    if stage.kind == CriterionKind.SIGNOFF:
        return sentence(f"Signed off by a therapist: {after_name(stage.description)}")
    distance = format_distance(stage.threshold_m or 0, units, both=True)
    if stage.kind == CriterionKind.RACE:
        return f"An official race finish of at least {distance}, verified by a therapist."
    return (
        f"One continuous session (training or race) of at least {distance}, verified by a "
        "therapist."
    )


@dataclass(frozen=True)
class IssuedCredential:
    credential: dict[str, Any]
    identity_salt: str
    status_index: int


def signed_credential(
    *,
    centre: Centre,
    participant: Participant,
    award: Award,
    serial: str,
    title: str,
    description: str,
    programme: str,
    base: str,
    now: datetime,
) -> IssuedCredential:
    """The certificate's OpenBadgeCredential, with its revocation entry, signed (flushes the
    centre's key when it is the first)."""
    key = credentials.centre_key(centre.id, secret_key=current_app.config["SECRET_KEY"])
    issuer = did_web(base, centre.slug)
    identity_salt = credentials.new_identity_salt()
    index = statuslist.free_index(centre.id)
    unsigned = credentials.build_credential(
        verify_url=verify_url(base, serial),
        issuer_id=issuer,
        centre_name=centre.name,
        achievement_id=achievement_url(base, centre.slug, award.key),
        title=title,
        description=description,
        criteria=criteria_text(award, centre.units.value),
        participant_name=participant.display_name,
        identity_salt=identity_salt,
        issued_at=now,
        programme=programme,
        status=statuslist.entry(base, centre.slug, index),
    )
    signed = credentials.sign(unsigned, key, verification_method=f"{issuer}#{key.kid}", created=now)
    return IssuedCredential(signed, identity_salt, index)

"""The credential of a certificate being issued: what it says, its status bit, its proof."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from heartbeat.auth.models import User
from heartbeat.auth.viewer import units_of_login
from heartbeat.centres.models import Centre
from heartbeat.certificates import credentials, statuslist
from heartbeat.certificates.serials import achievement_url, did_web, issuer_url, verify_url
from heartbeat.core.i18n import in_english
from heartbeat.core.units import Units, format_distance
from heartbeat.core.wording import plural, sentence
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress import services as progress
from heartbeat.progress.models import Award, CriterionKind
from heartbeat.progress.rules.skills import skills_sentence
from heartbeat.progress.sentences import after_name
from heartbeat.progress.skills import required_labels
from heartbeat.training.models import TrainingSession


def criteria_text(award: Award, units: Units) -> str:
    """What earning the award took, in a sentence (the achievement's criteria narrative)."""
    stage = award.stage
    if stage is None:
        club = progress.CLUBS_BY_CODE.get(award.club_code or "")
        if club is not None and club.kind == "marathons":
            return (
                f"Finish {plural(club.threshold, 'marathon', 'marathons')},"
                " counted across every race and session."
            )
        if club is not None:
            return (
                f"Cover {club.threshold:,} miles in all, across every counting training session"
                " and race."
            )
        return "A Heartbeat Miles club, verified by a therapist."
    if stage.kind == CriterionKind.SIGNOFF:
        signed = sentence(f"Signed off by a therapist: {after_name(stage.description)}")
        skills = skills_sentence(required_labels(stage))
        return f"{signed} {skills}" if skills else signed
    distance = format_distance(stage.threshold_m or 0, units, both=True)
    if stage.kind == CriterionKind.RACE:
        return f"An official race finish of at least {distance}, verified by a therapist."
    return (
        f"One continuous session (training or race) of at least {distance}, verified by a "
        "therapist."
    )


def _day(moment: datetime, centre: Centre) -> str:
    local = moment.astimezone(ZoneInfo(centre.timezone)).date()
    return f"{local.day} {local:%B %Y}"


def evidence_for(award: Award, centre: Centre) -> list[dict[str, Any]]:
    """OB 3.0 ``evidence``: what proved the award, by kind and date, and who verified it by
    role. Never distances, times, notes or anything else of the person's health record."""
    stage = award.stage
    achieved = _day(award.achieved_at, centre)
    if stage is not None and stage.kind == CriterionKind.SIGNOFF:
        name, what = "Therapist sign-off", f"Signed off by a therapist on {achieved}"
    else:
        session = (
            db.session.get(TrainingSession, award.evidence_session_id)
            if award.evidence_session_id is not None
            else None
        )
        if session is not None and session.is_race:
            name, what = "Official race finish", f"An official race finished on {achieved}"
        elif stage is None:
            name, what = "Sessions recorded", f"Reached on {achieved}, across recorded sessions"
        else:
            kind = session.kind.label.lower() if session is not None else "training"
            name, what = "Continuous session", f"A continuous {kind} session on {achieved}"
    verifier = db.session.get(User, award.verified_by_id) if award.verified_by_id else None
    role = verifier.role.label.lower() if verifier is not None else "member of staff"
    checked = _day(award.verified_at, centre) if award.verified_at else achieved
    return [
        {
            "type": ["Evidence"],
            "name": name,
            "narrative": f"{what}, verified by a {role} at {centre.name} on {checked}.",
        }
    ]


def programme_alignment(centre: Centre, programme: str, base: str) -> list[dict[str, Any]]:
    """The centre's programme the achievement belongs to, as an OB 3.0 ``Alignment``."""
    return [
        {
            "type": ["Alignment"],
            "targetName": programme,
            "targetDescription": f"The adaptive wheelchair-racing programme of {centre.name}.",
            "targetUrl": issuer_url(base, centre.slug),
        }
    ]


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last))


def valid_until(award: Award, now: datetime) -> datetime | None:
    """When a certificate of the award issued ``now`` expires (its stage's period), or None."""
    months = award.stage.valid_for_months if award.stage is not None else None
    return add_months(now, months) if months else None


@dataclass(frozen=True)
class IssuedCredential:
    credential: dict[str, Any]
    identity_salt: str
    status_index: int
    valid_until: datetime | None


@in_english  # the credential's words (criteria, evidence) are the same for every verifier
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
    until = valid_until(award, now)
    unsigned = credentials.build_credential(
        verify_url=verify_url(base, serial),
        issuer_id=issuer,
        centre_name=centre.name,
        achievement_id=achievement_url(base, centre.slug, award.key),
        title=title,
        description=description,
        # In the units the participant's own pages show (their login's choice, else the
        # centre's); the other unit follows in brackets.
        criteria=criteria_text(award, units_of_login(participant.user_id, centre)),
        participant_name=participant.display_name,
        identity_salt=identity_salt,
        issued_at=now,
        programme=programme,
        status=statuslist.entry(base, centre.slug, index),
        evidence=evidence_for(award, centre),
        alignment=programme_alignment(centre, programme, base),
        valid_until=until,
    )
    signed = credentials.sign(unsigned, key, verification_method=f"{issuer}#{key.kid}", created=now)
    return IssuedCredential(signed, identity_salt, index, until)

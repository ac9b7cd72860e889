"""A therapist's part: signing off skills, verifying awards the engine proposed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.events import event
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.participants.services import ParticipantError, add_fitting
from heartbeat.progress.ladder import records_chair_fitting
from heartbeat.progress.models import HISTORY_EVIDENCE, Award, CriterionKind, LadderStage
from heartbeat.progress.rules.skills import unmet
from heartbeat.progress.services.engine import centre_zone, evaluate_awards
from heartbeat.progress.services.ladders import ProgressError, stage_key
from heartbeat.progress.skills import checks_for

award_verified = event(
    "progress.award-verified",
    "A person verified an award: it counts now (sender: the award, flushed; now).",
)


def sign_off(
    participant: Participant,
    stage: LadderStage,
    *,
    actor: User,
    achieved_at: datetime | None = None,
    session_id: int | None = None,
    fitting: Mapping[str, str] | None = None,
) -> Award:
    """A therapist signs off a skills stage: the award is verified as it is made.

    For the stage that records a chair fitting ("Chair fitted"), ``fitting`` (make and model)
    records the participant's fitting on the same day, so their chair panel agrees with it.

    Skills the stage requires that are not passed yet do not stop it (``rules.skills``: they
    warn); the audit trail records which they were.
    """
    if fitting is not None and not records_chair_fitting(stage.code):
        raise ProgressError(_("“%(title)s” does not record a chair fitting.", title=stage.title))
    if stage.kind != CriterionKind.SIGNOFF:
        raise ProgressError(
            _("“%(title)s” is reached by distance, not by a sign-off.", title=stage.title)
        )
    if stage.retired:
        raise ProgressError(
            _("“%(title)s” is retired and can no longer be signed off.", title=stage.title)
        )
    now = utcnow()
    key = stage_key(stage.id)
    if db.session.scalar(
        sa.select(Award.id).where(Award.participant_id == participant.id, Award.key == key)
    ):
        raise ProgressError(_("“%(title)s” is already signed off.", title=stage.title))
    award = Award(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        key=key,
        stage_id=stage.id,
        achieved_at=achieved_at or now,
        evidence_session_id=session_id,
        verified_at=now,
        verified_by_id=actor.id,
    )
    db.session.add(award)
    db.session.flush()
    if fitting is not None:
        tz = centre_zone(participant.centre_id)
        try:
            add_fitting(
                participant,
                actor=actor,
                chair_make=fitting.get("chair_make"),
                chair_model=fitting.get("chair_model"),
                fitted_on=award.achieved_at.astimezone(tz).date(),
                wheel_size=None,
                push_rim_mm=None,
                gloves=None,
                notes=None,
                today=now.astimezone(tz).date(),
                now=now,
            )
        except ParticipantError as error:
            raise ProgressError(str(next(iter(error.field_errors.values()), error))) from None
    evaluate_awards(participant, actor=actor, now=now)
    record: dict[str, object] = {"key": key, "participant_id": participant.id, "stage": stage.title}
    if missing := [check.label for check in unmet(checks_for(participant, stage))]:
        record["skills_unmet"] = missing
    audit.record(
        actor,
        participant.centre_id,
        "award.sign_off",
        "award",
        award.id,
        audit.created(record),
    )
    award_verified.send(award, now=now)
    return award


def verify_awards(awards: Iterable[Award], *, actor: User, now: datetime | None = None) -> int:
    """Verify awards waiting for it (a review flag is cleared too); returns how many changed.

    An award only history reaches is left alone: it needs its date chosen
    (``reviews.confirm_history``), so no award is dated by history without a person.
    """
    now = now or utcnow()
    count = 0
    for award in awards:
        if award.verified and not award.needs_review:
            continue
        if award.review_reason == HISTORY_EVIDENCE:
            continue
        before = {"verified_at": award.verified_at, "needs_review": award.needs_review}
        newly_verified = not award.verified
        if newly_verified:
            award.verified_at, award.verified_by_id = now, actor.id
        award.needs_review, award.review_reason = False, None
        db.session.flush()
        if newly_verified:
            award_verified.send(award, now=now)
        audit.record(
            actor,
            award.centre_id,
            "award.verify",
            "award",
            award.id,
            audit.diff(before, {"verified_at": award.verified_at, "needs_review": False}),
            at=now,
        )
        count += 1
    return count

"""A person's decisions about awards: verify, confirm a flagged award, withdraw one.

The engine (``services.evaluate_awards``) never changes a verified award; when the sessions stop
agreeing with one it sets ``needs_review``. These functions are how a therapist settles that.
Plain functions: they flush, never commit, and audit every change.
"""

from __future__ import annotations

from datetime import date, datetime

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.i18n import _
from heartbeat.core.units import day_text
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.progress.models import EVIDENCE_VANISHED, HISTORY_EVIDENCE, KEPT_BY_PERSON, Award
from heartbeat.progress.services import (
    ProgressError,
    award_moment,
    centre_zone,
    evaluate_awards,
    history_proposal,
    ladder,
    reached_evidence,
    session_facts,
)
from heartbeat.progress.services.engine import awards_of
from heartbeat.training.models import TrainingSession

WITHDRAW_REASON_MAX = 500


def _snapshot(award: Award) -> dict:
    return {
        "achieved_at": award.achieved_at,
        "evidence_session_id": award.evidence_session_id,
        "needs_review": award.needs_review,
        "review_reason": award.review_reason,
        "verified_at": award.verified_at,
    }


def confirm_review(award: Award, participant, *, actor: User, now: datetime | None = None) -> str:
    """Settle a flagged award by keeping it; returns ``"moved"`` or ``"kept"``.

    When sessions still reach it (the evidence moved), the award takes the evidence the rules
    find now, so the flag does not come back at the next evaluation. When nothing reaches it,
    the person vouches for it: it is kept as it is, and the engine leaves it alone from now on.
    """
    if not award.needs_review:
        raise ProgressError(_("This award is not waiting for a review."))
    if award.review_reason == HISTORY_EVIDENCE:
        raise ProgressError(_("This award comes from history: confirm it with its date."))
    now = now or utcnow()
    before = _snapshot(award)
    stages = ladder(participant.centre_id)
    # Evidence that is history keeps the date the award was verified with (see the engine).
    reached = reached_evidence(
        stages,
        session_facts(participant.id),
        awards_of(participant.id).values(),
        history_date=history_proposal(participant),
    ).get(award.key)
    if reached is not None:
        award.evidence_session_id = reached.session_id
        award.achieved_at = reached.achieved_at
        award.review_reason = None
        outcome = "moved"
    else:
        award.review_reason = KEPT_BY_PERSON
        outcome = "kept"
    award.needs_review = False
    db.session.flush()
    audit.record(
        actor,
        award.centre_id,
        "award.confirm",
        "award",
        award.id,
        audit.diff(before, _snapshot(award)),
        at=now,
    )
    evaluate_awards(participant, actor=actor, now=now, stages=stages)
    return outcome


def confirm_history(
    award: Award,
    participant,
    *,
    actor: User,
    achieved_on: date,
    now: datetime | None = None,
) -> None:
    """A therapist confirms an award only history reaches, and the day it is dated.

    The day is theirs to choose (the page proposes the enrolment day): not before the history
    session that shows it, nor before the participant was born, nor in the future. The award is
    then verified like any other, and certificates print that day.
    """
    if award.verified or award.review_reason != HISTORY_EVIDENCE:
        raise ProgressError(_("This award is not waiting for its date to be confirmed."))
    now = now or utcnow()
    tz = centre_zone(participant.centre_id)
    today = now.astimezone(tz).date()
    evidence = award.evidence_session_id and db.session.get(
        TrainingSession, award.evidence_session_id
    )
    session_day = evidence.started_at.astimezone(tz).date() if evidence else None
    if achieved_on > today:
        raise ProgressError(_("The date cannot be in the future."))
    if achieved_on < participant.date_of_birth:
        raise ProgressError(_("The date is before the participant was born."))
    if session_day is not None and achieved_on < session_day:
        raise ProgressError(
            _(
                "The date cannot be before the session that shows it (%(day)s).",
                day=day_text(session_day),
            )
        )
    before = _snapshot(award)
    award.achieved_at = award_moment(achieved_on, tz)
    award.verified_at, award.verified_by_id = now, actor.id
    award.needs_review, award.review_reason = False, None
    db.session.flush()
    audit.record(
        actor,
        award.centre_id,
        "award.confirm_history",
        "award",
        award.id,
        audit.diff(before, _snapshot(award)),
        at=now,
    )
    evaluate_awards(participant, actor=actor, now=now)


def withdraw_award(
    award: Award, participant, *, actor: User, reason: str, now: datetime | None = None
) -> None:
    """Withdraw a verified award that nothing supports any more; a person's decision, audited.

    Only an award flagged because its evidence vanished can be withdrawn here: one that sessions
    still reach is confirmed with its new evidence instead.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ProgressError(
            _("Say why the award is withdrawn; the reason goes in the audit trail.")
        )
    if len(reason) > WITHDRAW_REASON_MAX:
        raise ProgressError(
            _("Keep the reason to %(max)s characters or fewer.", max=WITHDRAW_REASON_MAX)
        )
    if not (award.verified and award.needs_review):
        raise ProgressError(_("Only a verified award flagged for review can be withdrawn."))
    if award.review_reason != EVIDENCE_VANISHED:
        raise ProgressError(
            _(
                "Sessions still reach this award, so it cannot be withdrawn; confirm it with the"
                " new evidence instead."
            )
        )
    now = now or utcnow()
    # Whose it was stays in the trail after the row is gone (the trail's participant filter).
    gone = {**_snapshot(award), "key": award.key, "participant_id": award.participant_id}
    changes = audit.diff(gone, {})
    changes["reason"] = {"before": None, "after": reason}
    audit.record(actor, award.centre_id, "award.withdraw", "award", award.id, changes, at=now)
    db.session.delete(award)
    db.session.flush()
    # The participant's current stage may step back down.
    evaluate_awards(participant, actor=actor, now=now)

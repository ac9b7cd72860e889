"""A person's decisions about awards: verify, confirm a flagged award, withdraw one.

The engine (``services.evaluate_awards``) never changes a verified award; when the sessions stop
agreeing with one it sets ``needs_review``. These functions are how a therapist settles that.
Plain functions: they flush, never commit, and audit every change.
"""

from __future__ import annotations

from datetime import datetime

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.progress.models import EVIDENCE_VANISHED, KEPT_BY_PERSON, Award
from heartbeat.progress.services import (
    ProgressError,
    evaluate_awards,
    ladder,
    reached_evidence,
    session_facts,
)
from heartbeat.progress.services.engine import _awards_of

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
        raise ProgressError("This award is not waiting for a review.")
    now = now or utcnow()
    before = _snapshot(award)
    stages = ladder(participant.centre_id)
    reached = reached_evidence(
        stages, session_facts(participant.id), _awards_of(participant.id).values()
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


def withdraw_award(
    award: Award, participant, *, actor: User, reason: str, now: datetime | None = None
) -> None:
    """Withdraw a verified award that nothing supports any more; a person's decision, audited.

    Only an award flagged because its evidence vanished can be withdrawn here: one that sessions
    still reach is confirmed with its new evidence instead.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ProgressError("Say why the award is withdrawn; the reason goes in the audit trail.")
    if len(reason) > WITHDRAW_REASON_MAX:
        raise ProgressError(f"Keep the reason to {WITHDRAW_REASON_MAX} characters or fewer.")
    if not (award.verified and award.needs_review):
        raise ProgressError("Only a verified award flagged for review can be withdrawn.")
    if award.review_reason != EVIDENCE_VANISHED:
        raise ProgressError(
            "Sessions still reach this award, so it cannot be withdrawn; confirm it with the new"
            " evidence instead."
        )
    now = now or utcnow()
    changes = audit.diff({**_snapshot(award), "key": award.key}, {})
    changes["reason"] = {"before": None, "after": reason}
    audit.record(actor, award.centre_id, "award.withdraw", "award", award.id, changes, at=now)
    db.session.delete(award)
    db.session.flush()
    # The participant's current stage may step back down.
    evaluate_awards(participant, actor=actor, now=now)

"""Re-evaluating a whole centre (after the ladder changed), with what changed per person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.progress.services.engine import EvaluationResult, evaluate_awards
from heartbeat.progress.services.ladders import award_titles, ladder


@dataclass
class ParticipantChanges:
    participant_id: int
    name: str
    result: EvaluationResult


@dataclass
class RecomputeSummary:
    """What re-evaluating a centre changed: totals per kind of change, and who changed."""

    centre_id: int
    participants: int = 0
    totals: EvaluationResult = field(default_factory=EvaluationResult)
    changed: list[ParticipantChanges] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # award key -> "5K", "100-mile club"

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.totals.added),
            "updated": len(self.totals.updated),
            "withdrawn": len(self.totals.withdrawn),
            "flagged for review": len(self.totals.flagged),
        }

    def title(self, key: str) -> str:
        return self.titles.get(key, key)

    def describe(self, result: EvaluationResult) -> str:
        """ "added One lap, 5K; flagged First push": one participant's changes in a line."""
        parts = []
        for label, keys in (
            ("added", result.added),
            ("updated", result.updated),
            ("withdrawn", result.withdrawn),
            ("flagged for review", result.flagged),
        ):
            if keys:
                parts.append(f"{label} {', '.join(self.title(key) for key in keys)}")
        return "; ".join(parts)


def recompute_centre(
    centre_id: int,
    actor: User | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RecomputeSummary:
    """Re-evaluate every participant of a centre (after a ladder change); flushes, no commit.

    Idempotent like ``evaluate_awards``: a second run reports no changes. ``progress(done,
    total)`` is called after each participant, for a job to report how far it has got.
    """
    from heartbeat.participants.models import Participant

    now = now or utcnow()
    stages = ladder(centre_id)
    summary = RecomputeSummary(centre_id=centre_id, titles=award_titles(stages))
    participants = db.session.scalars(
        sa.select(Participant)
        .where(Participant.centre_id == centre_id)
        .order_by(Participant.id)
        .execution_options(all_centres=True)
    ).all()
    total = len(participants)
    for done, participant in enumerate(participants, start=1):
        result = evaluate_awards(participant, actor=actor, now=now, stages=stages)
        summary.participants += 1
        if result.changed:
            summary.totals.merge(result)
            summary.changed.append(
                ParticipantChanges(participant.id, participant.display_name, result)
            )
        if progress is not None:
            progress(done, total)
    return summary

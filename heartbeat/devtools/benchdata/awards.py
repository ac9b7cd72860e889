"""Awards computed with the milestone engine's own rules, so every award has its evidence."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from heartbeat.progress import rules
from heartbeat.progress.services import club_key, stage_key


def awards_for(
    rng: random.Random,
    *,
    first_id: int,
    centre_id: int,
    participant_id: int,
    stages: Sequence[rules.StageRule],
    level: int,
    start: datetime,
    facts: list[rules.SessionFact],
    now: datetime,
) -> tuple[list[dict], rules.StageRule | None]:
    """Award rows (numbered from ``first_id``) for what ``facts`` reach, with the sign-offs a
    participant at ``level`` has had, and the stage they are working on now."""
    signed = [
        rules.SignOff(stage.id, start + timedelta(days=7 * stage.position))
        for stage in stages
        if stage.kind == "signoff" and stage.position <= level
    ]
    rows: list[dict] = []
    reached = rules.reached_stages(stages, facts, signed)
    for stage_id, evidence in reached.items():
        rows.append(
            _award_row(
                first_id + len(rows),
                centre_id,
                participant_id,
                stage_key(stage_id),
                evidence,
                rng,
                now,
                stage_id=stage_id,
            )
        )
    for club in rules.club_awards(facts):
        rows.append(
            _award_row(
                first_id + len(rows),
                centre_id,
                participant_id,
                club_key(club.club_code),
                rules.Evidence(club.session_id, club.achieved_at),
                rng,
                now,
                club_code=club.club_code,
            )
        )
    return rows, rules.current_stage(stages, set(reached))


def _award_row(
    award_id: int,
    centre_id: int,
    participant_id: int,
    key: str,
    evidence: rules.Evidence,
    rng: random.Random,
    now: datetime,
    *,
    stage_id: int | None = None,
    club_code: str | None = None,
) -> dict:
    # Most awards are verified; the newest few wait for a therapist.
    verified = rng.random() < 0.85
    return {
        "id": award_id,
        "centre_id": centre_id,
        "participant_id": participant_id,
        "key": key,
        "stage_id": stage_id,
        "club_code": club_code,
        "achieved_at": evidence.achieved_at,
        "evidence_session_id": evidence.session_id,
        "verified_at": evidence.achieved_at + timedelta(days=2) if verified else None,
        "verified_by_id": None,
        "needs_review": False,
        "review_reason": None,
        "version": 1,
        "created_at": now,
    }

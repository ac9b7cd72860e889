"""The ladder and the milestone engine: plain functions that flush, never commit.

``evaluate_awards`` is the one place awards are made, moved or withdrawn. It runs whenever a
session is added, edited or deleted (and for a whole centre from ``recompute-awards``): it reads
the participant's sessions and sign-offs, asks the pure rules in ``progress.rules`` what they
reach, and reconciles the stored awards with that answer. It is idempotent: a second run changes
nothing. Unverified awards follow the evidence; verified ones are never changed by the code, only
flagged for a person to review."""

from __future__ import annotations

from heartbeat.progress.services.engine import (
    EvaluationResult,
    award_moment,
    centre_zone,
    evaluate_awards,
    history_proposal,
    reached_evidence,
    refresh_session_digest,
)
from heartbeat.progress.services.ladders import (
    CLUBS_BY_CODE,
    FACT_COLUMNS,
    ProgressError,
    award_description,
    award_description_text,
    award_title,
    award_title_text,
    award_titles,
    club_key,
    fact_from_row,
    ladder,
    seed_default_ladder,
    session_facts,
    stage_key,
    stage_rules,
)
from heartbeat.progress.services.recompute import (
    ParticipantChanges,
    RecomputeSummary,
    recompute_centre,
)
from heartbeat.progress.services.verification import sign_off, verify_awards

__all__ = [
    "CLUBS_BY_CODE",
    "EvaluationResult",
    "FACT_COLUMNS",
    "ParticipantChanges",
    "ProgressError",
    "RecomputeSummary",
    "award_description",
    "award_description_text",
    "award_moment",
    "centre_zone",
    "award_title",
    "award_title_text",
    "award_titles",
    "club_key",
    "evaluate_awards",
    "fact_from_row",
    "history_proposal",
    "ladder",
    "reached_evidence",
    "recompute_centre",
    "refresh_session_digest",
    "seed_default_ladder",
    "session_facts",
    "sign_off",
    "stage_key",
    "stage_rules",
    "verify_awards",
]

"""Ladder stages: which ones the sessions and sign-offs reach, and how far to the next."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from heartbeat.progress.rules.facts import (
    SessionFact,
    SessionId,
    SignOff,
    StageId,
    StageRule,
    in_start_order,
    reaches,
)


@dataclass(frozen=True, slots=True)
class Evidence:
    session_id: SessionId | None  # None for a sign-off given without a session
    achieved_at: datetime
    # The session is history from before enrolment: its date is no award's date (a therapist
    # confirms the award and chooses its date). Not part of equality: the session says it.
    history: bool = field(default=False, compare=False)


def _eligible(stage: StageRule, session: SessionFact, *, history: bool = True) -> bool:
    """Could this session reach this distance or race stage, distance aside?

    History reaches a stage (for a therapist to confirm) unless ``history`` is false.
    """
    if not session.counts or not session.push or (session.history and not history):
        return False
    if stage.kind == "race" and not session.race:
        return False
    if stage.max_duration_s is not None:
        time_s = session.time_s
        return time_s is not None and time_s <= stage.max_duration_s
    return True


def qualifies(stage: StageRule, session: SessionFact) -> bool:
    """Does this one session reach this distance or race stage?"""
    if stage.kind == "signoff" or stage.threshold_m is None:
        return False
    return _eligible(stage, session) and reaches(session.distance_m, stage.threshold_m)


def reached_stages(
    stages: Iterable[StageRule],
    sessions: Iterable[SessionFact],
    signoffs: Iterable[SignOff],
) -> dict[StageId, Evidence]:
    """Every active stage the sessions and sign-offs reach, with the earliest evidence.

    Distance stages take the earliest qualifying counting push (ties by session id), race stages
    the earliest qualifying race, sign-off stages the earliest sign-off. Stages are independent:
    a 10 km push reaches 10K even before "Steer and stop" is signed off. Retired stages are left
    out; keep their existing awards by passing their ids to ``diff_awards(retired_keys=...)``.

    History from before enrolment is evidence only when no session of the programme reaches the
    stage: adding history never moves an award's evidence (nor un-verifies it), and its evidence
    says ``history`` so the engine proposes the award for a therapist to confirm and date.
    """
    ordered = sorted(sessions, key=in_start_order)
    signoffs = sorted(signoffs, key=lambda signoff: signoff.signed_at)
    reached: dict[StageId, Evidence] = {}
    for stage in stages:
        if stage.retired:
            continue
        if stage.kind == "signoff":
            first = next((so for so in signoffs if so.stage_id == stage.id), None)
            if first is not None:
                reached[stage.id] = Evidence(first.session_id, first.signed_at)
            continue
        session = next((s for s in ordered if not s.history and qualifies(stage, s)), None)
        if session is None:
            session = next((s for s in ordered if s.history and qualifies(stage, s)), None)
        if session is not None:
            reached[stage.id] = Evidence(session.id, session.started_at, session.history)
    return reached


def current_stage(
    stages: Iterable[StageRule], reached_ids: Collection[StageId]
) -> StageRule | None:
    """The lowest active stage not yet reached; None once every active stage is reached."""
    for stage in sorted((s for s in stages if not s.retired), key=lambda s: s.position):
        if stage.id not in reached_ids:
            return stage
    return None


def progress_towards(stage: StageRule, sessions: Iterable[SessionFact]) -> tuple[float, float]:
    """``(best_m, threshold_m)`` for a distance or race stage: the longest eligible session."""
    if stage.kind == "signoff" or stage.threshold_m is None:
        raise ValueError("a sign-off stage has no distance to progress towards")
    # Progress in the programme: history is not the participant's progress here.
    best = max((s.distance_m for s in sessions if _eligible(stage, s, history=False)), default=0.0)
    return (best, stage.threshold_m)


def progress_to_next(
    stages: Iterable[StageRule],
    sessions: Iterable[SessionFact],
    reached_ids: Collection[StageId],
) -> tuple[float, float] | None:
    """``(best_m, threshold_m)`` towards the current stage, e.g. ``(7200.0, 10000.0)``.

    None at the top of the ladder or when the current stage is a sign-off (nothing to measure).
    """
    stage = current_stage(stages, reached_ids)
    if stage is None or stage.kind == "signoff":
        return None
    return progress_towards(stage, sessions)

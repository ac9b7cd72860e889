"""The ladder and the milestone engine: plain functions that flush, never commit.

``evaluate_awards`` is the one place awards are made, moved or withdrawn. It runs whenever a
session is added, edited or deleted (and for a whole centre from ``recompute-awards``): it reads
the participant's sessions and sign-offs, asks the pure rules in ``progress.rules`` what they
reach, and reconciles the stored awards with that answer. It is idempotent: a second run changes
nothing. Unverified awards follow the evidence; verified ones are never changed by the code, only
flagged for a person to review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import new_sessions_stamp
from heartbeat.progress import rules
from heartbeat.progress.ladder import DEFAULT_CLUBS, DEFAULT_LADDER, ClubSpec
from heartbeat.progress.models import KEPT_BY_PERSON, Award, CriterionKind, LadderStage
from heartbeat.training.models import TrainingSession

CLUBS_BY_CODE: dict[str, ClubSpec] = {club.code: club for club in DEFAULT_CLUBS}


class ProgressError(ValueError):
    """A progress change that cannot be made, with a message for the person."""


def stage_key(stage_id: int) -> str:
    return f"stage:{stage_id}"


def club_key(club_code: str) -> str:
    return f"club:{club_code}"


# --- the ladder ---------------------------------------------------------------------------------


def seed_default_ladder(centre_id: int) -> list[LadderStage]:
    """Give a centre the default Heartbeat Miles ladder, unless it has stages already."""
    existing = db.session.scalars(
        sa.select(LadderStage)
        .where(LadderStage.centre_id == centre_id)
        .order_by(LadderStage.position)
        .execution_options(all_centres=True)
    ).all()
    if existing:
        return list(existing)
    stages = [
        LadderStage(
            centre_id=centre_id,
            position=position,
            code=spec.code,
            title=spec.title,
            description=spec.description,
            kind=CriterionKind(spec.kind),
            threshold_m=spec.threshold_m,
            max_duration_s=spec.max_duration_s,
        )
        for position, spec in enumerate(DEFAULT_LADDER, start=1)
    ]
    db.session.add_all(stages)
    db.session.flush()
    return stages


def ladder(centre_id: int, *, include_retired: bool = True) -> list[LadderStage]:
    query = (
        sa.select(LadderStage)
        .where(LadderStage.centre_id == centre_id)
        .order_by(LadderStage.position, LadderStage.id)
    )
    if not include_retired:
        query = query.where(LadderStage.retired_at.is_(None))
    return list(db.session.scalars(query))


def stage_rules(stages: Iterable[LadderStage]) -> list[rules.StageRule]:
    return [
        rules.StageRule(
            id=stage.id,
            code=stage.code,
            position=stage.position,
            kind=stage.kind.value,
            threshold_m=stage.threshold_m,
            max_duration_s=stage.max_duration_s,
            retired=stage.retired,
        )
        for stage in stages
    ]


# --- reading sessions as facts --------------------------------------------------------------------

# What fact_from_row reads: select these (plus whatever else a caller needs) to build facts.
FACT_COLUMNS = (
    TrainingSession.id,
    TrainingSession.started_at,
    TrainingSession.kind,
    TrainingSession.distance_m,
    TrainingSession.moving_time_s,
    TrainingSession.elapsed_time_s,
    TrainingSession.official_time_s,
    TrainingSession.self_reported,
    TrainingSession.verified_at,
    TrainingSession.pain,
    TrainingSession.rpe,
)


def session_facts(participant_id: int) -> list[rules.SessionFact]:
    """Every session of one participant as the rules see it, in one query of plain columns."""
    rows = db.session.execute(
        sa.select(*FACT_COLUMNS)
        .where(TrainingSession.participant_id == participant_id)
        .order_by(TrainingSession.started_at, TrainingSession.id)
    ).all()
    return [fact_from_row(row) for row in rows]


def fact_from_row(row) -> rules.SessionFact:
    kind = getattr(row.kind, "value", row.kind)
    return rules.SessionFact(
        id=row.id,
        started_at=row.started_at,
        kind=kind,
        distance_m=row.distance_m or 0.0,
        duration_s=row.moving_time_s if row.moving_time_s is not None else row.elapsed_time_s,
        is_race=kind == "race",
        official_time_s=row.official_time_s,
        counts=(not row.self_reported) or row.verified_at is not None,
        pain=row.pain,
        rpe=row.rpe,
    )


# --- the engine -----------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.withdrawn or self.flagged)

    def merge(self, other: EvaluationResult) -> None:
        self.added += other.added
        self.updated += other.updated
        self.withdrawn += other.withdrawn
        self.flagged += other.flagged


def reached_evidence(
    stages: list[LadderStage], facts: list[rules.SessionFact], awards: Iterable[Award]
) -> dict[str, rules.Evidence]:
    """What the sessions and sign-offs reach now, keyed like awards (``stage:``/``club:``)."""
    stage_by_id = {stage.id: stage for stage in stages}
    signoffs = [
        rules.SignOff(award.stage_id, award.achieved_at, award.evidence_session_id)
        for award in awards
        if award.stage_id in stage_by_id
        and stage_by_id[award.stage_id].kind == CriterionKind.SIGNOFF
    ]
    reached: dict[str, rules.Evidence] = {
        stage_key(stage_id): evidence
        for stage_id, evidence in rules.reached_stages(stage_rules(stages), facts, signoffs).items()
    }
    for club in rules.club_awards(facts):
        reached[club_key(club.club_code)] = rules.Evidence(club.session_id, club.achieved_at)
    return reached


def _awards_of(participant_id: int) -> dict[str, Award]:
    awards = db.session.scalars(sa.select(Award).where(Award.participant_id == participant_id))
    return {award.key: award for award in awards}


def _lock_participant(participant) -> None:
    """One evaluation per participant at a time.

    Two sessions saved at once for the same person would otherwise both see "no 5K award yet"
    and both add it (a unique-key error for the second). On PostgreSQL the row lock makes the
    second wait and then read the first one's awards; on SQLite, which has no FOR UPDATE, this
    read takes the database's write lock (``heartbeat.db``). FOR NO KEY UPDATE, not FOR
    UPDATE: inserting a session takes a KEY SHARE lock on its participant (the foreign key), and
    FOR UPDATE would deadlock two such transactions against each other.
    """
    table = type(participant)
    db.session.execute(
        sa.select(table.id).where(table.id == participant.id).with_for_update(key_share=True)
    )


def evaluate_awards(
    participant,
    *,
    actor: User | None = None,
    now: datetime | None = None,
    stages: list[LadderStage] | None = None,
) -> EvaluationResult:
    """Bring one participant's awards in line with their sessions and sign-offs.

    New awards wait for a therapist to verify them; an unverified award whose evidence moved is
    rewritten, one nothing reaches any more is withdrawn; a verified one the rules disagree with
    is flagged ``needs_review`` (and unflagged when they agree again). Every change is audited.
    """
    now = now or utcnow()
    _lock_participant(participant)
    stages = stages if stages is not None else ladder(participant.centre_id)
    facts = session_facts(participant.id)
    stored = _awards_of(participant.id)
    reached = reached_evidence(stages, facts, stored.values())

    current = {
        key: rules.Evidence(award.evidence_session_id, award.achieved_at)
        for key, award in stored.items()
    }
    verified = {key for key, award in stored.items() if award.verified}
    retired = {stage_key(stage.id) for stage in stages if stage.retired}
    # Sign-offs are the evidence themselves: never withdrawn or moved by the session rules.
    retired |= {stage_key(stage.id) for stage in stages if stage.kind == CriterionKind.SIGNOFF}
    # A person decided to keep these without evidence; the code does not second-guess them.
    retired |= {key for key, award in stored.items() if award.review_reason == KEPT_BY_PERSON}
    changes = rules.diff_awards(current, reached, verified, retired)

    result = EvaluationResult()
    for key, evidence in changes.add.items():
        award = Award(
            centre_id=participant.centre_id,
            participant_id=participant.id,
            key=key,
            achieved_at=evidence.achieved_at,
            evidence_session_id=evidence.session_id,
        )
        if key.startswith("stage:"):
            award.stage_id = int(key.removeprefix("stage:"))
        else:
            award.club_code = key.removeprefix("club:")
        db.session.add(award)
        result.added.append(key)
    for key, evidence in changes.update.items():
        award = stored[key]
        award.achieved_at = evidence.achieved_at
        award.evidence_session_id = evidence.session_id
        result.updated.append(key)
    for key in changes.withdraw:
        db.session.delete(stored[key])
        result.withdrawn.append(key)

    reached_stage_ids = {
        award.stage_id for key, award in stored.items() if award.stage_id is not None
    } - {int(key.removeprefix("stage:")) for key in changes.withdraw if key.startswith("stage:")}
    reached_stage_ids |= {
        int(key.removeprefix("stage:")) for key in changes.add if key.startswith("stage:")
    }
    _set_current_stage(participant, stages, reached_stage_ids, facts)

    flagged_now = {flag.key: flag.reason for flag in changes.flag_for_review}
    for key, award in stored.items():
        if not award.verified:
            continue
        reason = flagged_now.get(key)
        if reason is not None and not award.needs_review:
            award.needs_review, award.review_reason = True, reason
            result.flagged.append(key)
        elif reason is None and award.needs_review and key not in retired:
            award.needs_review, award.review_reason = False, None
    db.session.flush()

    if result.changed:
        audit.record(
            actor,
            participant.centre_id,
            "awards.evaluate",
            "participant",
            participant.id,
            {
                name: {"before": None, "after": keys}
                for name, keys in (
                    ("added", result.added),
                    ("updated", result.updated),
                    ("withdrawn", result.withdrawn),
                    ("flagged_for_review", result.flagged),
                )
                if keys
            },
            at=now,
        )
    return result


def _set_current_stage(
    participant, stages: list[LadderStage], reached: set[int], facts: list[rules.SessionFact]
) -> None:
    current = rules.current_stage(stage_rules(stages), reached)
    refresh_session_digest(
        participant, facts, current_stage_id=current.id if current is not None else None
    )


def refresh_session_digest(
    participant, facts: list[rules.SessionFact] | None = None, **extra
) -> None:
    """Store what lists read per participant (the latest session and pain score, and with the
    engine the current stage) and a new ``sessions_stamp``: their sessions changed."""
    if facts is None:
        facts = session_facts(participant.id)
    values = {
        **extra,
        # Every session counts here, unverified ones too: they are about turning up and safety.
        "last_session_at": max((fact.started_at for fact in facts), default=None),
        "last_pain": next((fact.pain for fact in reversed(facts) if fact.pain is not None), None),
        "sessions_stamp": new_sessions_stamp(),
    }
    table = type(participant)
    # A plain UPDATE: the participant's version guards people's edits, not the engine's.
    db.session.execute(
        sa.update(table)
        .where(table.id == participant.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for name, value in values.items():
        set_committed_value(participant, name, value)


def sign_off(
    participant,
    stage: LadderStage,
    *,
    actor: User,
    achieved_at: datetime | None = None,
    session_id: int | None = None,
) -> Award:
    """A therapist signs off a skills stage: the award is verified as it is made."""
    if stage.kind != CriterionKind.SIGNOFF:
        raise ProgressError(f"“{stage.title}” is reached by distance, not by a sign-off.")
    if stage.retired:
        raise ProgressError(f"“{stage.title}” is retired and can no longer be signed off.")
    now = utcnow()
    key = stage_key(stage.id)
    if db.session.scalar(
        sa.select(Award.id).where(Award.participant_id == participant.id, Award.key == key)
    ):
        raise ProgressError(f"“{stage.title}” is already signed off.")
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
    evaluate_awards(participant, actor=actor, now=now)
    audit.record(
        actor,
        participant.centre_id,
        "award.sign_off",
        "award",
        award.id,
        audit.created({"key": key, "participant_id": participant.id, "stage": stage.title}),
    )
    return award


def verify_awards(awards: Iterable[Award], *, actor: User, now: datetime | None = None) -> int:
    """Verify awards waiting for it (a review flag is cleared too); returns how many changed."""
    now = now or utcnow()
    count = 0
    for award in awards:
        if award.verified and not award.needs_review:
            continue
        before = {"verified_at": award.verified_at, "needs_review": award.needs_review}
        if not award.verified:
            award.verified_at, award.verified_by_id = now, actor.id
        award.needs_review, award.review_reason = False, None
        db.session.flush()
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


def award_title(award: Award) -> str:
    """ "10K" or "100-mile club": what the award is called (the stage must be loaded)."""
    if award.stage_id is not None:
        return award.stage.title if award.stage is not None else "Ladder stage"
    club = CLUBS_BY_CODE.get(award.club_code or "")
    return club.title if club else (award.club_code or "Club")


def award_description(award: Award) -> str:
    """ "completed a continuous 10 km push": what it means, to follow a participant's name."""
    if award.stage_id is not None:
        return award.stage.description if award.stage is not None else ""
    club = CLUBS_BY_CODE.get(award.club_code or "")
    return club.description if club else ""


# --- a whole centre -------------------------------------------------------------------------------


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


def award_titles(stages: Iterable[LadderStage]) -> dict[str, str]:
    titles = {stage_key(stage.id): stage.title for stage in stages}
    titles.update({club_key(code): club.title for code, club in CLUBS_BY_CODE.items()})
    return titles


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

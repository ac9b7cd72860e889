"""The milestone engine: which awards a participant's sessions reach, kept in step."""

from __future__ import annotations

from collections.abc import Iterable
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
from heartbeat.progress.models import KEPT_BY_PERSON, Award, CriterionKind, LadderStage
from heartbeat.progress.services.ladders import (
    club_key,
    ladder,
    session_facts,
    stage_key,
    stage_rules,
)


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


def awards_of(participant_id: int) -> dict[str, Award]:
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
    stored = awards_of(participant.id)
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

"""The milestone engine: which awards a participant's sessions reach, kept in step."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant, new_summary_stamp
from heartbeat.progress import rules
from heartbeat.progress.models import (
    HISTORY_EVIDENCE,
    KEPT_BY_PERSON,
    Award,
    CriterionKind,
    LadderStage,
)
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


# A day a person gives an award (a sign-off, a confirmed history award) is stored at noon in the
# centre's zone: it stays the same day in every time zone the centre shows.
AWARD_DAY_TIME = time(12, 0)


def award_moment(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, AWARD_DAY_TIME, tzinfo=tz)


def centre_zone(centre_id: int) -> ZoneInfo:
    centre = db.session.get(Centre, centre_id)
    return ZoneInfo(centre.timezone if centre is not None else "UTC")


def history_proposal(participant: Participant) -> datetime:
    """The date proposed for an award only history reaches: the day they enrolled (a therapist
    confirms it, or chooses another)."""
    return award_moment(participant.enrolled_on, centre_zone(participant.centre_id))


def _dated_history(
    evidence: rules.Evidence, award: Award | None, proposal: datetime | None
) -> rules.Evidence:
    """History's own date never becomes an award's: a verified award keeps the date a person
    gave it, a proposed one keeps its proposal, a new one is proposed at ``proposal``."""
    if award is not None and (award.verified or award.evidence_session_id == evidence.session_id):
        at = award.achieved_at
    elif proposal is not None:
        at = proposal
    else:
        at = evidence.achieved_at
    return rules.Evidence(evidence.session_id, at, True)


def reached_evidence(
    stages: list[LadderStage],
    facts: list[rules.SessionFact],
    awards: Iterable[Award],
    *,
    history_date: datetime | None = None,
) -> dict[str, rules.Evidence]:
    """What the sessions and sign-offs reach now, keyed like awards (``stage:``/``club:``).

    Evidence that is history is dated by :func:`_dated_history` (``history_date`` is the date
    proposed for a new such award), never by the history session itself.
    """
    awards = list(awards)
    stage_by_id = {stage.id: stage for stage in stages}
    signoffs = [
        rules.SignOff(award.stage_id, award.achieved_at, award.evidence_session_id)
        for award in awards
        if award.stage_id in stage_by_id
        and stage_by_id[award.stage_id].kind == CriterionKind.SIGNOFF
    ]
    by_key = {award.key: award for award in awards}
    reached: dict[str, rules.Evidence] = {}
    for stage_id, evidence in rules.reached_stages(stage_rules(stages), facts, signoffs).items():
        key = stage_key(stage_id)
        if evidence.history:
            evidence = _dated_history(evidence, by_key.get(key), history_date)
        reached[key] = evidence
    for club in rules.club_awards(facts):
        reached[club_key(club.club_code)] = rules.Evidence(club.session_id, club.achieved_at)
    return reached


def awards_of(participant_id: int) -> dict[str, Award]:
    awards = db.session.scalars(sa.select(Award).where(Award.participant_id == participant_id))
    return {award.key: award for award in awards}


def _lock_participant(participant: Participant) -> None:
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
    participant: Participant,
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
    reached = reached_evidence(
        stages, facts, stored.values(), history_date=history_proposal(participant)
    )
    _keep_confirmed_history(stages, facts, stored, reached)

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
        _propose_if_history(award, evidence)
        db.session.add(award)
        result.added.append(key)
    for key, evidence in changes.update.items():
        award = stored[key]
        award.achieved_at = evidence.achieved_at
        award.evidence_session_id = evidence.session_id
        _propose_if_history(award, evidence)
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


def _propose_if_history(award: Award, evidence: rules.Evidence) -> None:
    """An unverified award whose evidence is history waits for a therapist to confirm it and its
    date (``needs_review``); one a session of the programme reaches waits only to be verified."""
    award.needs_review = evidence.history
    award.review_reason = HISTORY_EVIDENCE if evidence.history else None


def _keep_confirmed_history(
    stages: list[LadderStage],
    facts: list[rules.SessionFact],
    stored: dict[str, Award],
    reached: dict[str, rules.Evidence],
) -> None:
    """A verified award a therapist confirmed on history stands, with the date they gave it,
    while that session still reaches the stage: a later session of the programme reaching it
    too does not send it back for review."""
    facts_by_id = {fact.id: fact for fact in facts}
    rule_by_id = {rule.id: rule for rule in stage_rules(stages)}
    for key, award in stored.items():
        if not award.verified or award.stage_id is None:
            continue
        fact = facts_by_id.get(award.evidence_session_id or 0)
        rule = rule_by_id.get(award.stage_id)
        if fact is not None and fact.history and rule is not None and rules.qualifies(rule, fact):
            reached[key] = rules.Evidence(fact.id, award.achieved_at, True)


def _set_current_stage(
    participant: Participant,
    stages: list[LadderStage],
    reached: set[int],
    facts: list[rules.SessionFact],
) -> None:
    current = rules.current_stage(stage_rules(stages), reached)
    refresh_session_digest(
        participant, facts, current_stage_id=current.id if current is not None else None
    )


def refresh_session_digest(
    participant: Participant, facts: list[rules.SessionFact] | None = None, **extra: Any
) -> None:
    """Store what lists read per participant (the latest session and pain score, and with the
    engine the current stage) and a new ``summary_stamp``: their sessions changed."""
    if facts is None:
        facts = session_facts(participant.id)
    values = {
        **extra,
        # Every session counts here, unverified ones too: they are about turning up and safety.
        "last_session_at": max((fact.started_at for fact in facts), default=None),
        "last_pain": next((fact.pain for fact in reversed(facts) if fact.pain is not None), None),
        "summary_stamp": new_summary_stamp(),
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

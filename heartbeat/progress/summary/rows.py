"""From stored rows to what the page shows: session facts, award rows and criteria in words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Any

from heartbeat.core.i18n import _, _l
from heartbeat.core.units import Units, day_text, distance_text, format_duration
from heartbeat.progress import rules
from heartbeat.progress.models import REVIEW_REASONS, Award, CriterionKind, LadderStage
from heartbeat.progress.summary.shapes import AwardRow
from heartbeat.training.models import SessionKind

# The rules take plain strings: each row's enum member is swapped for its value once.
_KIND_VALUES: dict[Any, str] = {kind: kind.value for kind in SessionKind}
# How an award's evidence names its session (a race is "Race" whatever its kind).
_EVIDENCE_KINDS: dict[str, str] = {
    SessionKind.TRACK: _l("Track session"),
    SessionKind.ROAD: _l("Road session"),
    SessionKind.ROLLER: _l("Rollers session"),
    SessionKind.HANDCYCLE: _l("Hand-cycle session"),
    SessionKind.SKILLS: _l("Skills session"),
    SessionKind.STRENGTH: _l("Strength session"),
}


def criterion_text(stage: LadderStage, units: Units) -> str:
    """What reaches a stage, in words: "One continuous push of 5 km"."""
    if stage.kind == CriterionKind.SIGNOFF or stage.threshold_m is None:
        return _("Signed off by a therapist")
    distance = distance_text(stage.threshold_m, units)
    race = stage.kind == CriterionKind.RACE
    if stage.max_duration_s:
        time = format_duration(stage.max_duration_s)
        if race:
            return _(
                "An official race finish of %(distance)s within %(time)s",
                distance=distance,
                time=time,
            )
        return _(
            "One continuous push of %(distance)s within %(time)s", distance=distance, time=time
        )
    if race:
        return _("An official race finish of %(distance)s", distance=distance)
    return _("One continuous push of %(distance)s", distance=distance)


def facts_from_rows(rows: Iterable[Any]) -> tuple[list[rules.SessionFact], dict[int, float]]:
    """Session facts for the rules, and average heart rate by session id where recorded.

    ``rows`` are ``queries.session_rows`` tuples, unpacked by position: with thousands of rows,
    reading each by name (as ``services.fact_from_row`` does) costs more than the rules.
    """
    facts, heart = [], {}
    fact = rules.SessionFact
    for (
        session_id,
        started_at,
        kind,
        distance_m,
        moving_time_s,
        elapsed_time_s,
        official_time_s,
        counts,
        pain,
        rpe,
        history,
        avg_hr,
    ) in rows:
        kind = _KIND_VALUES.get(kind, kind)
        facts.append(
            fact(
                session_id,
                started_at,
                kind,
                distance_m or 0.0,
                moving_time_s if moving_time_s is not None else elapsed_time_s,
                kind == "race",
                official_time_s,
                bool(counts),
                pain,
                rpe,
                bool(history),
            )
        )
        if avg_hr is not None:
            heart[session_id] = avg_hr
    return facts, heart


def evidence_text(fact: rules.SessionFact | None, units: Units, tz: tzinfo) -> str | None:
    if fact is None:
        return None
    kind = _("Race") if fact.race else str(_EVIDENCE_KINDS.get(fact.kind) or _("Session"))
    text = _("%(kind)s on %(day)s", kind=kind, day=day_text(fact.started_at.astimezone(tz).date()))
    if fact.distance_m:
        text += f", {distance_text(fact.distance_m, units)}"
    if fact.time_s:
        text += " " + _("in %(duration)s", duration=format_duration(fact.time_s))
    if fact.history:
        text += " " + _("(history from before enrolment)")
    return text


def _review_text(reason: str | None) -> str | None:
    text = REVIEW_REASONS.get(reason or "")
    return str(text) if text is not None else None


def award_rows(
    awards: Iterable[Award],
    stages: Sequence[LadderStage],
    facts_by_id: dict[int, rules.SessionFact],
    *,
    units: Units,
    tz: tzinfo,
) -> list[AwardRow]:
    from heartbeat.progress.services import award_description_text, award_title_text

    stage_by_id = {stage.id: stage for stage in stages}
    rows = []
    for award in awards:
        stage = stage_by_id.get(award.stage_id) if award.stage_id is not None else None
        fact = facts_by_id.get(award.evidence_session_id or 0)
        rows.append(
            AwardRow(
                id=award.id,
                key=award.key,
                title=award_title_text(award),
                description=award_description_text(award),
                achieved_on=award.achieved_at.astimezone(tz).date(),
                evidence=evidence_text(fact, units, tz),
                verified=award.verified,
                verified_by=award.verified_by.name if award.verified_by is not None else None,
                verified_on=award.verified_at.astimezone(tz).date() if award.verified_at else None,
                needs_review=award.needs_review,
                review_reason=award.review_reason,
                review_text=_review_text(award.review_reason),
                version=award.version,
                is_club=award.club_code is not None,
                stage_retired=stage is not None and stage.retired,
                signoff=stage is not None and stage.kind == CriterionKind.SIGNOFF,
                from_history=fact is not None and fact.history,
                evidence_on=fact.started_at.astimezone(tz).date() if fact is not None else None,
            )
        )
    rows.sort(key=lambda row: (row.achieved_on, row.id))
    return rows

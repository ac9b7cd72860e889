"""Skills tied to the ladder: which wheelchair skills checklist items a sign-off stage requires,
and a participant's latest score for each (the rule is ``rules/skills.py``).

Reads here; choosing a stage's skills is ``stages.set_required_skills`` (audited with the rest of
the stage). The items are those of the centre's built-in skills checklist
(``measures.instruments.SKILLS``): a centre's own measures are not offered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.measures.instruments import SKILLS_CODE
from heartbeat.measures.models import Measure, MeasureAnswer, MeasureItem
from heartbeat.participants.models import Participant
from heartbeat.progress.models import CriterionKind, LadderStage, StageSkill
from heartbeat.progress.rules.skills import Scored, SkillCheck, check_skills


def skill_items(centre_id: int, *, all_centres: bool = False) -> list[MeasureItem]:
    """The items of the centre's wheelchair skills checklist, in its order (none without it).

    ``all_centres`` for callers outside the centre's requests (a new centre's default ladder)."""
    return list(
        db.session.scalars(
            sa.select(MeasureItem)
            .join(Measure, Measure.id == MeasureItem.measure_id)
            .where(Measure.centre_id == centre_id, Measure.code == SKILLS_CODE)
            .order_by(MeasureItem.position)
            .execution_options(all_centres=all_centres)
        )
    )


def required_items(stage_ids: Iterable[int]) -> dict[int, list[MeasureItem]]:
    """Each stage's required skills, in the checklist's order: one query for any number."""
    wanted = list(stage_ids)
    found: dict[int, list[MeasureItem]] = {stage_id: [] for stage_id in wanted}
    if not wanted:
        return found
    rows = db.session.execute(
        sa.select(StageSkill.stage_id, MeasureItem)
        .join(MeasureItem, MeasureItem.id == StageSkill.item_id)
        .where(StageSkill.stage_id.in_(wanted))
        .order_by(StageSkill.stage_id, MeasureItem.position)
    ).all()
    for stage_id, item in rows:
        found[stage_id].append(item)
    return found


def required_labels(stage: LadderStage) -> list[str]:
    """What a stage requires, by the skills' names (nothing for a distance or race stage)."""
    if stage.kind != CriterionKind.SIGNOFF:
        return []
    return [item.label for item in required_items([stage.id])[stage.id]]


def latest_scores(participant_id: int, item_ids: Collection[int]) -> dict[int, Scored]:
    """Each item's latest score for the participant, "Not tested" skipped: one query."""
    if not item_ids:
        return {}
    ranked = (
        sa.select(
            MeasureAnswer.item_id,
            MeasureAnswer.value,
            MeasureAnswer.answered_at,
            sa.func.row_number()
            .over(
                partition_by=MeasureAnswer.item_id,
                order_by=(MeasureAnswer.answered_at.desc(), MeasureAnswer.id.desc()),
            )
            .label("rn"),
        )
        .where(
            MeasureAnswer.participant_id == participant_id,
            MeasureAnswer.item_id.in_(list(item_ids)),
            MeasureAnswer.not_done.is_(False),
            MeasureAnswer.value.is_not(None),
        )
        .subquery()
    )
    rows = db.session.execute(sa.select(ranked).where(ranked.c.rn == 1)).all()
    return {row.item_id: Scored(row.value, row.answered_at) for row in rows}


def checks_for(participant: Participant, stage: LadderStage) -> list[SkillCheck]:
    """The stage's required skills with the participant's latest score for each (two queries)."""
    if stage.kind != CriterionKind.SIGNOFF:
        return []
    items = required_items([stage.id])[stage.id]
    latest = latest_scores(participant.id, [item.id for item in items])
    return check_skills([(item.id, item.label) for item in items], latest)

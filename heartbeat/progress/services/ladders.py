"""A centre's ladder and clubs, the keys awards are filed under, and sessions read as facts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from heartbeat.core.i18n import _, number
from heartbeat.core.units import METRES_PER_MILE
from heartbeat.extensions import db
from heartbeat.measures.instruments import SKILLS, english_items
from heartbeat.measures.services import ensure_built_in
from heartbeat.progress import rules
from heartbeat.progress.ladder import DEFAULT_CLUBS, DEFAULT_LADDER, ClubSpec, StageSpec
from heartbeat.progress.models import Award, CriterionKind, LadderStage, StageSkill
from heartbeat.progress.skills import skill_items
from heartbeat.training.models import TrainingSession

CLUBS_BY_CODE: dict[str, ClubSpec] = {club.code: club for club in DEFAULT_CLUBS}


class ProgressError(ValueError):
    """A progress change that cannot be made, with a message for the person."""


def stage_key(stage_id: int) -> str:
    return f"stage:{stage_id}"


def club_key(club_code: str) -> str:
    return f"club:{club_code}"


def seed_default_ladder(centre_id: int) -> list[LadderStage]:
    """Give a centre the default Heartbeat Miles ladder, unless it has stages already, worded
    in the language spoken around the call (a new centre's: ``progress.hooks``)."""
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
            title=str(spec.title),
            description=str(spec.description),
            kind=CriterionKind(spec.kind),
            threshold_m=spec.threshold_m,
            max_duration_s=spec.max_duration_s,
        )
        for position, spec in enumerate(DEFAULT_LADDER, start=1)
    ]
    db.session.add_all(stages)
    db.session.flush()
    _default_skills(centre_id, zip(DEFAULT_LADDER, stages, strict=True))
    return stages


def _default_skills(centre_id: int, pairs: Iterable[tuple[StageSpec, LadderStage]]) -> None:
    """The skills the default ladder's sign-off stages require, from the centre's built-in
    skills checklist (added first if the centre has none yet). Found by their place in the
    checklist: its labels are in the centre's language, the specs name them in English."""
    ensure_built_in(centre_id)
    items = {item.position: item.id for item in skill_items(centre_id, all_centres=True)}
    positions = {label: n for n, label in enumerate(english_items(SKILLS), start=1)}
    db.session.add_all(
        StageSkill(centre_id=centre_id, stage_id=stage.id, item_id=items[positions[label]])
        for spec, stage in pairs
        for label in spec.skills
        if positions[label] in items
    )
    db.session.flush()


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


# What fact_from_row reads: select these (plus whatever else a caller needs) to build facts.
FACT_COLUMNS = (
    TrainingSession.id,
    TrainingSession.started_at,
    TrainingSession.kind,
    TrainingSession.distance_m,
    TrainingSession.moving_time_s,
    TrainingSession.elapsed_time_s,
    TrainingSession.official_time_s,
    # Confirmed, by the one definition (``TrainingSession.counts``), worked out in SQL.
    TrainingSession.counts.label("counts"),
    TrainingSession.pain,
    TrainingSession.rpe,
    TrainingSession.before_enrolment,
)


def session_facts(participant_id: int) -> list[rules.SessionFact]:
    """Every session of one participant as the rules see it, in one query of plain columns."""
    rows = db.session.execute(
        sa.select(*FACT_COLUMNS)
        .where(TrainingSession.participant_id == participant_id)
        .order_by(TrainingSession.started_at, TrainingSession.id)
    ).all()
    return [fact_from_row(row) for row in rows]


def fact_from_row(row: sa.Row[*tuple[Any, ...]]) -> rules.SessionFact:
    kind = getattr(row.kind, "value", row.kind)
    return rules.SessionFact(
        id=row.id,
        started_at=row.started_at,
        kind=kind,
        distance_m=row.distance_m or 0.0,
        duration_s=row.moving_time_s if row.moving_time_s is not None else row.elapsed_time_s,
        is_race=kind == "race",
        official_time_s=row.official_time_s,
        counts=bool(row.counts),
        pain=row.pain,
        rpe=row.rpe,
        history=bool(row.before_enrolment),
    )


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


def club_title(club: ClubSpec) -> str:
    """The club's name in the reader's language ("100-mile club"); ``club.title`` is the English
    that certificates and the audit trail store."""
    if club.kind == "marathons":
        if club.threshold == 1:
            return _("Marathon finisher")
        return _("%(num)s marathons", num=club.threshold)
    return _("%(miles)s-mile club", miles=number(club.threshold))


def club_description(club: ClubSpec) -> str:
    """What the club means, after a participant's name, in the reader's language."""
    if club.kind == "marathons":
        if club.threshold == 1:
            return _("finished a marathon")
        return _("finished %(num)s marathons", num=club.threshold)
    return _(
        "covered %(miles)s miles (%(km)s km) in training and races",
        miles=number(club.threshold),
        km=number(round(club.threshold * METRES_PER_MILE / 1000)),
    )


def award_title_text(award: Award) -> str:
    """``award_title`` as a page shows it: a club's name in the reader's language (a stage's
    title is the centre's own words). Never stored: ``award_title`` is what is kept."""
    if award.stage_id is not None:
        return award.stage.title if award.stage is not None else _("Ladder stage")
    club = CLUBS_BY_CODE.get(award.club_code or "")
    return club_title(club) if club else (award.club_code or _("Club"))


def award_description_text(award: Award) -> str:
    """``award_description`` as a page shows it (a club's meaning in the reader's language)."""
    if award.stage_id is not None:
        return award.stage.description if award.stage is not None else ""
    club = CLUBS_BY_CODE.get(award.club_code or "")
    return club_description(club) if club else ""


def award_titles(stages: Iterable[LadderStage]) -> dict[str, str]:
    titles = {stage_key(stage.id): stage.title for stage in stages}
    titles.update({club_key(code): club.title for code, club in CLUBS_BY_CODE.items()})
    return titles

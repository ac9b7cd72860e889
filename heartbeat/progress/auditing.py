"""What the progress feature writes in the audit trail, in words: awards and ladder stages named
by what they are called, and award keys ("stage:12", "club:miles-100") read as their titles."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry
from heartbeat.core.i18n import _, _l
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.participants.names import display_name_of
from heartbeat.progress.models import (
    CRITERION_LABELS,
    KEPT_BY_PERSON,
    REVIEW_REASONS,
    Award,
    LadderStage,
)
from heartbeat.progress.services import CLUBS_BY_CODE
from heartbeat.progress.services.ladders import club_title

ACTIONS = {
    "awards.evaluate": _l("Awards re-evaluated"),
    "award.sign_off": _l("Stage signed off"),
    "award.verify": _l("Award verified"),
    "award.confirm": _l("Award confirmed after review"),
    "award.confirm_history": _l("Award from history confirmed, with its date"),
    "award.withdraw": _l("Award withdrawn"),
    "ladder.add": _l("Ladder stage added"),
    "ladder.edit": _l("Ladder stage edited (wording, expiry or skills required)"),
    "ladder.move": _l("Ladder stage moved"),
    "ladder.retire": _l("Ladder stage retired"),
    "ladder.restore": _l("Ladder stage restored"),
}
REASONS = {**REVIEW_REASONS, KEPT_BY_PERSON: _l("Kept by a person without evidence.")}


def _ints(values: Collection[Any]) -> list[int]:
    return [value for value in values if isinstance(value, int) and not isinstance(value, bool)]


def _club_title(code: str | None) -> str:
    club = CLUBS_BY_CODE.get(code or "")
    return club_title(club) if club else (code or _("Club"))


def award_key_names(keys: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    """ "stage:12" -> the stage's title, "club:miles-100" -> "100-mile club"."""
    stage_ids = {
        key: int(key.removeprefix("stage:"))
        for key in keys
        if isinstance(key, str) and key.startswith("stage:") and key[6:].isdigit()
    }
    titles = dict(
        db.session.execute(
            sa.select(LadderStage.id, LadderStage.title).where(
                LadderStage.id.in_(list(stage_ids.values()))
            )
        ).all()
    )
    named: dict[Any, str] = {key: titles[i] for key, i in stage_ids.items() if i in titles}
    for key in keys:
        if isinstance(key, str) and key.startswith("club:"):
            named[key] = _club_title(key.removeprefix("club:"))
    return named


def award_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(
            Award.id,
            Award.club_code,
            LadderStage.title,
            Participant.given_name,
            Participant.preferred_name,
            Participant.family_name,
            Participant.name_order,
        )
        .join(Participant, Participant.id == Award.participant_id)
        .outerjoin(LadderStage, LadderStage.id == Award.stage_id)
        .where(Award.id.in_(_ints(ids)))
    )
    return {
        row.id: f"{display_name_of(row)}, {row.title or _club_title(row.club_code)}" for row in rows
    }


def stage_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(LadderStage.id, LadderStage.title).where(LadderStage.id.in_(_ints(ids)))
    )
    return {row.id: row.title for row in rows}


def _skills(value: Any, ctx: formats.Context) -> str:
    """Skills checklist items by name, "; " between them (a name may hold a comma)."""
    if isinstance(value, list):
        return "; ".join(str(label) for label in value) or _("none")
    return formats.text(value, ctx)


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity(
        "award", _l("Award"), names=award_names, participant_column=Award.participant_id
    )
    registry.entity("ladder_stage", _l("Ladder stage"), names=stage_names)
    registry.names("award_key", award_key_names)

    for name, label in {
        "added": _l("Awards reached"),
        "updated": _l("Awards with new evidence"),
        "withdrawn": _l("Awards withdrawn"),
        "flagged_for_review": _l("Awards flagged for review"),
    }.items():
        registry.field(name, label, refers_to="award_key", entity="participant")

    award = {
        "stage": (_l("Stage"), formats.text),
        "achieved_at": (_l("Achieved"), formats.moment),
        "verified_at": (_l("Verified"), formats.moment),
        "needs_review": (_l("Needs review"), formats.yes_no),
        "review_reason": (_l("Why it needs review"), formats.labels(REASONS)),
        "reason": (_l("Reason"), formats.text),
        "skills_unmet": (_l("Required skills not recorded as passed"), _skills),
    }
    for name, (label, format) in award.items():
        registry.field(name, label, format, entity="award")
    registry.field("key", _l("Award"), refers_to="award_key", entity="award")
    registry.field(
        "evidence_session_id", _l("Evidence"), refers_to="training_session", entity="award"
    )

    stage = {
        "position": (_l("Position on the ladder"), formats.number),
        "code": (_l("Code"), formats.text),
        "title": (_l("Title"), formats.text),
        "description": (_l("Certificate sentence"), formats.text),
        "kind": (_l("How it is reached"), formats.labels(CRITERION_LABELS)),
        "threshold_m": (_l("Distance"), formats.distance),
        "max_duration_s": (_l("Time limit"), formats.duration),
        "valid_for_months": (_l("Certificates expire after (months)"), formats.number),
        "retired_at": (_l("Retired"), formats.moment),
        "moved": (_l("Moved"), formats.text),
        "skills": (_l("Skills required"), _skills),
    }
    for name, (label, format) in stage.items():
        registry.field(name, label, format, entity="ladder_stage")

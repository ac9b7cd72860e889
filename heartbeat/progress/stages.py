"""Editing a centre's ladder: add, reword, reorder, retire and restore stages.

Plain functions that flush, never commit, and audit what they change. A stage's criterion (kind,
distance, time limit) is fixed once it exists, so every award made for it keeps meaning what it
meant: to change what a rung asks, retire it and add a new one. Every change names the version
the person saw; an older one raises ``core.edits.StaleEdit`` and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core.edits import InputError, check_version
from heartbeat.core.i18n import DEFAULT_LANGUAGE, _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.progress.models import CriterionKind, LadderStage, StageSkill
from heartbeat.progress.sentences import clean_description, description_problem
from heartbeat.progress.skills import required_items, skill_items

TITLE_MAX = 80
DESCRIPTION_MAX = 300
# A ladder rung longer than an ultra is a typo (metres typed as kilometres).
MAX_THRESHOLD_M = 200_000.0
MAX_DURATION_S = 48 * 3600
MAX_VALID_MONTHS = 120

EDITABLE = {"title": "Title", "description": "What it means"}


class StageError(InputError):
    """Input that cannot be saved; ``field_errors`` names the fields to blame."""


def _check_version(stage: LadderStage, expected: int | None) -> None:
    check_version(expected, stage.version, f"“{stage.title}”")


def _snapshot(stage: LadderStage) -> dict[str, Any]:
    return {
        "position": stage.position,
        "code": stage.code,
        "title": stage.title,
        "description": stage.description,
        "kind": stage.kind,
        "threshold_m": stage.threshold_m,
        "max_duration_s": stage.max_duration_s,
        "valid_for_months": stage.valid_for_months,
        "retired_at": stage.retired_at,
    }


def _skill_labels(stage: LadderStage) -> list[str]:
    return [item.label for item in required_items([stage.id])[stage.id]]


def _chosen_skills(
    centre_id: int, kind: CriterionKind, item_ids: Collection[int]
) -> dict[int, str]:
    """The skills checklist items chosen for a stage (id: label, in the checklist's order), or
    ``StageError``: only a sign-off stage requires skills, and only the centre's checklist's."""
    wanted = set(item_ids)
    if wanted and kind != CriterionKind.SIGNOFF:
        raise StageError(
            _("The stage cannot be saved."),
            {"skills": _("Only a sign-off stage can require skills: a session reaches this one.")},
        )
    items = {item.id: item.label for item in skill_items(centre_id)}
    if wanted - set(items):
        raise StageError(
            _("The stage cannot be saved."),
            {"skills": _("Choose skills from the list (the wheelchair skills checklist).")},
        )
    return {item_id: label for item_id, label in items.items() if item_id in wanted}


def _set_skills(stage: LadderStage, chosen: dict[int, str]) -> list[str]:
    """Make the stage require exactly the ``chosen`` items; returns their labels."""
    have = {
        row.item_id: row
        for row in db.session.scalars(sa.select(StageSkill).where(StageSkill.stage_id == stage.id))
    }
    for item_id, row in have.items():
        if item_id not in chosen:
            db.session.delete(row)
    db.session.add_all(
        StageSkill(centre_id=stage.centre_id, stage_id=stage.id, item_id=item_id)
        for item_id in sorted(set(chosen) - set(have))
    )
    return list(chosen.values())


def _check_validity(valid_for_months: int | None) -> None:
    if valid_for_months is not None and not 1 <= valid_for_months <= MAX_VALID_MONTHS:
        raise StageError(
            _("The stage cannot be saved."),
            {"expires_after": _("Enter a number of months from 1 to 120, or leave it empty.")},
        )


def _stages(centre_id: int) -> list[LadderStage]:
    return list(
        db.session.scalars(
            sa.select(LadderStage)
            .where(LadderStage.centre_id == centre_id)
            .order_by(LadderStage.position, LadderStage.id)
        )
    )


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:34].strip("-") or "stage"


def _unique_code(title: str, taken: set[str]) -> str:
    base = slugify(title)
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _centre_language(centre_id: int) -> str:
    """The language the centre's ladder is written in (its own: a new centre's is seeded in it)."""
    language = db.session.scalar(sa.select(Centre.language).where(Centre.id == centre_id))
    return language or DEFAULT_LANGUAGE


def _clean_words(
    title: str, description: str, *, others: list[LadderStage], language: str
) -> tuple[str, str]:
    title, description = (title or "").strip(), clean_description(description)
    errors = {}
    if not title:
        errors["title"] = _("Enter a title, such as “10K”.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title to %(max)s characters or fewer.", max=TITLE_MAX)
    elif any(s.title.casefold() == title.casefold() and not s.retired for s in others):
        errors["title"] = _("Another stage on the ladder already has this title.")
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep it to %(max)s characters or fewer.", max=DESCRIPTION_MAX)
    elif problem := description_problem(description, language):
        # It must make a sentence after a name: certificates print "<Name> <description>."
        errors["description"] = problem
    if errors:
        raise StageError(_("The stage cannot be saved."), errors)
    return title, description


def add_stage(
    centre_id: int,
    *,
    actor: User,
    title: str,
    description: str,
    kind: str,
    threshold_m: float | None = None,
    max_duration_s: int | None = None,
    after_stage_id: int | None = None,
    at_top: bool = False,
    valid_for_months: int | None = None,
    skill_ids: Collection[int] = (),
) -> LadderStage:
    """Add a stage after ``after_stage_id`` (at the end by default, first with ``at_top``);
    a sign-off stage may require ``skill_ids`` (skills checklist items)."""
    _check_validity(valid_for_months)
    stages = _stages(centre_id)
    title, description = _clean_words(
        title, description, others=stages, language=_centre_language(centre_id)
    )
    errors: dict[str, str] = {}
    try:
        criterion = CriterionKind(kind)
    except ValueError:
        raise StageError(
            _("The stage cannot be saved."), {"kind": _("Choose how it is reached.")}
        ) from None
    if criterion == CriterionKind.SIGNOFF:
        if threshold_m is not None:
            errors["distance"] = _("A sign-off stage has no distance; leave it empty.")
        if max_duration_s is not None:
            errors["time_limit"] = _("A sign-off stage has no time limit; leave it empty.")
    else:
        if threshold_m is None:
            errors["distance"] = _("Enter the distance of one continuous push.")
        elif not 0 < threshold_m <= MAX_THRESHOLD_M:
            errors["distance"] = _("Enter a distance above zero and at most 200 km (124 miles).")
        if max_duration_s is not None and not 0 < max_duration_s <= MAX_DURATION_S:
            errors["time_limit"] = _("Enter a time limit above zero and at most 48 hours.")
    if errors:
        raise StageError(_("The stage cannot be saved."), errors)
    chosen = _chosen_skills(centre_id, criterion, skill_ids)

    if at_top:
        position = 1
    elif after_stage_id is not None:
        after = next((s for s in stages if s.id == after_stage_id), None)
        if after is None:
            raise StageError(
                _("The stage cannot be saved."), {"place": _("Choose a place from the list.")}
            )
        position = after.position + 1
    else:
        position = max((s.position for s in stages), default=0) + 1
    # Make room without touching the versions of the stages that move down: nobody edited them.
    db.session.execute(
        sa.update(LadderStage)
        .where(LadderStage.centre_id == centre_id, LadderStage.position >= position)
        .values(position=LadderStage.position + 1)
        .execution_options(synchronize_session=False)
    )
    for stage in stages:
        db.session.expire(stage, ["position"])
    stage = LadderStage(
        centre_id=centre_id,
        position=position,
        code=_unique_code(title, {s.code for s in stages}),
        title=title,
        description=description,
        kind=criterion,
        threshold_m=threshold_m if criterion != CriterionKind.SIGNOFF else None,
        max_duration_s=max_duration_s if criterion != CriterionKind.SIGNOFF else None,
        valid_for_months=valid_for_months,
    )
    db.session.add(stage)
    db.session.flush()
    created = _snapshot(stage)
    if chosen:
        created["skills"] = _set_skills(stage, chosen)
        db.session.flush()
    audit.record(actor, centre_id, "ladder.add", "ladder_stage", stage.id, audit.created(created))
    return stage


def update_stage(
    stage: LadderStage,
    *,
    actor: User,
    title: str,
    description: str,
    expected_version: int | None,
    valid_for_months: int | None = None,
    skill_ids: Collection[int] | None = None,
) -> dict[str, Any]:
    """Reword a stage, change how long its certificates stay valid (from the next issued on) or,
    with ``skill_ids``, the skills it requires; returns the audited changes (empty when nothing
    changed)."""
    _check_version(stage, expected_version)
    _check_validity(valid_for_months)
    others = [s for s in _stages(stage.centre_id) if s.id != stage.id]
    title, description = _clean_words(
        title, description, others=others, language=_centre_language(stage.centre_id)
    )
    chosen = (
        _chosen_skills(stage.centre_id, stage.kind, skill_ids) if skill_ids is not None else None
    )
    before = _snapshot(stage)
    if chosen is not None:
        before["skills"] = _skill_labels(stage)
    stage.title, stage.description = title, description
    stage.valid_for_months = valid_for_months
    after = _snapshot(stage)
    if chosen is not None:
        after["skills"] = _set_skills(stage, chosen)
        if after["skills"] != before["skills"]:
            # The stage's version moves with what it requires, so a stale form is caught.
            flag_modified(stage, "title")
    changes = audit.diff(before, after)
    if changes:
        db.session.flush()
        audit.record(actor, stage.centre_id, "ladder.edit", "ladder_stage", stage.id, changes)
    return changes


def move_stage(
    stage: LadderStage, direction: str, *, actor: User, expected_version: int | None
) -> bool:
    """Swap a stage with its neighbour above (``up``) or below (``down``); False at an end."""
    if direction not in ("up", "down"):
        raise StageError(_("Move a stage up or down."))
    _check_version(stage, expected_version)
    stages = _stages(stage.centre_id)
    index = next(i for i, s in enumerate(stages) if s.id == stage.id)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(stages):
        return False
    other = stages[other_index]
    # Renumber the whole ladder 1..n so equal or gappy positions can never confuse the order.
    stages[index], stages[other_index] = other, stage
    old = {each.id: each.position for each in stages}  # read everything before writing
    before = stage.position
    for position, each in enumerate(stages, start=1):
        if each is stage or old[each.id] == position:
            continue
        db.session.execute(
            sa.update(LadderStage)
            .where(LadderStage.id == each.id)
            .values(position=position)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(each, ["position"])
    stage.position = stages.index(stage) + 1
    if stage.position == before:
        # Renumbering left its number as it was (equal positions); it still moved, so its
        # version must move too.
        flag_modified(stage, "position")
    db.session.flush()
    audit.record(
        actor,
        stage.centre_id,
        "ladder.move",
        "ladder_stage",
        stage.id,
        {
            "position": {"before": before, "after": stage.position},
            "moved": {"before": None, "after": f"{direction}, past {other.title}"},
        },
    )
    return True


def retire_stage(
    stage: LadderStage,
    *,
    actor: User,
    expected_version: int | None,
    now: datetime | None = None,
) -> None:
    """Take a stage off the ladder; awards made for it stay valid and keep pointing at it."""
    _check_version(stage, expected_version)
    if stage.retired:
        raise StageError(_("“%(title)s” is already retired.", title=stage.title))
    before = _snapshot(stage)
    stage.retired_at = now or utcnow()
    db.session.flush()
    audit.record(
        actor,
        stage.centre_id,
        "ladder.retire",
        "ladder_stage",
        stage.id,
        audit.diff(before, _snapshot(stage)),
    )


def restore_stage(stage: LadderStage, *, actor: User, expected_version: int | None) -> None:
    """Put a retired stage back on the ladder, where it was."""
    _check_version(stage, expected_version)
    if not stage.retired:
        raise StageError(_("“%(title)s” is on the ladder already.", title=stage.title))
    others = [s for s in _stages(stage.centre_id) if s.id != stage.id and not s.retired]
    if any(s.title.casefold() == stage.title.casefold() for s in others):
        raise StageError(
            _(
                "Another stage on the ladder is called “%(title)s”; reword one of them first.",
                title=stage.title,
            )
        )
    before = _snapshot(stage)
    stage.retired_at = None
    db.session.flush()
    audit.record(
        actor,
        stage.centre_id,
        "ladder.restore",
        "ladder_stage",
        stage.id,
        audit.diff(before, _snapshot(stage)),
    )

"""Outcome measures: defining them, and answering, scoring and completing responses.

Plain functions that flush, never commit, and write the audit trail. Built-in measures are
added to a centre by code, once (``ensure_built_in``); a centre's admin defines more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import InputError, check_version
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.measures.instruments import BUILT_IN
from heartbeat.measures.models import (
    PARTICIPANT,
    STAFF,
    Measure,
    MeasureAnswer,
    MeasureItem,
    MeasureResponse,
)
from heartbeat.measures.scoring import SCALES, Score, Scoring, score
from heartbeat.participants.models import Participant

MAX_ITEMS = 60
LABEL_MAX = 200


class MeasureError(InputError):
    """Input that cannot be saved; ``field_errors`` names the fields to blame."""


def ensure_built_in(centre_id: int) -> bool:
    """Add the built-in measures the centre does not have yet (by code); True if it did."""
    have = set(
        db.session.scalars(
            sa.select(Measure.code)
            .where(Measure.centre_id == centre_id)
            .execution_options(all_centres=True)
        )
    )
    added = False
    for instrument in BUILT_IN:
        if instrument.code in have:
            continue
        added = True
        measure = Measure(
            centre_id=centre_id,
            code=instrument.code,
            # In the language spoken around the call (a new centre's: ``measures.hooks``).
            title=str(instrument.title),
            instructions=str(instrument.instructions),
            completed_by=instrument.completed_by,
            scale=instrument.scale,
            scoring=instrument.scoring,
            allow_not_done=instrument.allow_not_done,
            not_done_label=str(instrument.not_done_label),
            higher_is_worse=instrument.higher_is_worse,
            smallest_real_change=instrument.smallest_real_change,
            due_after_days=instrument.due_after_days,
            overdue_after_days=instrument.overdue_after_days,
            source=instrument.source,
        )
        db.session.add(measure)
        db.session.flush()
        db.session.add_all(
            MeasureItem(centre_id=centre_id, measure_id=measure.id, position=n, label=str(label))
            for n, label in enumerate(instrument.items, start=1)
        )
    db.session.flush()
    return added


@dataclass(frozen=True)
class Definition:
    """A centre's own measure, as the admin's form gives it."""

    title: str
    instructions: str
    completed_by: str
    scale: str
    scoring: Scoring
    items: Sequence[str]
    allow_not_done: bool = False
    higher_is_worse: bool = True
    smallest_real_change: float | None = None
    due_after_days: int | None = None
    overdue_after_days: int | None = None


def _check(definition: Definition) -> list[str]:
    items = [line.strip() for line in definition.items if line.strip()]
    errors: dict[str, str] = {}
    if not definition.title.strip():
        errors["title"] = _("Give the measure a title.")
    if not items:
        errors["items"] = _("Add at least one item: a measure with no items cannot be answered.")
    elif len(items) > MAX_ITEMS:
        errors["items"] = _("A measure has at most %(num)s items.", num=MAX_ITEMS)
    elif any(len(item) > LABEL_MAX for item in items):
        errors["items"] = _("Keep each item under %(num)s characters.", num=LABEL_MAX)
    if definition.scale not in SCALES:
        errors["scale"] = _("Choose one of the scales.")
    if definition.completed_by not in (PARTICIPANT, STAFF):
        errors["completed_by"] = _("Choose who completes it.")
    due, overdue = definition.due_after_days, definition.overdue_after_days
    if due is not None and not 1 <= due <= 3650:
        errors["due_after_days"] = _("Between 1 and 3650 days, or empty for no schedule.")
    if overdue is not None and (due is None or overdue < due):
        errors["overdue_after_days"] = _("Overdue comes on or after the day it is due.")
    if definition.smallest_real_change is not None and definition.smallest_real_change <= 0:
        errors["smallest_real_change"] = _("More than 0, or empty.")
    if errors:
        raise MeasureError(next(iter(errors.values())), field_errors=errors)
    return items


def define_measure(centre_id: int, definition: Definition, *, actor: User) -> Measure:
    items = _check(definition)
    now = utcnow()
    measure = Measure(
        centre_id=centre_id,
        code=f"centre-{now:%Y%m%d%H%M%S%f}",
        title=definition.title.strip(),
        instructions=definition.instructions.strip() or None,
        completed_by=definition.completed_by,
        scale=definition.scale,
        scoring=definition.scoring,
        allow_not_done=definition.allow_not_done,
        not_done_label="Does not apply" if definition.allow_not_done else None,
        higher_is_worse=definition.higher_is_worse,
        smallest_real_change=definition.smallest_real_change,
        due_after_days=definition.due_after_days,
        overdue_after_days=definition.overdue_after_days,
        created_at=now,
    )
    db.session.add(measure)
    db.session.flush()
    db.session.add_all(
        MeasureItem(centre_id=centre_id, measure_id=measure.id, position=n, label=label)
        for n, label in enumerate(items, start=1)
    )
    db.session.flush()
    audit.record(
        actor,
        centre_id,
        "measure.define",
        "measure",
        measure.id,
        audit.created({"title": measure.title, "scale": measure.scale, "items": len(items)}),
        at=now,
    )
    return measure


def update_schedule(
    measure: Measure,
    *,
    actor: User,
    due_after_days: int | None,
    overdue_after_days: int | None,
    smallest_real_change: float | None,
    expected_version: int | None,
) -> audit.Changes:
    """The centre's settings of a measure: how often it is due, and its smallest real change."""
    check_version(expected_version, measure.version, _("this measure"))
    fields = ("due_after_days", "overdue_after_days", "smallest_real_change")
    before = {name: getattr(measure, name) for name in fields}
    probe = Definition(
        title=measure.title,
        instructions="",
        completed_by=measure.completed_by,
        scale=measure.scale,
        scoring=measure.scoring,
        items=["x"],
        due_after_days=due_after_days,
        overdue_after_days=overdue_after_days,
        smallest_real_change=smallest_real_change,
    )
    _check(probe)
    measure.due_after_days = due_after_days
    measure.overdue_after_days = overdue_after_days
    measure.smallest_real_change = smallest_real_change
    changes = audit.diff(before, {name: getattr(measure, name) for name in fields})
    if changes:
        db.session.flush()
        audit.record(actor, measure.centre_id, "measure.update", "measure", measure.id, changes)
    return changes


def responses_count(measure: Measure) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(MeasureResponse)
            .where(MeasureResponse.measure_id == measure.id)
        )
        or 0
    )


def retire_measure(measure: Measure, *, actor: User, retire: bool = True) -> None:
    now = utcnow()
    before = measure.retired_at
    measure.retired_at = now if retire else None
    db.session.flush()
    changes = audit.diff({"retired_at": before}, {"retired_at": measure.retired_at})
    if retire:  # a literal code in each call: the trail's filter is built from them
        audit.record(
            actor, measure.centre_id, "measure.retire", "measure", measure.id, changes, at=now
        )
    else:
        audit.record(
            actor, measure.centre_id, "measure.restore", "measure", measure.id, changes, at=now
        )


def delete_measure(measure: Measure, *, actor: User) -> None:
    """Only a measure nobody has answered; one with responses is retired instead."""
    if measure.code in {instrument.code for instrument in BUILT_IN}:
        raise MeasureError(_("Built-in measures are retired, not deleted."))
    if responses_count(measure):
        raise MeasureError(
            _(
                "This measure has responses, so it cannot be deleted: retire it instead. Its"
                " results stay on the participants' records."
            )
        )
    measure_id, centre_id, title = measure.id, measure.centre_id, measure.title
    db.session.delete(measure)
    db.session.flush()
    audit.record(
        actor, centre_id, "measure.delete", "measure", measure_id, audit.diff({"title": title}, {})
    )


# --- responses ------------------------------------------------------------------------------------


def start_response(
    participant: Participant, measure: Measure, *, actor: User, now: datetime | None = None
) -> MeasureResponse:
    """The participant's unfinished response to ``measure``, or a new one (save as you go)."""
    if measure.retired:
        raise MeasureError(_("This measure is retired: it is no longer completed."))
    open_one = db.session.scalar(
        sa.select(MeasureResponse).where(
            MeasureResponse.participant_id == participant.id,
            MeasureResponse.measure_id == measure.id,
            MeasureResponse.completed_at.is_(None),
        )
    )
    if open_one is not None:
        return open_one
    now = now or utcnow()
    response = MeasureResponse(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        measure_id=measure.id,
        started_at=now,
        on_behalf=measure.by_participant and actor.id != participant.user_id,
    )
    db.session.add(response)
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "measure.start",
        "measure_response",
        response.id,
        audit.created({"participant_id": participant.id, "measure_id": measure.id}),
        at=now,
    )
    return response


def answer(
    response: MeasureResponse,
    item: MeasureItem,
    raw: str | None,
    *,
    measure: Measure,
    actor: User,
    now: datetime | None = None,
) -> MeasureAnswer:
    """Save one answer at once (``raw``: a scale value, or "none" for not done)."""
    if response.complete:
        raise MeasureError(_("This questionnaire was already submitted: it cannot be changed."))
    if item.measure_id != response.measure_id:
        raise MeasureError(_("That question is not part of this questionnaire."))
    value: int | None
    not_done = raw == "none"
    if not_done:
        if not measure.allow_not_done:
            choose = {"value": _("Choose one.")}
            raise MeasureError(_("Choose one of the answers."), field_errors=choose)
        value = None
    else:
        try:
            value = int(raw or "")
        except ValueError:
            message = _("Choose one of the answers.")
            raise MeasureError(message, field_errors={"value": message}) from None
        if value not in measure.scale_spec.values:
            message = _(
                "Answers go from %(low)s to %(high)s.",
                low=min(measure.scale_spec.values),
                high=measure.scale_spec.highest,
            )
            raise MeasureError(message, field_errors={"value": message})
    now = now or utcnow()
    existing = db.session.scalar(
        sa.select(MeasureAnswer).where(
            MeasureAnswer.response_id == response.id, MeasureAnswer.item_id == item.id
        )
    )
    before = (
        {"value": existing.value, "not_done": existing.not_done} if existing is not None else {}
    )
    if existing is None:
        existing = MeasureAnswer(
            centre_id=response.centre_id,
            response_id=response.id,
            item_id=item.id,
            participant_id=response.participant_id,
        )
        db.session.add(existing)
    changes = audit.diff(before, {"value": value, "not_done": not_done})
    if changes:  # the same answer again changes nothing, not even its time
        existing.value, existing.not_done, existing.answered_at = value, not_done, now
        db.session.flush()
        changes["item"] = {"before": None, "after": item.position}
        audit.record(
            actor, response.centre_id, "measure.answer", "measure_response", response.id, changes
        )
    return existing


def answers_of(response: MeasureResponse) -> dict[int, MeasureAnswer]:
    """Its answers by item id."""
    rows = db.session.scalars(
        sa.select(MeasureAnswer).where(MeasureAnswer.response_id == response.id)
    )
    return {row.item_id: row for row in rows}


def complete(
    response: MeasureResponse,
    *,
    measure: Measure,
    items: Sequence[MeasureItem],
    actor: User,
    expected_version: int | None,
    now: datetime | None = None,
) -> Score:
    """Score and close the response: every item must be answered (or marked not done)."""
    if response.complete:
        raise MeasureError(_("This questionnaire was already submitted."))
    check_version(expected_version, response.version, _("this questionnaire"))
    answers = answers_of(response)
    missing = [item.position for item in items if item.id not in answers]
    if missing:
        message = _("Answer every question first (not yet: %(listed)s). Nothing was submitted.")
        raise MeasureError(message % {"listed": ", ".join(str(n) for n in missing[:10])})
    result = score([answers[item.id].value for item in items], measure.scale_spec, measure.scoring)
    now = now or utcnow()
    response.completed_at = now
    response.completed_by_id = actor.id
    response.total = result.total
    db.session.flush()
    audit.record(
        actor,
        response.centre_id,
        "measure.complete",
        "measure_response",
        response.id,
        audit.diff(
            {},
            {
                "completed_at": now,
                "total": result.total,
                "on_behalf": response.on_behalf,
                "answers": [answers[item.id].value for item in items],
            },
        ),
        at=now,
    )
    return result

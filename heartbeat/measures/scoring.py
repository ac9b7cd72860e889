"""Pure scoring rules for outcome measures: scales, totals, the smallest real change, due dates.

No database, no request: the words are marked for translation and read lazily. Worked
examples are in tests/measures/test_scoring.py.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from heartbeat.core.i18n import _l


@dataclass(frozen=True)
class Scale:
    code: str
    label: str
    options: tuple[tuple[int, str], ...]  # (value, words), lowest first

    @property
    def values(self) -> frozenset[int]:
        return frozenset(value for value, _ in self.options)

    @property
    def highest(self) -> int:
        return max(value for value, _ in self.options)

    def words(self, value: int | None) -> str:
        return dict(self.options).get(value, "") if value is not None else ""


def _numbers(low: int, high: int, anchors: dict[int, str]) -> tuple[tuple[int, str], ...]:
    return tuple((n, anchors.get(n, "")) for n in range(low, high + 1))


SCALES: dict[str, Scale] = {
    scale.code: scale
    for scale in (
        Scale(
            "0-10", _l("0 to 10"), _numbers(0, 10, {0: _l("No pain"), 10: _l("Worst pain ever")})
        ),
        Scale("0-4", _l("0 to 4"), _numbers(0, 4, {0: _l("None"), 4: _l("Extreme")})),
        Scale(
            "ppf",
            _l("Pass / partial / fail"),
            ((0, _l("Fail")), (1, _l("Partial")), (2, _l("Pass"))),
        ),
        Scale("yes-no", _l("Yes / no"), ((0, _l("No")), (1, _l("Yes")))),
    )
}


class Scoring(enum.StrEnum):
    SUM = "sum"  # the sum of the items, corrected for items not done (x items / answered)
    PERCENT = "percent"  # points as a percentage of the most the answered items could score

    @property
    def label(self) -> str:
        return {
            Scoring.SUM: _l("Total of the items (corrected for items not done)"),
            Scoring.PERCENT: _l("Percentage of the possible points"),
        }[self]


@dataclass(frozen=True)
class Score:
    total: float | None  # None when no item was answered
    raw: int  # the plain sum of the answered items
    answered: int
    not_applicable: int
    items: int

    @property
    def corrected(self) -> bool:
        return self.not_applicable > 0 and self.answered > 0


def score(values: Sequence[int | None], scale: Scale, scoring: Scoring) -> Score:
    """Score one completed response; ``None`` is "not done / not applicable".

    SUM: with every item answered, the plain sum (WUSPI: 0-150). With some not done, the sum is
    scaled to all items (sum x items / answered): the "performance-corrected" WUSPI of Curtis et
    al. PERCENT: points / (answered x the scale's highest) x 100.
    """
    answered = [value for value in values if value is not None]
    for value in answered:
        if value not in scale.values:
            raise ValueError(f"{value} is not on the scale {scale.label}.")
    raw = sum(answered)
    items = len(values)
    skipped = items - len(answered)
    if not answered:
        return Score(None, 0, 0, skipped, items)
    if scoring == Scoring.PERCENT:
        total = raw / (len(answered) * scale.highest) * 100
    else:
        total = raw * items / len(answered)
    return Score(round(total, 1), raw, len(answered), skipped, items)


def real_change(previous: float | None, latest: float | None, smallest: float | None) -> int:
    """+1 for a rise of at least the smallest real change, -1 for such a fall, 0 otherwise
    (or when either total or the threshold is missing). Compared at one decimal, as shown."""
    if previous is None or latest is None or smallest is None:
        return 0
    change = round(latest - previous, 1)
    if change >= round(smallest, 1):
        return 1
    if change <= -round(smallest, 1):
        return -1
    return 0


class Due(enum.StrEnum):
    NOT_YET = "not_yet"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {Due.NOT_YET: _l("Not due"), Due.DUE: _l("Due"), Due.OVERDUE: _l("Overdue")}[self]


@dataclass(frozen=True)
class DueState:
    state: Due
    due_on: date | None  # None: the measure has no schedule


def due_state(
    last_completed: date | None,
    enrolled_on: date,
    today: date,
    due_after_days: int | None,
    overdue_after_days: int | None,
) -> DueState:
    """Due ``due_after_days`` after the last completion (never completed: due from enrolment);
    overdue ``overdue_after_days`` after it."""
    if due_after_days is None:
        return DueState(Due.NOT_YET, None)
    if last_completed is None:
        overdue_on = enrolled_on + timedelta(days=overdue_after_days or due_after_days)
        return DueState(Due.OVERDUE if today > overdue_on else Due.DUE, enrolled_on)
    due_on = last_completed + timedelta(days=due_after_days)
    overdue_on = last_completed + timedelta(days=overdue_after_days or due_after_days)
    if today > overdue_on:
        return DueState(Due.OVERDUE, due_on)
    if today >= due_on:
        return DueState(Due.DUE, due_on)
    return DueState(Due.NOT_YET, due_on)

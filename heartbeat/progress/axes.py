"""Chart axes: round ticks whose labels never repeat, a margin the labels fit in, and dates that
name their year once a range crosses one. Pure functions of plain values (``charts`` draws).

Ticks are "nice numbers": a step of 1, 2 or 5 times a power of ten (or one of a list of steps
the caller knows are round, such as 15 s, 30 s, 1 min for paces), every tick a whole multiple of
the step. Labels get as many decimals as the step needs, so 4.6, 4.65 and 4.7 never all print
"4.7 km".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from heartbeat.core.i18n import DEFAULT_LANGUAGE, current_language, date_text, decimal_text

MAX_DECIMALS = 12
FACTORS = (1, 2, 5, 10)
# Left margins (CSS px) the stylesheet reserves for the y labels: ``svg.chart.y-56`` and so on.
MARGINS = (40, 56, 72, 88, 104, 120, 136)
LABEL_GAP = 10  # px between the longest y label and the plot


@dataclass(frozen=True)
class Axis:
    """Tick values from ``low`` (the first) to ``high`` (the last), ``step`` apart."""

    values: tuple[float, ...]
    step: float

    @property
    def low(self) -> float:
        return self.values[0]

    @property
    def high(self) -> float:
        return self.values[-1]


def nice_step(span: float, count: int = 4, steps: Sequence[float] | None = None) -> float:
    """The round step that cuts ``span`` into at most about ``count`` parts."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / count
    if steps:
        if raw <= steps[-1]:
            return next(step for step in steps if step >= raw)
        return steps[-1] * nice_step(raw / steps[-1], 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(factor * magnitude for factor in FACTORS if factor * magnitude >= raw * 0.9999)


def decimals_for(step: float) -> int:
    """How many decimals tell ticks ``step`` apart: 0 for 5, 1 for 0.5, 2 for 0.25."""
    for decimals in range(MAX_DECIMALS + 1):
        scaled = step * 10**decimals
        if round(scaled) >= 1 and abs(scaled - round(scaled)) <= 1e-6 * scaled:
            return decimals
    return MAX_DECIMALS


def axis(low: float, high: float, count: int = 4, steps: Sequence[float] | None = None) -> Axis:
    """Round ticks covering ``[low, high]``.

    A range with no width (one value, or all equal) is widened around its value by a tenth
    (one unit around zero), staying at or above zero when the value is: distances, paces and
    scores are never negative.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("an axis needs finite values")
    low, high = min(low, high), max(low, high)
    if high - low <= abs(high) * 1e-9:
        pad = abs(high) * 0.1 or 1.0
        low, high = (max(low - pad, 0.0) if low >= 0 else low - pad), high + pad
    step = nice_step(high - low, count, steps)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    places = decimals_for(step) + 2
    values = tuple(round(index * step, places) + 0.0 for index in range(first, last + 1))
    return Axis(values, step)


def number(value: float, decimals: int = 0) -> str:
    """``1234.5`` -> ``"1,234.5"``; never ``"-0"``."""
    if current_language() != DEFAULT_LANGUAGE:
        return decimal_text(0.0 if round(value, decimals) == 0 else value, decimals)
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def tick_labels(axis_: Axis, fmt: Callable[[float, int], str]) -> list[str]:
    """Each tick's text, with enough decimals (at least the step's) that no two are the same.

    ``fmt(value, decimals)`` writes one label; a format that cannot tell the ticks apart
    whatever the decimals is a mistake in the chart, so it raises rather than print "4.7 km"
    on two gridlines.
    """
    start = decimals_for(axis_.step)
    for decimals in range(start, MAX_DECIMALS + 1):
        labels = [fmt(value, decimals) for value in axis_.values]
        if len(set(labels)) == len(labels):
            return labels
    raise ValueError(f"the tick labels repeat: {labels}")


# Approximate advance widths at 13 px (system-ui / DejaVu Sans), in px: enough to reserve room.
_NARROW = set(" .,:;/|'!()-ijlrtf")
_WIDE = set("mwMW%")


def text_width(text: str, font_px: float = 13) -> float:
    """A generous estimate of how wide ``text`` prints, for reserving a margin."""
    em = sum(0.36 if c in _NARROW else 0.95 if c in _WIDE else 0.66 for c in text)
    return em * font_px


def margin_for(labels: Sequence[str]) -> int:
    """The smallest reserved left margin the widest label fits in, with a gap to the plot."""
    needed = max((text_width(label) for label in labels), default=0) + LABEL_GAP
    return next((margin for margin in MARGINS if margin >= needed), MARGINS[-1])


# --- dates along the x axis ------------------------------------------------------------------
#
# Two rows under a time axis: days ("3 Jun", or "Today") on the first, and, once the range
# crosses a year, years on the second ("2024" under the first day, "2025" where 2025 begins).
# Each year is named once at every width: a narrow screen hides the minor labels, so a year a
# minor label named is named again, on narrow screens only, under the next major one.

ALWAYS, WIDE, NARROW = "", "x-minor", "x-narrow"  # the stylesheet hides x-minor / x-narrow


@dataclass(frozen=True)
class XLabel:
    x: float  # 0 (left) .. 1 (right) across the plot
    text: str
    row: int = 0  # 0: days, 1: years
    show: str = ALWAYS  # ALWAYS, WIDE (minor: hidden on a narrow screen) or NARROW


def short_day(day: date) -> str:
    """``3 Jun``: a day under a chart (its year, when needed, is on the row below)."""
    return f"{day.day} {date_text(day, '%b')}"


def time_axis(first: date, last: date, last_text: str, *, max_years: int = 4) -> list[XLabel]:
    """Labels for a line over the days ``first`` to ``last``: the first day and ``last_text``
    (such as "Today"); across years, the first day's year below it and the round years that
    begin in between (at most ``max_years``, minor: a phone shows the two ends only).
    """
    labels = [XLabel(0.0, short_day(first)), XLabel(1.0, last_text)]
    if first.year == last.year:
        return labels
    labels.append(XLabel(0.0, str(first.year), row=1))
    span = max((last - first).days, 1)
    years = range(first.year + 1, last.year + 1)
    every = 1
    while sum(1 for year in years if year % every == 0) > max_years:
        every = round(nice_step(every * 2, 1))
    for year in years:
        x = (date(year, 1, 1) - first).days / span
        if year % every == 0 and 0.2 <= x <= 0.92:  # clear of the first year's label
            labels.append(XLabel(x, str(year), row=1, show=WIDE))
    return labels


def day_labels(days: Sequence[date], shown: Sequence[tuple[int, bool]]) -> dict[int, list[XLabel]]:
    """The labels under a row of days (bars, one per week), for the shown ``(index, minor)``
    pairs, left to right: each day, and the years where they begin (see above). ``x`` is left
    at 0: the caller places each index."""
    crosses = bool(days) and days[0].year != days[-1].year
    out: dict[int, list[XLabel]] = {}
    last_any: int | None = None
    last_major: int | None = None
    for index, minor in shown:
        year = days[index].year
        labels = [XLabel(0.0, short_day(days[index]), show=WIDE if minor else ALWAYS)]
        starts_any = year != last_any
        starts_major = not minor and year != last_major
        if crosses and minor and starts_any:
            labels.append(XLabel(0.0, str(year), row=1, show=WIDE))
        elif crosses and starts_major:
            labels.append(XLabel(0.0, str(year), row=1, show=ALWAYS if starts_any else NARROW))
        last_any = year
        if not minor:
            last_major = year
        out[index] = labels
    return out

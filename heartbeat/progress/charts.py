"""Charts drawn on the server as SVG: pure functions of plain values, no Flask, no database.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``, plus the same numbers as
a table (``Chart.table``) for screen readers, for printing and for anyone who prefers numbers.
Nothing is told by colour alone: bars are hatched, lines carry square markers, axes are labelled.

The SVG has no ``viewBox``: it is as wide as its box (100%) and a fixed height, with x positions
in percent and y positions in pixels, so the plot stretches to any width while the text stays a
readable size, from a 320 px phone to a printed page. Only presentation attributes are used (no
``style``), so a strict Content-Security-Policy lets it through.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from markupsafe import Markup

HEIGHT = 240
PLOT_TOP = 26  # room for the top tick label
PLOT_BOTTOM = 200  # x labels sit below this
LABEL_Y = 222
FONT = 'font-family="system-ui, sans-serif" font-size="13"'
INK = "#1b1f24"
MUTED = "#4a5560"
BRAND = "#0b5563"
GRID = "#c9d1d9"
CHART_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")


@dataclass(frozen=True)
class DataTable:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    table: DataTable
    svg: Markup = field(default=Markup(""))

    @property
    def empty(self) -> bool:
        return not self.table.rows


# --- scales --------------------------------------------------------------------------------------


def nice_step(span: float, count: int = 4, steps: Sequence[float] | None = None) -> float:
    """A round step that cuts ``span`` into about ``count`` parts (1, 2, 5 x 10^n by default)."""
    if span <= 0:
        return 1.0
    raw = span / count
    if steps:
        return next((step for step in steps if step >= raw), steps[-1] * math.ceil(raw / steps[-1]))
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def ticks(low: float, high: float, count: int = 4, steps: Sequence[float] | None = None):
    """Round tick values covering ``[low, high]``: ``(ticks, axis_low, axis_high)``."""
    if high <= low:
        high = low + 1
    step = nice_step(high - low, count, steps)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    values = []
    value = start
    while value <= end + step / 1000:
        values.append(round(value, 10))
        value += step
    return values, start, end


def _y(value: float, low: float, high: float) -> float:
    span = (high - low) or 1
    return round(PLOT_BOTTOM - (value - low) / span * (PLOT_BOTTOM - PLOT_TOP), 1)


def _pct(value: float) -> str:
    return f"{round(value, 2)}%"


# --- SVG pieces ----------------------------------------------------------------------------------


def _open(chart_id: str, title: str, description: str, height: int = HEIGHT) -> list[str]:
    if not CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart ids are lower-case words and hyphens, not {chart_id!r}")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" height="{height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _defs(chart_id: str) -> str:
    # Diagonal hatching for bars and a square marker for points: shapes, not colour, tell.
    return (
        "<defs>"
        f'<pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="8" height="8"'
        ' patternTransform="rotate(45)">'
        f'<rect width="8" height="8" fill="#e6f0f2"/>'
        f'<line x1="0" y1="0" x2="0" y2="8" stroke="{BRAND}" stroke-width="4"/></pattern>'
        f'<g id="{chart_id}-marker"><rect x="-5" y="-5" width="10" height="10" fill="#ffffff"'
        f' stroke="{BRAND}" stroke-width="3"/></g>'
        "</defs>"
    )


def _grid(values: list[float], low: float, high: float) -> list[str]:
    parts = []
    for value in values:
        y = _y(value, low, high)
        parts.append(f'<line x1="0" x2="100%" y1="{y}" y2="{y}" stroke="{GRID}" stroke-width="1"/>')
    parts.append(
        f'<line x1="0" x2="100%" y1="{PLOT_BOTTOM}" y2="{PLOT_BOTTOM}" stroke="{INK}"'
        ' stroke-width="2"/>'
    )
    return parts


def _tick_labels(
    values: list[float], low: float, high: float, fmt: Callable[[float], str]
) -> list[str]:
    # Drawn after the data with a white halo, so a bar or a line never hides a number.
    return [
        f'<text x="2" y="{_y(value, low, high) - 4}" fill="{MUTED}" stroke="#ffffff"'
        f' stroke-width="4" paint-order="stroke" {FONT}>{escape(fmt(value))}</text>'
        for value in values
    ]


def _x_labels(labels: Sequence[str], centres: Sequence[float], every: int) -> list[str]:
    """Every ``every``-th label counting back from the last (the latest is always named).

    Every other one of those is ``x-minor``: the stylesheet hides them on a narrow screen.
    """
    parts = []
    last = len(labels) - 1
    every = 1 if len(labels) <= 6 else every
    for index, (label, x) in enumerate(zip(labels, centres, strict=True)):
        if (last - index) % every:
            continue
        minor = (last - index) // every % 2 == 1 and len(labels) > 6
        anchor = "end" if index == last and last else "middle"
        css_class = ' class="x-minor"' if minor else ""
        parts.append(
            f'<text x="{_pct(x)}" y="{LABEL_Y}" text-anchor="{anchor}" fill="{INK}" {FONT}'
            f"{css_class}>{escape(label)}</text>"
        )
    return parts


def _markup(parts: list[str]) -> Markup:
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # texts escaped, attributes numbers


# --- chart kinds -------------------------------------------------------------------------------


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    format_value: Callable[[float], str],
    table: DataTable,
    label_every: int = 4,
    steps: Sequence[float] | None = None,
) -> Chart:
    """Vertical hatched bars, one per label (weeks, say), with round gridlines."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    if not labels:
        return Chart(chart_id, title, description, table)
    grid, low, high = ticks(0, max(max(values), 0) or 1, 4, steps)
    width = 100 / len(values)
    parts = [*_open(chart_id, title, description), _defs(chart_id)]
    parts += _grid(grid, low, high)
    centres = []
    for index, value in enumerate(values):
        x = index * width
        centres.append(x + width / 2)
        if value <= 0:
            continue
        y = _y(value, low, high)
        parts.append(
            f'<rect x="{_pct(x + width * 0.15)}" width="{_pct(width * 0.7)}" y="{y}"'
            f' height="{round(PLOT_BOTTOM - y, 1)}" fill="url(#{chart_id}-hatch)"'
            f' stroke="{BRAND}" stroke-width="1.5"/>'
        )
    parts += _tick_labels(grid, low, high, format_value)
    parts += _x_labels(labels, centres, label_every)
    parts.append("</svg>")
    return Chart(chart_id, title, description, table, _markup(parts))


@dataclass(frozen=True)
class Point:
    x: float  # 0..1 across the plot
    y: float


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    *,
    x_labels: Sequence[tuple[float, str]],
    format_value: Callable[[float], str],
    table: DataTable,
    y_range: tuple[float, float] | None = None,
    step: bool = False,
    steps: Sequence[float] | None = None,
) -> Chart:
    """Points with square markers joined by lines (``step``: hold each value until the next).

    ``x`` runs from 0 (left) to 1 (right); ``x_labels`` are ``(x, text)`` pairs to print below.
    """
    if not points:
        return Chart(chart_id, title, description, table)
    values = [point.y for point in points]
    low, high = y_range if y_range is not None else (min(values), max(values))
    if y_range is None and high - low < 1e-9:
        low, high = low * 0.9, high * 1.1 or 1
    grid, low, high = ticks(low, high, 4, steps)
    if y_range is not None:
        grid = [value for value in grid if y_range[0] <= value <= y_range[1]]
        low, high = y_range

    def x_pct(x: float) -> float:
        return 2 + x * 96  # keep markers off the edges

    parts = [*_open(chart_id, title, description), _defs(chart_id)]
    parts += _grid(grid, low, high)
    ordered = sorted(points, key=lambda point: point.x)
    for before, after in zip(ordered, ordered[1:], strict=False):
        x1, x2 = _pct(x_pct(before.x)), _pct(x_pct(after.x))
        y1, y2 = _y(before.y, low, high), _y(after.y, low, high)
        if step:
            parts.append(_segment(x1, y1, x2, y1))
            parts.append(_segment(x2, y1, x2, y2))
        else:
            parts.append(_segment(x1, y1, x2, y2))
    for point in ordered:
        parts.append(
            f'<use href="#{chart_id}-marker" x="{_pct(x_pct(point.x))}"'
            f' y="{_y(point.y, low, high)}"/>'
        )
    parts += _tick_labels(grid, low, high, format_value)
    for x, text in x_labels:
        anchor = "start" if x <= 0.05 else "end" if x >= 0.95 else "middle"
        parts.append(
            f'<text x="{_pct(x_pct(x))}" y="{LABEL_Y}" text-anchor="{anchor}" fill="{INK}"'
            f" {FONT}>{escape(text)}</text>"
        )
    parts.append("</svg>")
    return Chart(chart_id, title, description, table, _markup(parts))


def _segment(x1: str, y1: float, x2: str, y2: float) -> str:
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{BRAND}" stroke-width="3"'
        ' stroke-linecap="round"/>'
    )


def row_bar_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, float]],
    *,
    format_value: Callable[[float], str],
    table: DataTable,
) -> Chart:
    """Horizontal bars, one row each: the label above its bar, the value at the bar's end.

    Labels get the full width, so long stage names fit on a phone.
    """
    if not rows:
        return Chart(chart_id, title, description, table)
    row_height = 46
    height = row_height * len(rows) + 8
    top = max((value for _, value in rows), default=0) or 1
    parts = [*_open(chart_id, title, description, height), _defs(chart_id)]
    for index, (label, value) in enumerate(rows):
        y = index * row_height + 4
        width = value / top * 85
        parts.append(f'<text x="0" y="{y + 14}" fill="{INK}" {FONT}>{escape(label)}</text>')
        parts.append(
            f'<rect x="0" y="{y + 20}" width="{_pct(max(width, 0.5))}" height="18"'
            f' fill="url(#{chart_id}-hatch)" stroke="{BRAND}" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{_pct(max(width, 0.5) + 1.5)}" y="{y + 34}" fill="{INK}" {FONT}'
            f' font-weight="bold">{escape(format_value(value))}</text>'
        )
    parts.append("</svg>")
    return Chart(chart_id, title, description, table, _markup(parts))

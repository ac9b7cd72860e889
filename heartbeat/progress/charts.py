"""Charts drawn on the server as SVG: pure functions of plain values, no Flask, no database.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``, plus the same numbers as
a table (``Chart.table``) for screen readers, for printing and for anyone who prefers numbers.
Nothing is told by colour alone: bars are hatched, lines carry square markers, axes are labelled.

The SVG has no ``viewBox``: it is as wide as its box (100%) and a fixed height, with x positions
in percent and y positions in pixels, so the plot stretches to any width while the text stays a
readable size, from a 320 px phone to a printed page. Only presentation attributes are used (no
``style``), so a strict Content-Security-Policy lets it through. The y labels sit left of the
plot, in a margin the stylesheet reserves by padding the svg (class ``y-NN``, NN px: see
``axes.margin_for``), so no label is ever drawn over a bar or a point.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

from heartbeat.progress import axes

HEIGHT = 248
PLOT_TOP = 26  # room for the top tick label and a note above the plot
PLOT_BOTTOM = 200  # x labels sit below this
LABEL_Y = 222  # days
YEAR_Y = 240  # years, when the axis crosses one
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


def _y(value: float, low: float, high: float, invert: bool = False) -> float:
    span = (high - low) or 1
    share = (value - low) / span
    return round(PLOT_BOTTOM - (1 - share if invert else share) * (PLOT_BOTTOM - PLOT_TOP), 1)


def _pct(value: float) -> str:
    return f"{round(value, 2)}%"


# --- SVG pieces ----------------------------------------------------------------------------------


def _open(
    chart_id: str, title: str, description: str, height: int = HEIGHT, margin: int | None = None
) -> list[str]:
    if not CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart ids are lower-case words and hyphens, not {chart_id!r}")
    # ``y-NN``: the stylesheet pads the svg NN px on the left, and the y labels sit in that
    # padding (x < 0, drawn because overflow is visible), never over a bar or a point.
    css_class = f"chart y-{margin}" if margin is not None else "chart"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" width="100%"'
        f' height="{height}" overflow="visible" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
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


@dataclass(frozen=True)
class _YAxis:
    scale: axes.Axis
    labels: list[str]
    low: float
    high: float
    invert: bool = False

    @property
    def margin(self) -> int:
        return axes.margin_for(self.labels)

    def y(self, value: float) -> float:
        return _y(value, self.low, self.high, self.invert)

    def grid(self) -> list[str]:
        parts = [
            f'<line x1="0" x2="100%" y1="{self.y(value)}" y2="{self.y(value)}" stroke="{GRID}"'
            ' stroke-width="1"/>'
            for value in self.scale.values
        ]
        parts.append(
            f'<line x1="0" x2="100%" y1="{PLOT_BOTTOM}" y2="{PLOT_BOTTOM}" stroke="{INK}"'
            ' stroke-width="2"/>'
        )
        return parts

    def texts(self, note: str | None = None) -> list[str]:
        # Right-aligned in the left margin, level with their gridline.
        parts = [
            f'<text x="-{axes.LABEL_GAP - 2}" y="{self.y(value) + 4.5}" text-anchor="end"'
            f' fill="{MUTED}" {FONT}>{escape(label)}</text>'
            for value, label in zip(self.scale.values, self.labels, strict=True)
        ]
        if note:
            parts.append(
                f'<text x="100%" y="12" text-anchor="end" fill="{MUTED}" {FONT}>'
                f"{escape(note)}</text>"
            )
        return parts


def _y_axis(
    scale: axes.Axis,
    format_tick: Callable[[float, int], str],
    *,
    bounds: tuple[float, float] | None = None,
    invert: bool = False,
) -> _YAxis:
    low, high = bounds if bounds is not None else (scale.low, scale.high)
    kept = tuple(value for value in scale.values if low - 1e-9 <= value <= high + 1e-9)
    scale = axes.Axis(kept, scale.step)
    return _YAxis(scale, axes.tick_labels(scale, format_tick), low, high, invert)


def _bar_labels(
    labels: Sequence[str] | Sequence[date], centres: Sequence[float], every: int
) -> list[str]:
    """Every ``every``-th label counting back from the last (the latest is always named).

    Every other one of those is minor: the stylesheet hides them on a narrow screen. Dates get
    their years on a second row (see ``axes.day_labels``).
    """
    last = len(labels) - 1
    every = 1 if len(labels) <= 6 else every
    shown = [
        (index, (last - index) // every % 2 == 1 and len(labels) > 6)
        for index in range(len(labels))
        if not (last - index) % every
    ]
    if labels and isinstance(labels[0], date):
        texts = axes.day_labels(labels, shown)  # type: ignore[arg-type]  # all dates, as the first
    else:
        texts = {
            index: [axes.XLabel(0, str(labels[index]), show=axes.WIDE if minor else axes.ALWAYS)]
            for index, minor in shown
        }
    parts = []
    for index, _ in shown:
        anchor = "end" if index == last and last else "middle"
        for label in texts[index]:
            parts.append(_x_text(_pct(centres[index]), anchor, label))
    return parts


def _x_text(x: str, anchor: str, label: axes.XLabel) -> str:
    css_class = f' class="{label.show}"' if label.show else ""
    y = YEAR_Y if label.row else LABEL_Y
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{INK}" {FONT}{css_class}>'
        f"{escape(label.text)}</text>"
    )


def _markup(parts: list[str]) -> Markup:
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # texts escaped, attributes numbers


# --- chart kinds -------------------------------------------------------------------------------


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str] | Sequence[date],
    values: Sequence[float],
    *,
    format_tick: Callable[[float, int], str],
    table: DataTable,
    label_every: int = 4,
    steps: Sequence[float] | None = None,
) -> Chart:
    """Vertical hatched bars, one per label (weeks, say), on round gridlines from zero.

    A zero draws no bar at all (its number is in the table); any value above zero is at least
    a hairline, so a small week is never mistaken for an empty one.
    """
    if len(labels) != len(values):
        raise ValueError("one value per label")
    if any(value < 0 for value in values):
        raise ValueError("bars start at zero: no negative values")
    if not labels:
        return Chart(chart_id, title, description, table)
    y_axis = _y_axis(axes.axis(0, max(values) or 1, 4, steps), format_tick)
    width = 100 / len(values)
    parts = [*_open(chart_id, title, description, margin=y_axis.margin), _defs(chart_id)]
    parts += y_axis.grid()
    centres = []
    for index, value in enumerate(values):
        x = index * width
        centres.append(x + width / 2)
        if value == 0:
            continue
        y = min(y_axis.y(value), PLOT_BOTTOM - 1)
        parts.append(
            f'<rect x="{_pct(x + width * 0.15)}" width="{_pct(width * 0.7)}" y="{y}"'
            f' height="{round(PLOT_BOTTOM - y, 1)}" fill="url(#{chart_id}-hatch)"'
            f' stroke="{BRAND}" stroke-width="1.5"/>'
        )
    parts += y_axis.texts()
    parts += _bar_labels(labels, centres, label_every)
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
    x_labels: Sequence[axes.XLabel],
    format_tick: Callable[[float, int], str],
    table: DataTable,
    y_range: tuple[float, float] | None = None,
    from_zero: bool = False,
    invert: bool = False,
    note: str | None = None,
    step: bool = False,
    steps: Sequence[float] | None = None,
    band: tuple[float, float, str] | None = None,
) -> Chart:
    """Points with square markers joined by lines (``step``: hold each value until the next).

    ``band`` (low, high, words) shades that stretch of the y axis, hatched and named: an outcome
    measure's smallest real change around its first result.

    ``x`` runs from 0 (left) to 1 (right); ``x_labels`` are printed below. The y axis is
    ``y_range`` when given (a fixed scale), else round ticks around the values (from zero with
    ``from_zero``); ``invert`` puts the lowest value at the top (a pace: less time is faster),
    and ``note`` says so above the plot.
    """
    if not points:
        return Chart(chart_id, title, description, table)
    values = [point.y for point in points]
    if y_range is not None:
        y_axis = _y_axis(axes.axis(*y_range, 4, steps), format_tick, bounds=y_range, invert=invert)
    else:
        low = 0.0 if from_zero else min(values)
        y_axis = _y_axis(axes.axis(low, max(values), 4, steps), format_tick, invert=invert)

    def x_pct(x: float) -> float:
        return 2 + x * 96  # keep markers off the edges

    parts = [*_open(chart_id, title, description, margin=y_axis.margin), _defs(chart_id)]
    parts += y_axis.grid()
    if band is not None:
        parts += _band(y_axis, *band)
    ordered = sorted(points, key=lambda point: point.x)
    for before, after in zip(ordered, ordered[1:], strict=False):
        x1, x2 = _pct(x_pct(before.x)), _pct(x_pct(after.x))
        y1, y2 = y_axis.y(before.y), y_axis.y(after.y)
        if step:
            parts.append(_segment(x1, y1, x2, y1))
            parts.append(_segment(x2, y1, x2, y2))
        else:
            parts.append(_segment(x1, y1, x2, y2))
    for point in ordered:
        parts.append(
            f'<use href="#{chart_id}-marker" x="{_pct(x_pct(point.x))}" y="{y_axis.y(point.y)}"/>'
        )
    parts += y_axis.texts(note)
    for label in x_labels:
        x = _pct(x_pct(label.x))
        anchor = "start" if label.x <= 0.05 else "end" if label.x >= 0.95 else "middle"
        if 0.05 < label.x < 0.95:  # a tick on the axis where the label's moment is
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="{PLOT_BOTTOM}" y2="{PLOT_BOTTOM + 6}"'
                f' stroke="{INK}" stroke-width="2"/>'
            )
        parts.append(_x_text(x, anchor, label))
    parts.append("</svg>")
    return Chart(chart_id, title, description, table, _markup(parts))


def _band(y_axis: _YAxis, low: float, high: float, words: str) -> list[str]:
    top = y_axis.y(min(max(high, y_axis.low), y_axis.high))
    bottom = y_axis.y(max(min(low, y_axis.high), y_axis.low))
    top, bottom = min(top, bottom), max(top, bottom)
    return [
        f'<rect x="0" width="100%" y="{top}" height="{round(bottom - top, 1)}" fill="#e6f0f2"'
        f' stroke="{MUTED}" stroke-width="1" stroke-dasharray="4 3"/>',
        f'<text x="4" y="{round(top - 4, 1)}" fill="{MUTED}" {FONT}>{escape(words)}</text>',
    ]


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

    Labels get the full width, so long stage names fit on a phone. A zero has no bar, only its
    value where the bar would start.
    """
    if not rows:
        return Chart(chart_id, title, description, table)
    row_height = 46
    height = row_height * len(rows) + 8
    top = max((value for _, value in rows), default=0) or 1
    parts = [*_open(chart_id, title, description, height), _defs(chart_id)]
    for index, (label, value) in enumerate(rows):
        y = index * row_height + 4
        width = max(value, 0) / top * 85
        parts.append(f'<text x="0" y="{y + 14}" fill="{INK}" {FONT}>{escape(label)}</text>')
        if width > 0:
            parts.append(
                f'<rect x="0" y="{y + 20}" width="{_pct(max(width, 0.5))}" height="18"'
                f' fill="url(#{chart_id}-hatch)" stroke="{BRAND}" stroke-width="1.5"/>'
            )
        value_x = _pct(max(width, 0.5) + 1.5) if width > 0 else "0"
        parts.append(
            f'<text x="{value_x}" y="{y + 34}" fill="{INK}" {FONT}'
            f' font-weight="bold">{escape(format_value(value))}</text>'
        )
    parts.append("</svg>")
    return Chart(chart_id, title, description, table, _markup(parts))

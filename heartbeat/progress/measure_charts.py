"""Outcome measures over time (``measures``), drawn with the progress charts: each measure's
totals with its smallest-real-change band around the first result, and the numbers as a table.
Shown on the participant's progress section beside weekly distance and pain."""

from __future__ import annotations

from datetime import date, tzinfo

from heartbeat.core.units import day_text
from heartbeat.measures import queries as measure_queries
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.measures.scoring import Scoring, real_change
from heartbeat.progress import axes, charts


def _text(value: float | None, measure: Measure) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}%" if measure.scoring == Scoring.PERCENT else f"{value:.1f}"


def measure_chart(
    measure: Measure, rows: list[MeasureResponse], today: date, tz: tzinfo
) -> charts.Chart:
    chart_id = f"measure-{measure.id}"
    scored = [
        (row.completed_at.astimezone(tz).date(), row.total)
        for row in rows
        if row.total is not None and row.completed_at is not None
    ]
    src = measure.smallest_real_change
    table_rows = []
    previous: float | None = None
    for day, total in scored:
        moved = real_change(previous, total, src)
        change = f"{total - previous:+.1f}" if previous is not None else "–"
        verdict = {1: "real rise", -1: "real fall"}.get(moved, "") if src else ""
        table_rows.append((day_text(day), _text(total, measure), change, verdict))
        previous = total
    table = charts.DataTable(
        caption=f"{measure.title}: each result",
        columns=("Date", "Total", "Change", "Beyond the smallest real change"),
        rows=tuple(table_rows),
    )
    if not scored:
        return charts.Chart(chart_id, measure.title, "No results yet.", table)
    first = scored[0][0]
    span = max((today - first).days, 1)
    points = [charts.Point((day - first).days / span, total) for day, total in scored]
    band = None
    if src:
        baseline = scored[0][1]
        band = (baseline - src, baseline + src, f"±{src:g} of the first result: no real change")
    latest = scored[-1][1]
    description = (
        f"Line chart of {measure.title} over time: {len(scored)} results, from"
        f" {_text(scored[0][1], measure)} on {day_text(first)} to {_text(latest, measure)} on"
        f" {day_text(scored[-1][0])}."
        + (f" The shaded band is ±{src:g} around the first result." if src else "")
    )
    return charts.line_chart(
        chart_id,
        measure.title,
        description,
        points,
        x_labels=axes.time_axis(first, today, "Today"),
        format_tick=lambda value, decimals: axes.number(value, decimals),
        table=table,
        from_zero=True,
        band=band,
    )


def measure_charts(participant_id: int, today: date, tz: tzinfo) -> list[charts.Chart]:
    """A chart per active measure with results (one query for the measures, one per measure)."""
    result = []
    for measure in measure_queries.measures_with_results(participant_id):
        rows = measure_queries.history(participant_id, measure.id)
        result.append(measure_chart(measure, rows, today, tz))
    return result

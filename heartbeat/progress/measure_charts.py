"""Outcome measures over time (``measures``), drawn with the progress charts: each measure's
totals with its smallest-real-change band around the first result, and the numbers as a table.
Shown on the participant's progress section beside weekly distance and pain."""

from __future__ import annotations

from datetime import date, tzinfo

from heartbeat.core.i18n import _, decimal_text, ngettext
from heartbeat.core.units import day_text
from heartbeat.measures import queries as measure_queries
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.measures.scoring import Scoring, real_change
from heartbeat.progress import axes, charts


def _text(value: float | None, measure: Measure) -> str:
    if value is None:
        return "–"
    if measure.scoring == Scoring.PERCENT:
        return f"{decimal_text(value, 0)}%"
    return decimal_text(value, 1)


def _signed(value: float) -> str:
    """ "+2.5" / "-1.0": a change, with its sign, in the reader's numbers."""
    text = decimal_text(abs(value), 1)
    return f"-{text}" if f"{value:+.1f}".startswith("-") else f"+{text}"


def _g(value: float) -> str:
    """``f"{value:g}"`` with the reader's decimal sign."""
    text = f"{value:g}"
    return text if "." not in text else decimal_text(value)


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
        change = _signed(total - previous) if previous is not None else "–"
        verdict = {1: _("real rise"), -1: _("real fall")}.get(moved, "") if src else ""
        table_rows.append((day_text(day), _text(total, measure), change, verdict))
        previous = total
    table = charts.DataTable(
        caption=_("%(measure)s: each result", measure=measure.title),
        columns=(_("Date"), _("Total"), _("Change"), _("Beyond the smallest real change")),
        rows=tuple(table_rows),
    )
    if not scored:
        return charts.Chart(chart_id, measure.title, _("No results yet."), table)
    first = scored[0][0]
    span = max((today - first).days, 1)
    points = [charts.Point((day - first).days / span, total) for day, total in scored]
    band = None
    if src:
        baseline = scored[0][1]
        band = (
            baseline - src,
            baseline + src,
            _("±%(change)s of the first result: no real change", change=_g(src)),
        )
    latest = scored[-1][1]
    description = ngettext(
        "Line chart of %(measure)s over time: %(num)s results, from %(first)s on %(first_day)s"
        " to %(latest)s on %(latest_day)s.",
        "Line chart of %(measure)s over time: %(num)s results, from %(first)s on %(first_day)s"
        " to %(latest)s on %(latest_day)s.",
        len(scored),
        measure=measure.title,
        first=_text(scored[0][1], measure),
        first_day=day_text(first),
        latest=_text(latest, measure),
        latest_day=day_text(scored[-1][0]),
    )
    if src:
        description += " " + _(
            "The shaded band is ±%(change)s around the first result.", change=_g(src)
        )
    return charts.line_chart(
        chart_id,
        measure.title,
        description,
        points,
        x_labels=axes.time_axis(first, today, _("Today")),
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

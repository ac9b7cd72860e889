"""A participant's charts, built from session facts: weekly distance, longest push over time,
pace trend and pain trend. Pure functions of plain values (see ``charts`` for the drawing)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta, tzinfo

from heartbeat.core.i18n import _, decimal_text, ngettext, number
from heartbeat.core.units import Units, day_text, distance_text, format_duration, to_units
from heartbeat.progress import axes, charts, rules

TREND_WEEKS = 26
PACE_MIN_M = 400.0  # shorter timed pushes say little about pace


def distance_tick(units: Units):
    """A y label for a distance: as many decimals as the ticks' step needs, and the unit."""
    return lambda value, decimals: f"{axes.number(value, decimals)} {units}"


def weekly_chart(
    chart_id: str,
    weekly: list[tuple[date, float]],
    units: Units,
    *,
    waiting: list[tuple[date, float]] | None = None,
) -> charts.Chart:
    """Every session logged each week; ``waiting`` (the part a therapist has not confirmed yet)
    is said in the words and the table."""
    values = [to_units(metres, units) for _monday, metres in weekly]
    labels = [monday for monday, _metres in weekly]
    best_index = max(range(len(values)), key=lambda i: values[i]) if values else 0
    total = sum(metres for _monday, metres in weekly)
    if total:
        best_week, best_m = weekly[best_index]
        description = ngettext(
            "Bar chart of the distance covered each week for the last %(num)s week,"
            " %(total)s in all. The biggest week was the week of %(best_week)s with"
            " %(best)s. This week so far: %(this_week)s.",
            "Bar chart of the distance covered each week for the last %(num)s weeks,"
            " %(total)s in all. The biggest week was the week of %(best_week)s with"
            " %(best)s. This week so far: %(this_week)s.",
            len(weekly),
            total=distance_text(total, units),
            best_week=day_text(best_week),
            best=distance_text(best_m, units),
            this_week=distance_text(weekly[-1][1], units),
        )
        waiting_m = sum(metres for _monday, metres in waiting or ())
        if waiting_m:
            description += " " + _(
                "It includes %(distance)s logged by the participant and waiting for a therapist"
                " to confirm.",
                distance=distance_text(waiting_m, units),
            )
    else:
        description = ngettext(
            "No distance recorded in the last %(num)s week.",
            "No distance recorded in the last %(num)s weeks.",
            len(weekly),
        )
    this_week = " " + _("(this week, so far)")
    table = charts.DataTable(
        caption=ngettext(
            "Distance per week, last %(num)s week",
            "Distance per week, last %(num)s weeks",
            len(weekly),
        ),
        columns=(_("Week starting"), _("Distance")),
        rows=tuple(
            (
                day_text(monday) + (this_week if i == len(weekly) - 1 else ""),
                distance_text(metres, units),
            )
            for i, (monday, metres) in enumerate(weekly)
        )
        if total
        else (),
    )
    if not total:
        return charts.Chart(chart_id, _("Distance per week"), description, table)
    return charts.bar_chart(
        chart_id,
        _("Distance per week"),
        description,
        labels,
        values,
        format_tick=distance_tick(units),
        table=table,
    )


def longest_push_chart(
    chart_id: str, facts: list[rules.SessionFact], units: Units, today: date, tz: tzinfo
) -> charts.Chart:
    """Each new longest push, as a step line from the first to today."""
    records: list[tuple[date, float]] = []
    best = 0.0
    for fact in sorted(facts, key=lambda f: (f.started_at, f.id)):
        if fact.record and fact.push and fact.distance_m > best:
            best = fact.distance_m
            records.append((fact.started_at.astimezone(tz).date(), fact.distance_m))
    table = charts.DataTable(
        caption=_("Each time the longest push grew"),
        columns=(_("Date"), _("Longest continuous push")),
        rows=tuple((day_text(day), distance_text(metres, units)) for day, metres in records),
    )
    if not records:
        return charts.Chart(
            chart_id, _("Longest push over time"), _("No pushes recorded yet."), table
        )
    first = records[0][0]
    span = max((today - first).days, 1)
    points = [charts.Point((day - first).days / span, to_units(m, units)) for day, m in records]
    points.append(charts.Point(1.0, to_units(best, units)))  # the record holds until today
    description = ngettext(
        "Step chart of the longest continuous push over time: %(num)s new record, from"
        " %(first)s on %(first_day)s to %(best)s on %(best_day)s.",
        "Step chart of the longest continuous push over time: %(num)s new records, from"
        " %(first)s on %(first_day)s to %(best)s on %(best_day)s.",
        len(records),
        first=distance_text(records[0][1], units),
        first_day=day_text(first),
        best=distance_text(best, units),
        best_day=day_text(records[-1][0]),
    )
    return charts.line_chart(
        chart_id,
        _("Longest push over time"),
        description,
        points,
        x_labels=axes.time_axis(first, today, _("Today")),
        format_tick=distance_tick(units),
        table=table,
        from_zero=True,  # growth from nothing, not a zoom that makes 50 m look like a leap
        step=True,
    )


def _weeks(today: date, count: int) -> list[date]:
    this_week = rules.week_start(today)
    return [this_week - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def pace_chart(
    chart_id: str, facts: list[rules.SessionFact], units: Units, today: date, tz: tzinfo
) -> charts.Chart:
    """The typical (median) pace of each week's timed pushes, faster higher up the chart.

    Pace is time per distance, so a smaller number is faster; the axis runs upside down (the
    fastest pace at the top) so that getting faster looks like going up, and the chart says so.
    """
    weeks = _weeks(today, TREND_WEEKS)
    paces: dict[date, list[float]] = defaultdict(list)
    for fact in facts:
        if not (fact.activity and fact.push and fact.time_s and fact.distance_m >= PACE_MIN_M):
            continue
        week = rules.week_start(fact.started_at.astimezone(tz).date())
        if week >= weeks[0]:
            paces[week].append(fact.time_s / to_units(fact.distance_m, units))
    medians = [
        (week, statistics.median(paces[week]), len(paces[week]))
        for week in weeks
        if paces.get(week)
    ]
    table = charts.DataTable(
        caption=_(
            "Typical pace per week, last %(weeks)s weeks (less time is faster)", weeks=TREND_WEEKS
        ),
        columns=(_("Week starting"), _("Median pace per %(unit)s", unit=units), _("Timed pushes")),
        rows=tuple(
            (day_text(week), f"{format_duration(pace)} /{units}", number(n))
            for week, pace, n in medians
        ),
    )
    title = _("Pace trend")
    if not medians:
        return charts.Chart(chart_id, title, _("No timed pushes in the last 26 weeks."), table)
    fastest = min(medians, key=lambda m: m[1])
    description = ngettext(
        "Line chart of the typical pace per %(unit)s each week over the last %(weeks)s weeks,"
        " with faster paces higher up: the axis runs from the slowest pace at the bottom to the"
        " fastest at the top. %(num)s weeks have timed pushes. Latest: %(latest)s per %(unit)s in"
        " the week of %(latest_week)s; fastest: %(fastest)s per %(unit)s.",
        "Line chart of the typical pace per %(unit)s each week over the last %(weeks)s weeks,"
        " with faster paces higher up: the axis runs from the slowest pace at the bottom to the"
        " fastest at the top. %(num)s weeks have timed pushes. Latest: %(latest)s per %(unit)s in"
        " the week of %(latest_week)s; fastest: %(fastest)s per %(unit)s.",
        len(medians),
        unit=units,
        weeks=TREND_WEEKS,
        latest=format_duration(medians[-1][1]),
        latest_week=day_text(medians[-1][0]),
        fastest=format_duration(fastest[1]),
    )
    return _weekly_line_chart(
        chart_id,
        title,
        description,
        weeks,
        medians,
        format_tick=lambda value, _decimals: f"{format_duration(value)} /{units}",
        table=table,
        steps=(5, 10, 15, 30, 60, 120, 300, 600, 900, 1800),
        invert=True,
        note=_("Faster ↑"),
    )


def pain_chart(
    chart_id: str, facts: list[rules.SessionFact], today: date, tz: tzinfo
) -> charts.Chart:
    """Average pain score (0-10) per week, self-reported sessions included: it is about safety."""
    weeks = _weeks(today, TREND_WEEKS)
    scores: dict[date, list[int]] = defaultdict(list)
    for fact in facts:
        if fact.pain is None:
            continue
        week = rules.week_start(fact.started_at.astimezone(tz).date())
        if week >= weeks[0]:
            scores[week].append(fact.pain)
    means = [
        (week, statistics.fmean(scores[week]), len(scores[week]))
        for week in weeks
        if scores.get(week)
    ]
    table = charts.DataTable(
        caption=_(
            "Average pain score per week, last %(weeks)s weeks (0 none, 10 worst)",
            weeks=TREND_WEEKS,
        ),
        columns=(_("Week starting"), _("Average pain (0 to 10)"), _("Sessions with a score")),
        rows=tuple((day_text(week), decimal_text(mean, 1), number(n)) for week, mean, n in means),
    )
    title = _("Pain trend")
    if not means:
        return charts.Chart(chart_id, title, _("No pain scores in the last 26 weeks."), table)
    highest = max(means, key=lambda m: m[1])
    description = _(
        "Line chart of the average pain score (0 none to 10 worst) each week over the last"
        " %(weeks)s weeks. Latest: %(latest)s in the week of %(latest_week)s; highest:"
        " %(highest)s in the week of %(highest_week)s.",
        weeks=TREND_WEEKS,
        latest=decimal_text(means[-1][1], 1),
        latest_week=day_text(means[-1][0]),
        highest=decimal_text(highest[1], 1),
        highest_week=day_text(highest[0]),
    )
    return _weekly_line_chart(
        chart_id,
        title,
        description,
        weeks,
        means,
        format_tick=lambda value, decimals: axes.number(value, decimals),
        table=table,
        y_range=(0, 10),
        steps=(2, 5),
    )


def _weekly_line_chart(
    chart_id: str,
    title: str,
    description: str,
    weeks: list[date],
    values: list[tuple[date, float, int]],
    **options,
) -> charts.Chart:
    """A line over the trend's weeks, one point per week that has a value, oldest on the left."""
    span = len(weeks) - 1
    points = [charts.Point(weeks.index(week) / span, value) for week, value, _n in values]
    return charts.line_chart(
        chart_id,
        title,
        description,
        points,
        x_labels=axes.time_axis(weeks[0], weeks[-1], _("This week")),
        **options,
    )

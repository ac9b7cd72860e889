"""Server-drawn SVG charts: valid XML, a title and a description, a table, no colour alone."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest

from heartbeat.progress import charts
from heartbeat.progress.rules import SessionFact
from heartbeat.progress.trends import (
    longest_push_chart,
    pace_chart,
    pain_chart,
    weekly_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2025, 6, 4)  # a Wednesday
TZ = UTC


def _parse(chart: charts.Chart) -> ET.Element:
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    return root


def _fact(session_id, days_ago, distance_m, *, time_s=None, pain=None, kind="track", **extra):
    return SessionFact(
        id=session_id,
        started_at=datetime(2025, 6, 4, 9, tzinfo=UTC) - timedelta(days=days_ago),
        kind=kind,
        distance_m=distance_m,
        duration_s=time_s,
        pain=pain,
        **extra,
    )


def _assert_accessible(chart: charts.Chart) -> ET.Element:
    root = _parse(chart)
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == chart.title
    assert desc is not None and desc.text == chart.description
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
    assert title.get("id") == f"{chart.id}-title"
    # No style attributes (a strict CSP blocks them) and no fixed viewBox scaling the text.
    assert "style=" not in str(chart.svg)
    assert root.get("width") == "100%" and root.get("viewBox") is None
    return root


def test_a_bar_chart_is_valid_svg_with_hatched_bars_and_round_gridlines():
    table = charts.DataTable("Distance", ("Week", "km"), (("a", "1"), ("b", "12")))
    chart = charts.bar_chart(
        "weekly",
        "Distance per week",
        "Two weeks.",
        ["2 Jun", "9 Jun"],
        [1.0, 12.0],
        format_tick=lambda v, d: f"{charts.axes.number(v, d)} km",
        table=table,
    )
    root = _assert_accessible(chart)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "url(#weekly-hatch)"]
    assert len(bars) == 2
    assert float(bars[1].get("height")) > float(bars[0].get("height"))
    assert root.find(f".//{SVG}pattern").get("id") == "weekly-hatch"
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "15 km" in labels and "0 km" in labels  # 0, 5, 10, 15
    assert "2 Jun" in labels and "9 Jun" in labels


def test_text_in_a_chart_is_escaped():
    chart = charts.bar_chart(
        "x",
        "A <b> & c",
        'say "hi" <script>',
        ["<w>"],
        [1.0],
        format_tick=lambda v, d: f"{v:.{d}f}",
        table=charts.DataTable("c", ("a",), (("1",),)),
    )
    root = _parse(chart)
    assert root.find(f"{SVG}title").text == "A <b> & c"
    assert root.find(f".//{SVG}script") is None


def test_an_unsafe_chart_id_is_refused():
    with pytest.raises(ValueError, match="chart ids"):
        charts.bar_chart(
            'x" onload="alert(1)',
            "t",
            "d",
            ["a"],
            [1.0],
            format_tick=lambda v, d: f"{v:.{d}f}",
            table=charts.DataTable("c", ("a",), (("1",),)),
        )


def test_nice_ticks_cover_the_range_with_round_steps():
    assert charts.axes.axis(0, 12).values == (0, 5, 10, 15)
    assert charts.axes.axis(0, 0.8).values == (0, 0.2, 0.4, 0.6, 0.8)
    scale = charts.axes.axis(250, 410, steps=(15, 30, 60))
    assert scale.low <= 250 and scale.high >= 410
    assert all(round(b - a) == 60 for a, b in zip(scale.values, scale.values[1:], strict=False))


def test_weekly_chart_has_a_table_with_every_week_and_names_the_biggest():
    weekly = [(date(2025, 5, 26), 3000.0), (date(2025, 6, 2), 12500.0)]
    chart = weekly_chart("w", weekly, "km")
    _assert_accessible(chart)
    assert chart.table.rows == (
        ("26 May 2025", "3 km"),
        ("2 Jun 2025 (this week, so far)", "12.5 km"),
    )
    assert "week of 2 Jun 2025 with 12.5 km" in chart.description
    assert chart.table.columns == ("Week starting", "Distance")


def test_weekly_chart_in_miles():
    chart = weekly_chart("w", [(date(2025, 6, 2), 16093.44)], "mi")
    assert chart.table.rows[0][1] == "10 mi"


def test_an_empty_chart_has_no_svg_but_says_why():
    chart = weekly_chart("w", [(date(2025, 6, 2), 0.0)], "km")
    assert chart.empty
    assert str(chart.svg) == ""
    assert "No distance" in chart.description


def test_longest_push_chart_steps_up_at_each_record_with_square_markers():
    facts = [
        _fact(1, 60, 400),
        _fact(2, 50, 300),  # no record
        _fact(3, 30, 1609.344),
        _fact(4, 10, 5000, kind="handcycle"),  # no push
        _fact(5, 5, 5200, counts=False),  # unverified self-report
    ]
    chart = longest_push_chart("l", facts, "km", TODAY, TZ)
    root = _assert_accessible(chart)
    assert [row[1] for row in chart.table.rows] == ["400 m", "1.6 km"]
    markers = list(root.iter(f"{SVG}use"))
    assert len(markers) == 3  # two records and today
    assert all(m.get("href") == "#l-marker" for m in markers)
    assert root.find(f".//{SVG}g[@id='l-marker']/{SVG}rect") is not None


def test_pace_chart_uses_each_weeks_median_and_says_faster_is_higher():
    facts = [
        _fact(1, 14, 1000, time_s=300),
        _fact(2, 13, 1000, time_s=360),
        _fact(3, 12, 1000, time_s=600),
        _fact(4, 1, 2000, time_s=500),
        _fact(5, 1, 200, time_s=30),  # too short to say anything about pace
    ]
    chart = pace_chart("p", facts, "km", TODAY, TZ)
    _assert_accessible(chart)
    assert chart.table.rows == (
        ("19 May 2025", "6:00 /km", "3"),
        ("2 Jun 2025", "4:10 /km", "1"),
    )
    assert "faster paces higher up" in chart.description


def test_pain_chart_averages_each_week_on_a_fixed_zero_to_ten_scale():
    facts = [
        _fact(1, 8, 0, pain=2),
        _fact(2, 7, 0, pain=5, kind="strength"),
        _fact(3, 1, 0, pain=7),
    ]
    chart = pain_chart("pain", facts, TODAY, TZ)
    root = _assert_accessible(chart)
    assert chart.table.rows == (("26 May 2025", "3.5", "2"), ("2 Jun 2025", "7.0", "1"))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "10"} <= set(labels)


def test_a_row_bar_chart_puts_each_label_above_its_bar():
    chart = charts.row_bar_chart(
        "stages",
        "Where participants are",
        "Two stages.",
        [("First push", 3), ("5K", 0)],
        format_value=lambda v: f"{v:g}",
        table=charts.DataTable("c", ("Stage", "n"), (("First push", "3"), ("5K", "0"))),
    )
    root = _assert_accessible(chart)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["First push", "3", "5K", "0"]
    # The zero row has its number but no bar, not even a sliver.
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("fill") == "url(#stages-hatch)"]) == 1
    assert root.get("height") == str(46 * 2 + 8)

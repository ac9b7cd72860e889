"""The rules every chart keeps, tried on edge cases (one point, all equal, zero, years apart,
very large and very small values): round ticks whose labels never repeat, y labels out of the
plot, the year named when a range crosses one, faster paces higher, no bar for a zero."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from heartbeat.progress import axes, charts
from heartbeat.progress.rules import SessionFact
from heartbeat.progress.trends import longest_push_chart, pace_chart, pain_chart, weekly_chart

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2025, 6, 4)
CSS = Path(__file__).resolve().parents[2] / "heartbeat" / "static" / "css" / "progress.css"


def _fact(session_id, day: date, distance_m, *, time_s=None, pain=None, kind="track"):
    return SessionFact(
        id=session_id,
        started_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        kind=kind,
        distance_m=distance_m,
        duration_s=time_s,
        pain=pain,
    )


def _root(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def _texts(chart: charts.Chart) -> list[ET.Element]:
    return list(_root(chart).iter(f"{SVG}text"))


def _y_labels(chart: charts.Chart) -> list[str]:
    """The y-axis labels: the texts right-aligned left of the plot."""
    return [t.text for t in _texts(chart) if t.get("x", "").startswith("-")]


def _assert_y_axis_is_sound(chart: charts.Chart) -> list[str]:
    root = _root(chart)
    labels = _y_labels(chart)
    assert len(labels) >= 2, labels
    assert len(set(labels)) == len(labels), f"two gridlines print the same label: {labels}"
    # Out of the plot: every y label ends left of x=0, in the margin the svg's class reserves.
    margin = int(re.fullmatch(r"chart y-(\d+)", root.get("class"))[1])
    assert all(axes.text_width(label) + axes.LABEL_GAP <= margin for label in labels)
    for text in _texts(chart):
        if text.text in labels and text.get("x", "").startswith("-"):
            assert text.get("text-anchor") == "end" and float(text.get("x")) < 0
    # Title, description and table are still there.
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").text == chart.description
    return labels


# --- ticks -----------------------------------------------------------------------------------


def _is_round(step: float) -> bool:
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    return round(mantissa, 6) in (1, 2, 5)


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (4.65, 4.72),  # the "4.7 km on two gridlines" case
        (4.7, 4.7),  # all equal
        (0, 0),  # nothing but zero
        (0, 0.0004),  # very small
        (0.000012, 0.000013),
        (0, 12_345_678),  # very large
        (99_999.5, 100_000.5),
        (3.2, 1_000),
    ],
)
def test_ticks_are_round_distinct_and_cover_the_values(low, high):
    scale = axes.axis(low, high)
    assert scale.low <= low and scale.high >= high
    assert scale.low >= 0  # these are distances: never below zero
    assert 2 <= len(scale.values) <= 7
    assert _is_round(scale.step)
    assert all(
        value / scale.step == pytest.approx(round(value / scale.step)) for value in scale.values
    )
    labels = axes.tick_labels(scale, lambda v, d: f"{axes.number(v, d)} km")
    assert len(set(labels)) == len(labels), labels


def test_tick_labels_never_repeat_whatever_the_range():
    rng = random.Random(14)
    for _ in range(2000):
        magnitude = 10 ** rng.uniform(-5, 8)
        low = rng.uniform(0, 1) * magnitude
        high = low + rng.choice([0, rng.uniform(0, 1) * magnitude * rng.choice([1e-4, 0.01, 1])])
        scale = axes.axis(low, high)
        labels = axes.tick_labels(scale, lambda v, d: axes.number(v, d))
        assert len(set(labels)) == len(labels), (low, high, labels)


def test_a_format_that_cannot_tell_ticks_apart_is_refused():
    with pytest.raises(ValueError, match="repeat"):
        axes.tick_labels(axes.axis(4.65, 4.72), lambda v, _d: f"{v:.1f} km")


def test_the_pace_steps_are_whole_seconds_or_minutes():
    scale = axes.axis(250, 410, steps=(5, 10, 15, 30, 60, 120))
    assert scale.step == 60 and scale.values == (240, 300, 360, 420)
    assert axes.axis(300, 300, steps=(5, 10, 15, 30, 60)).step == 15  # one pace: 4:30 to 5:30


def test_every_margin_the_charts_choose_is_reserved_in_the_stylesheet():
    css = CSS.read_text()
    for margin in axes.MARGINS:
        assert f"svg.chart.y-{margin} {{ padding-left: {margin}px; }}" in css


# --- charts on edge cases --------------------------------------------------------------------


def test_longest_push_with_nearly_equal_records_prints_each_gridline_once():
    facts = [_fact(1, date(2025, 3, 1), 4650), _fact(2, date(2025, 5, 1), 4720)]
    chart = longest_push_chart("l", facts, "km", TODAY, UTC)
    labels = _assert_y_axis_is_sound(chart)
    assert labels[0] == "0 km"  # the longest push grows from nothing: the axis starts at zero


def test_longest_push_with_one_record_years_ago_names_the_years():
    facts = [_fact(1, date(2009, 7, 18), 4700)]
    chart = longest_push_chart("l", facts, "km", TODAY, UTC)
    _assert_y_axis_is_sound(chart)
    x_texts = [t.text for t in _texts(chart) if not t.get("x", "").startswith("-")]
    assert x_texts[:2] == ["18 Jul", "Today"]
    assert "2009" in x_texts  # under the first day: not "18 Jul … Today" for 16 years
    assert {"2015", "2020"} <= set(x_texts)  # round years between, on the year row
    assert chart.table.rows == (("18 Jul 2009", "4.7 km"),)


def test_a_range_within_one_year_names_no_year():
    facts = [_fact(1, date(2025, 2, 1), 1000), _fact(2, date(2025, 5, 1), 2000)]
    chart = longest_push_chart("l", facts, "km", TODAY, UTC)
    assert not [t for t in _texts(chart) if re.fullmatch(r"\d{4}", t.text or "")]


def test_weekly_bars_across_new_year_name_each_year_once_at_each_width():
    mondays = [date(2024, 12, 9) + timedelta(weeks=n) for n in range(26)]
    chart = weekly_chart(
        "w", [(monday, 1000.0 * (n % 4)) for n, monday in enumerate(mondays)], "km"
    )
    _assert_y_axis_is_sound(chart)
    texts = _texts(chart)

    def years(hidden: set[str]) -> list[str]:
        return [
            t.text
            for t in texts
            if re.fullmatch(r"\d{4}", t.text or "") and t.get("class", "") not in hidden
        ]

    assert years({"x-narrow"}) == ["2024", "2025"]  # a wide screen shows the minor dates
    assert years({"x-minor"}) == ["2024", "2025"]  # a narrow one hides them


def test_weekly_zero_weeks_draw_no_bar():
    mondays = [date(2025, 4, 14) + timedelta(weeks=n) for n in range(8)]
    distances = [0.0, 5000.0, 0.0, 0.0, 40.0, 0.0, 12000.0, 0.0]
    chart = weekly_chart("w", list(zip(mondays, distances, strict=True)), "km")
    bars = [r for r in _root(chart).iter(f"{SVG}rect") if r.get("fill") == "url(#w-hatch)"]
    assert len(bars) == 3  # the 40 m week is a hairline, not nothing; zeros are nothing
    assert all(float(bar.get("height")) >= 1 for bar in bars)
    assert ("14 Apr 2025", "0 km") in chart.table.rows  # a zero is still in the table


@pytest.mark.parametrize("metres", [12_345_678_000.0, 0.3])
def test_weekly_chart_with_very_large_or_very_small_values(metres):
    mondays = [date(2025, 5, 12) + timedelta(weeks=n) for n in range(4)]
    chart = weekly_chart("w", [(monday, metres * n) for n, monday in enumerate(mondays)], "km")
    labels = _assert_y_axis_is_sound(chart)
    assert re.fullmatch(r"0(\.0+)? km", labels[0])


def test_pace_chart_puts_faster_paces_higher_and_says_so():
    facts = [
        _fact(1, date(2025, 5, 1), 1000, time_s=420),  # 7:00 /km
        _fact(2, date(2025, 6, 2), 1000, time_s=240),  # 4:00 /km, faster
    ]
    chart = pace_chart("p", facts, "km", TODAY, UTC)
    _assert_y_axis_is_sound(chart)
    by_height = sorted(
        (float(t.get("y")), t.text) for t in _texts(chart) if t.get("x", "").startswith("-")
    )
    assert by_height[0][1] == "4:00 /km" and by_height[-1][1] == "7:00 /km"  # slowest lowest
    markers = sorted(_root(chart).iter(f"{SVG}use"), key=lambda m: float(m.get("x")[:-1]))
    slow, fast = (float(m.get("y")) for m in markers)
    assert fast < slow  # SVG y grows downwards: the faster week is drawn higher
    assert "Faster ↑" in [t.text for t in _texts(chart)]
    assert "faster paces higher up" in chart.description


def test_pace_chart_with_one_week():
    chart = pace_chart("p", [_fact(1, date(2025, 6, 2), 1000, time_s=300)], "km", TODAY, UTC)
    labels = _assert_y_axis_is_sound(chart)
    assert "5:00 /km" in labels


def test_pain_chart_keeps_its_zero_to_ten_scale_with_all_zero_scores():
    facts = [_fact(1, date(2025, 6, 2), 0, pain=0), _fact(2, date(2025, 5, 26), 0, pain=0)]
    chart = pain_chart("pain", facts, TODAY, UTC)
    assert _assert_y_axis_is_sound(chart) == ["0", "5", "10"]


def test_a_bar_chart_of_zeros_alone_draws_no_bars():
    chart = charts.bar_chart(
        "z",
        "Nothing yet",
        "All zero.",
        ["a", "b"],
        [0.0, 0.0],
        format_tick=lambda v, d: axes.number(v, d),
        table=charts.DataTable("c", ("a", "b"), (("a", "0"), ("b", "0"))),
    )
    assert not [r for r in _root(chart).iter(f"{SVG}rect") if r.get("fill") == "url(#z-hatch)"]
    _assert_y_axis_is_sound(chart)

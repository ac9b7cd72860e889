"""The charts as Chromium draws them with the app's stylesheets, at a phone's and a desktop's
width: no y label over the plot (a bar, a point, a line), no two labels on top of each other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from heartbeat.progress.rules import SessionFact
from heartbeat.progress.trends import longest_push_chart, pace_chart, pain_chart, weekly_chart

pytestmark = pytest.mark.e2e

CSS = Path(__file__).resolve().parents[2] / "heartbeat" / "static" / "css"
TODAY = date(2025, 6, 4)

# Every text's box, and every drawn shape's box, in page pixels; the plot is the svg's content
# box (its left padding is the y labels' margin).
_LAYOUT_JS = """() => [...document.querySelectorAll("svg.chart")].map((svg) => {
    const box = (el) => { const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    const shown = (el) => getComputedStyle(el).display !== "none";
    const outer = svg.getBoundingClientRect();
    const pad = parseFloat(getComputedStyle(svg).paddingLeft);
    return {
        id: svg.querySelector("title").id,
        plotLeft: outer.left + pad,
        texts: [...svg.querySelectorAll("text")].filter(shown)
            .map((t) => ({text: t.textContent, ...box(t)})),
        shapes: [...svg.querySelectorAll(":scope > rect, :scope > use, :scope > line")]
            .filter((s) => s.getAttribute("stroke") !== "#c9d1d9").map(box),
    };
})"""


def _fact(session_id, day, distance_m, *, time_s=None, pain=None):
    return SessionFact(
        id=session_id,
        started_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        kind="track",
        distance_m=distance_m,
        duration_s=time_s,
        pain=pain,
    )


def _charts():
    mondays = [date(2024, 12, 9) + timedelta(weeks=n) for n in range(26)]
    facts = [
        _fact(1, date(2009, 8, 5), 400),
        _fact(2, date(2024, 12, 20), 4650, time_s=1500, pain=3),
        _fact(3, date(2025, 5, 30), 4720, time_s=1300, pain=6),
    ]
    return [
        weekly_chart("weekly", [(m, 1_234_000.0 * (n % 3)) for n, m in enumerate(mondays)], "km"),
        weekly_chart("weekly-small", [(m, 40.0 * (n % 5)) for n, m in enumerate(mondays)], "mi"),
        longest_push_chart("longest", facts, "km", TODAY, UTC),
        longest_push_chart("longest-one", facts[2:], "km", TODAY, UTC),
        pace_chart("pace", facts, "km", TODAY, UTC),
        pain_chart("pain", facts, TODAY, UTC),
    ]


def _overlap(a, b) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and (a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5)
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_chart_labels_stay_out_of_the_plot_and_off_each_other(browser, width):
    css = "".join((CSS / name).read_text() for name in ("app.css", "progress.css"))
    figures = "".join(f'<figure class="chart-figure">{c.svg}</figure>' for c in _charts())
    html = (
        f"<!doctype html><html><head><style>{css}</style></head><body><main>"
        f'<section class="card"><div class="chart-grid">{figures}</div></section>'
        "</main></body></html>"
    )
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.set_content(html)
        layouts = page.evaluate(_LAYOUT_JS)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
    assert len(layouts) == 6
    for chart in layouts:
        y_labels = [t for t in chart["texts"] if t["right"] <= chart["plotLeft"] + 0.5]
        assert len(y_labels) >= 2, chart["id"]
        for label in y_labels:
            assert label["left"] >= 0, (chart["id"], label)  # inside the page, not cut off
            for shape in chart["shapes"]:
                assert not _overlap(label, shape), (chart["id"], label, shape)
        texts = chart["texts"]
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not _overlap(a, b), (chart["id"], a["text"], b["text"])

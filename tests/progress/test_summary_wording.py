"""Progress toward the next stage reads in one unit: "0 m of 100 m", never "0 km of 100 m"."""

from __future__ import annotations

from tests.progress.test_summary import _award, _ladder, _row, _summary


def test_progress_toward_a_short_first_stage_is_in_metres_both_sides():
    stages = _ladder()
    summary = _summary(stages, [_award(1, stages[0], days_ago=10)], [], units="km")
    progress = summary.next_progress
    assert progress.threshold_m < 1000  # the first push: a short distance
    assert progress.text == f"0 m of {progress.threshold_m:.0f} m"
    assert progress.to_go == f"{progress.threshold_m:.0f} m to go"


def test_progress_in_miles_keeps_miles_both_sides():
    stages = _ladder()
    awards = [_award(i + 1, stage, days_ago=40) for i, stage in enumerate(stages[:6])]
    summary = _summary(stages, awards, [_row(1, 3, 100, time_s=60)], units="mi")
    assert summary.next_progress.text.count(" mi") == 2

"""Scoring against worked examples: WUSPI totals (plain and performance-corrected), the skills
checklist percentage, the smallest real change, and when a measure is due."""

from __future__ import annotations

from datetime import date

import pytest

from heartbeat.measures.instruments import SKILLS, WUSPI
from heartbeat.measures.scoring import SCALES, Due, Scoring, due_state, real_change, score

TEN = SCALES["0-10"]
PPF = SCALES["ppf"]


def test_wuspi_has_fifteen_items_scored_0_to_10_for_a_total_of_0_to_150():
    assert len(WUSPI.items) == 15 and WUSPI.smallest_real_change == 5.1
    assert score([0] * 15, TEN, Scoring.SUM).total == 0
    assert score([10] * 15, TEN, Scoring.SUM).total == 150


def test_a_wuspi_with_every_item_answered_is_the_plain_sum():
    answers = [2, 3, 0, 5, 4, 6, 1, 0, 0, 2, 3, 1, 0, 2, 4]  # sums to 33
    result = score(answers, TEN, Scoring.SUM)
    assert (result.total, result.raw, result.answered, result.corrected) == (33, 33, 15, False)


def test_items_not_done_are_corrected_for_as_curtis_describes():
    # 12 activities done, summing to 36; 3 not done: 36 x 15 / 12 = 45.0
    answers = [3] * 12 + [None] * 3
    result = score(answers, TEN, Scoring.SUM)
    assert (result.total, result.raw, result.not_applicable, result.corrected) == (
        45.0,
        36,
        3,
        True,
    )
    # 14 done summing to 40: 40 x 15 / 14 = 42.857... shown as 42.9
    assert score([4] * 10 + [0] * 4 + [None], TEN, Scoring.SUM).total == 42.9


def test_nothing_answered_has_no_total():
    assert score([None] * 15, TEN, Scoring.SUM).total is None


def test_an_answer_off_the_scale_is_refused():
    with pytest.raises(ValueError):
        score([11] + [0] * 14, TEN, Scoring.SUM)
    with pytest.raises(ValueError):
        score([-1] + [0] * 14, TEN, Scoring.SUM)


def test_the_skills_checklist_scores_the_percentage_of_possible_points():
    assert len(SKILLS.items) >= 10 and SKILLS.completed_by == "staff"
    # 6 pass, 2 partial, 2 fail: (12 + 2) / 20 = 70 %
    assert score([2] * 6 + [1] * 2 + [0] * 2, PPF, Scoring.PERCENT).total == 70.0
    # Not tested skills are left out: 3 passes of 3 tested = 100 %
    assert score([2, 2, 2, None, None], PPF, Scoring.PERCENT).total == 100.0


@pytest.mark.parametrize(
    ("previous", "latest", "expected"),
    [
        (40.0, 45.1, 1),  # a rise of exactly 5.1: real
        (40.0, 45.0, 0),  # 5.0: within the noise
        (40.0, 34.9, -1),  # a fall of 5.1: real
        (12.3, 17.4, 1),  # 5.1 after floating-point subtraction (5.0999...)
        (None, 50.0, 0),  # nothing to compare with
    ],
)
def test_the_smallest_real_change_of_wuspi(previous, latest, expected):
    assert real_change(previous, latest, 5.1) == expected


def test_no_threshold_means_no_real_change():
    assert real_change(10, 90, None) == 0


def test_due_every_4_weeks_and_overdue_after_6():
    enrolled = date(2026, 1, 5)
    last = date(2026, 3, 1)
    assert due_state(last, enrolled, date(2026, 3, 28), 28, 42).state == Due.NOT_YET
    assert due_state(last, enrolled, date(2026, 3, 29), 28, 42).state == Due.DUE
    assert due_state(last, enrolled, date(2026, 4, 12), 28, 42).state == Due.DUE
    assert due_state(last, enrolled, date(2026, 4, 13), 28, 42).state == Due.OVERDUE
    assert due_state(last, enrolled, date(2026, 3, 29), 28, 42).due_on == date(2026, 3, 29)


def test_never_completed_is_due_from_enrolment_and_no_schedule_is_never_due():
    enrolled = date(2026, 1, 5)
    assert due_state(None, enrolled, date(2026, 1, 6), 28, 42).state == Due.DUE
    assert due_state(None, enrolled, date(2026, 3, 1), 28, 42).state == Due.OVERDUE
    assert due_state(None, enrolled, date(2026, 3, 1), None, None).state == Due.NOT_YET

"""Matching done sessions to planned ones, and a week's compliance: the pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from heartbeat.plans import rules

MON = date(2026, 3, 2)


@dataclass
class P:
    id: int
    on: date
    kind: str = "track"
    target_distance_m: float | None = 5000.0
    target_duration_s: int | None = None


@dataclass
class D:
    id: int
    started_at: datetime
    kind: str = "track"
    distance_m: float = 5000.0
    duration_s: int | None = None


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def day(n: int) -> date:
    return MON + timedelta(days=n)


def test_a_session_on_the_planned_day_matches():
    planned = [P(1, day(0))]
    done = [D(10, at(day(0)))]
    assert rules.match(planned, done, UTC) == {1: done[0]}


def test_otherwise_the_nearest_unmatched_day_of_the_same_kind_matches():
    planned = [P(1, day(2))]
    done = [D(10, at(day(0))), D(11, at(day(3)))]
    assert rules.match(planned, done, UTC)[1].id == 11


def test_a_tie_goes_to_the_earlier_day():
    planned = [P(1, day(2))]
    done = [D(10, at(day(1))), D(11, at(day(3)))]
    assert rules.match(planned, done, UTC)[1].id == 10


def test_another_kind_never_matches():
    planned = [P(1, day(0), kind="road")]
    assert rules.match(planned, [D(10, at(day(0)))], UTC) == {}


def test_a_session_matches_at_most_one_planned_session():
    planned = [P(1, day(1)), P(2, day(2))]
    done = [D(10, at(day(1)))]
    matches = rules.match(planned, done, UTC)
    assert matches == {1: done[0]}


def test_same_day_matches_come_before_nearest_day_matches():
    # Planned Tue and Wed; done Wed only... and Thu. Wed's session belongs to Wed's plan, Tue's
    # plan takes the nearest left (Thu), even though Tue comes first in the week.
    planned = [P(1, day(1)), P(2, day(2))]
    done = [D(10, at(day(2))), D(11, at(day(3)))]
    matches = rules.match(planned, done, UTC)
    assert matches[2].id == 10 and matches[1].id == 11


def test_two_sessions_one_day_with_one_planned_the_earlier_matches_the_other_is_extra():
    planned = [P(1, day(0))]
    done = [D(11, at(day(0), 17)), D(10, at(day(0), 9))]
    week = rules.weeks_of(MON, 1, planned, done, UTC, [], day(6))[0]
    assert week.matches[1].id == 10
    assert [d.id for d in week.extra] == [11]


def test_unavailable_days_are_left_out_of_matching_and_compliance():
    planned = [P(1, day(0)), P(2, day(2))]
    done = [D(10, at(day(2)))]
    week = rules.weeks_of(MON, 1, planned, done, UTC, [day(0)], day(6))[0]
    assert week.ratio == pytest.approx(1.0) and week.counted == 1
    assert week.band.label == "On plan"


def test_compliance_is_done_over_planned_by_distance():
    planned = [P(1, day(0), target_distance_m=4000), P(2, day(2), target_distance_m=6000)]
    done = [D(10, at(day(0)), distance_m=4000), D(11, at(day(2)), distance_m=3000)]
    ratio, counted = rules.compliance(planned, rules.match(planned, done, UTC))
    assert ratio == pytest.approx(0.7) and counted == 2


def test_compliance_by_time_when_only_a_time_is_planned():
    planned = [P(1, day(0), target_distance_m=None, target_duration_s=1800)]
    done = [D(10, at(day(0)), duration_s=2700)]
    ratio, _ = rules.compliance(planned, rules.match(planned, done, UTC))
    assert ratio == pytest.approx(1.5)


def test_a_week_mixing_distance_and_time_weights_each_by_its_sessions():
    planned = [
        P(1, day(0), target_distance_m=5000),
        P(2, day(1), kind="strength", target_distance_m=None, target_duration_s=1800),
    ]
    done = [D(10, at(day(0)), distance_m=5000)]  # strength missed
    ratio, counted = rules.compliance(planned, rules.match(planned, done, UTC))
    assert counted == 2 and ratio == pytest.approx(0.5)


def test_nothing_planned_has_no_figure():
    week = rules.weeks_of(MON, 1, [], [D(10, at(day(0)))], UTC, [], day(6))[0]
    assert week.ratio is None and week.band.label == "Nothing planned yet"


def test_the_current_week_counts_only_what_was_due_by_today():
    planned = [P(1, day(0)), P(2, day(5))]
    done = [D(10, at(day(0)))]
    week = rules.weeks_of(MON, 1, planned, done, UTC, [], today=day(2))[0]
    assert week.ratio == pytest.approx(1.0) and week.counted == 1


def test_future_weeks_have_no_figure():
    planned = [P(1, day(7))]
    weeks = rules.weeks_of(MON, 2, planned, [], UTC, [], today=day(3))
    assert weeks[1].ratio is None


@pytest.mark.parametrize(
    ("ratio", "label"),
    [
        (1.0, "On plan"),
        (0.8, "On plan"),
        (1.2, "On plan"),
        (0.79, "Partly"),
        (0.5, "Partly"),
        (1.21, "Partly"),
        (1.5, "Partly"),
        (0.49, "Off plan"),
        (1.51, "Off plan"),
        (0.0, "Off plan"),
    ],
)
def test_bands(ratio, label):
    assert rules.band(ratio).label == label


def test_sessions_on_other_days_are_matched_within_the_week_only():
    planned = [P(1, day(6))]
    done = [D(10, at(day(7)))]  # next week's Monday
    weeks = rules.weeks_of(MON, 2, planned, done, UTC, [], today=day(13))
    assert weeks[0].matches == {} and weeks[0].ratio == 0.0
    assert [d.id for d in weeks[1].extra] == [10]


def test_two_missed_in_a_row_and_two_low_weeks():
    planned = [P(1, day(0)), P(2, day(2)), P(3, day(7)), P(4, day(9))]
    done = [D(10, at(day(0)))]
    weeks = rules.weeks_of(MON, 2, planned, done, UTC, [], today=day(14))
    assert rules.missed_in_a_row(weeks, day(14))
    assert not rules.low_weeks(weeks, day(14))  # week 1 was 50%, not under
    weeks = rules.weeks_of(MON, 2, planned, [], UTC, [], today=day(14))
    assert rules.low_weeks(weeks, day(14))

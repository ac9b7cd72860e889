"""The default ladder and clubs as data, and the unit helpers that show them to people."""

from __future__ import annotations

import pytest

from heartbeat.centres.models import Units as CentreUnits
from heartbeat.core.units import (
    format_distance,
    format_duration,
    format_pace,
    format_speed,
    km_to_metres,
    metres_to_km,
    metres_to_miles,
    miles_to_metres,
    pace_s_per_km,
    pace_s_per_mile,
    units_of,
)
from heartbeat.progress.ladder import (
    DEFAULT_CLUBS,
    DEFAULT_LADDER,
    DISTANCE_CLUBS_MILES,
    MARATHON_FINISH_CLUBS,
    StageSpec,
)

# --- the ladder ------------------------------------------------------------------------------


def test_default_ladder_climbs_from_chair_fitting_to_marathon_in_nine_stages():
    assert [(s.title, s.kind, s.threshold_m) for s in DEFAULT_LADDER] == [
        ("Chair fitted", "signoff", None),
        ("First push", "distance", 100.0),
        ("Steer and stop", "signoff", None),
        ("One lap", "distance", 400.0),
        ("One mile", "distance", 1609.344),
        ("5K", "distance", 5000.0),
        ("10K", "distance", 10000.0),
        ("Half marathon", "distance", 21097.5),
        ("Marathon", "distance", 42195.0),
    ]


def test_marathon_is_a_distance_stage_so_races_and_long_sessions_both_reach_it():
    marathon = DEFAULT_LADDER[-1]
    assert marathon.code == "marathon"
    assert marathon.kind == "distance"
    assert "race" in marathon.description


def test_default_ladder_codes_are_unique_slugs_and_every_stage_says_what_it_means():
    codes = [s.code for s in DEFAULT_LADDER]
    assert len(set(codes)) == len(codes)
    assert all(code == code.lower() and " " not in code for code in codes)
    assert all(s.description and s.title for s in DEFAULT_LADDER)
    assert DEFAULT_LADDER[6].description == "completed a continuous 10 km push"


def test_default_ladder_distances_only_go_up():
    thresholds = [s.threshold_m for s in DEFAULT_LADDER if s.threshold_m is not None]
    assert thresholds == sorted(thresholds)
    assert all(s.max_duration_s is None for s in DEFAULT_LADDER)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "signoff", "threshold_m": 100.0},
        {"kind": "distance", "threshold_m": None},
        {"kind": "race", "threshold_m": 0.0},
        {"kind": "distance", "threshold_m": 5000.0, "max_duration_s": 0},
        {"kind": "swim", "threshold_m": 100.0},
    ],
)
def test_stage_spec_rejects_a_criterion_that_makes_no_sense(kwargs):
    with pytest.raises(ValueError):
        StageSpec(code="x", title="X", description="x", **kwargs)


def test_clubs_are_the_heartbeat_miles_and_marathon_finish_counts():
    assert DISTANCE_CLUBS_MILES == (10, 50, 100, 250, 500, 1000)
    assert MARATHON_FINISH_CLUBS == (1, 5, 10, 25, 50)
    codes = [club.code for club in DEFAULT_CLUBS]
    assert codes[0] == "miles-10" and codes[-1] == "marathons-50"
    assert len(set(codes)) == len(codes) == 11
    assert DEFAULT_CLUBS[2].title == "100-mile club"
    assert DEFAULT_CLUBS[6].title == "Marathon finisher"


# --- units -----------------------------------------------------------------------------------


def test_unit_conversions_use_the_international_mile():
    assert miles_to_metres(1) == 1609.344
    assert metres_to_miles(1609.344) == 1.0
    assert km_to_metres(42.195) == 42195.0
    assert metres_to_km(21097.5) == 21.0975
    assert metres_to_miles(miles_to_metres(26.2)) == pytest.approx(26.2)


@pytest.mark.parametrize(
    ("metres", "units", "both", "text"),
    [
        (7200, "km", False, "7.2 km"),
        (7200, "mi", False, "4.5 mi"),
        (7200, "km", True, "7.2 km (4.5 mi)"),
        (7200, "mi", True, "4.5 mi (7.2 km)"),
        (42195, "km", True, "42.2 km (26.2 mi)"),
        (21097.5, "km", False, "21.1 km"),
        (10000, "km", False, "10.0 km"),
        (7250, "km", False, "7.3 km"),  # half up, not to even
        (400, "km", True, "400 m (0.25 mi)"),
        (100, "mi", False, "0.06 mi"),
        (999.6, "km", False, "1.0 km"),
        (1609.344, "mi", False, "1.0 mi"),
        (1_609_344, "km", True, "1,609.3 km (1,000.0 mi)"),
        (0, "km", True, "0 km (0 mi)"),
    ],
)
def test_format_distance_reads_like_people_write_it(metres, units, both, text):
    assert format_distance(metres, units, both=both) == text


def test_format_distance_refuses_negative_distances_and_unknown_units():
    with pytest.raises(ValueError):
        format_distance(-1)
    with pytest.raises(ValueError):
        format_distance(1000, "furlongs")


def test_a_centre_setting_reads_as_units_whether_text_or_enum():
    assert units_of("km") == "km"
    assert units_of(CentreUnits.MI) == "mi"
    assert type(units_of(CentreUnits.MI)) is str
    with pytest.raises(ValueError, match="furlongs"):
        units_of("furlongs")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (4667, "1:17:47"),  # Marcel Hug, Oita 2021
        (2525, "42:05"),
        (45, "0:45"),
        (0, "0:00"),
        (3600, "1:00:00"),
        (7199.6, "2:00:00"),
        (36000, "10:00:00"),
    ],
)
def test_format_duration_shows_hours_only_when_there_are_any(seconds, text):
    assert format_duration(seconds) == text


def test_format_duration_refuses_negative_time():
    with pytest.raises(ValueError):
        format_duration(-1)


def test_pace_of_the_marathon_world_best_per_km_and_per_mile():
    assert pace_s_per_km(42195, 4667) == pytest.approx(110.6, abs=0.1)
    assert pace_s_per_mile(42195, 4667) == pytest.approx(178.0, abs=0.1)
    assert format_pace(42195, 4667) == "1:51 /km"
    assert format_pace(42195, 4667, "mi") == "2:58 /mi"


def test_slow_pace_over_an_hour_per_km_still_formats():
    assert format_pace(500, 3700) == "2:03:20 /km"


@pytest.mark.parametrize(("distance_m", "duration_s"), [(0, 600), (5000, 0), (5000, None)])
def test_pace_and_speed_are_none_without_both_distance_and_time(distance_m, duration_s):
    assert format_pace(distance_m, duration_s) is None
    assert format_speed(distance_m, duration_s) is None


def test_format_speed_in_kmh_and_mph():
    assert format_speed(42195, 4667) == "32.5 km/h"
    assert format_speed(42195, 4667, "mi") == "20.2 mph"

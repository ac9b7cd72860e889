"""Reading a session from what people type: units, durations, and every bound a session keeps."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from heartbeat.training.models import PainSite, SessionKind
from heartbeat.training.parsing import parse_distance, parse_duration, read_session
from heartbeat.training.values import (
    SessionValueError,
    clean_session,
    distance_input,
    duration_input,
    same_distance_shown,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)  # 13:00 in London (BST)


def raw(**overrides) -> dict[str, str]:
    values = {
        "date": "2025-05-01",
        "time": "09:30",
        "kind": "track",
        "distance": "5.2",
        "duration": "24:10",
    }
    values.update(overrides)
    return values


def read(units: str = "km", **overrides) -> dict:
    return read_session(raw(**overrides), units=units, tz=LONDON, now=NOW, timeline=None)


def errors_of(units: str = "km", **overrides) -> dict[str, str]:
    with pytest.raises(SessionValueError) as caught:
        read(units, **overrides)
    return caught.value.field_errors


# --- units and durations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "units", "metres"),
    [
        ("5.2", "km", 5200.0),
        ("5,2", "km", 5200.0),
        ("26.2", "mi", 26.2 * 1609.344),
        ("400 m", "km", 400.0),
        ("400m", "mi", 400.0),
        ("3 km", "mi", 3000.0),
        ("2 mi", "km", 2 * 1609.344),
        ("1 mile", "km", 1609.344),
        (".5", "km", 500.0),
    ],
)
def test_distance_reads_the_centres_unit_or_the_one_typed(text, units, metres):
    assert parse_distance(text, units) == pytest.approx(metres)


@pytest.mark.parametrize("text", ["five", "5 furlongs", "1,000.5", "5..2", ""])
def test_distance_that_is_no_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_distance(text, "km")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:02:03", 3723),
        ("42:05", 2525),
        ("0:45", 45),
        ("45", 2700),
        ("1:17:47", 4667),
        ("42:05.6", 2526),
        ("100:00", 6000),
        ("25:00:00", 90000),
    ],
)
def test_duration_reads_clock_text_and_bare_minutes(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["1:75:00", "42:75", "an hour", "1:2:3:4", "-5"])
def test_duration_that_is_no_clock_is_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_input_text_round_trips_and_keeps_metre_precision():
    assert distance_input(5234.56, "km") == "5.235"
    assert distance_input(42195, "mi") == "26.219"
    assert distance_input(0, "km") == ""
    assert duration_input(4667) == "1:17:47"
    assert duration_input(2525) == "42:05"
    assert same_distance_shown(5234.56, 5235.0, "km")
    assert not same_distance_shown(5234.56, 5240.0, "km")


# --- a whole session ------------------------------------------------------------------------------


def test_a_session_reads_into_si_units_and_utc():
    clean = read(
        rpe="6",
        pain="3",
        pain_site="shoulder",
        avg_hr="120",
        max_hr="150",
        cadence="96",
        symptom_reported="yes",
        notes="  felt good  ",
    )
    # 09:30 in London in May is 08:30 UTC.
    assert clean["started_at"] == datetime(2025, 5, 1, 8, 30, tzinfo=UTC)
    assert clean["kind"] is SessionKind.TRACK
    assert clean["distance_m"] == pytest.approx(5200)
    assert clean["moving_time_s"] == 1450
    assert (clean["rpe"], clean["pain"], clean["pain_site"]) == (6, 3, PainSite.SHOULDER)
    assert (clean["avg_hr"], clean["max_hr"], clean["cadence_ppm"]) == (120, 150, 96)
    assert clean["symptom_reported"] is True
    assert clean["notes"] == "felt good"


def test_miles_centre_reads_miles():
    clean = read("mi", distance="3.1")
    assert clean["distance_m"] == pytest.approx(3.1 * 1609.344)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"distance": "-3"}, "distance", "negative"),
        ({"distance": "501", "duration": "20:00:00"}, "distance", "500 km"),
        ({"distance": "600 km", "duration": "30:00:00"}, "distance", "500 km"),
        ({"duration": "48:00:01"}, "duration", "48 hours"),
        ({"duration": "0:00"}, "duration", "more than zero"),
        ({"avg_hr": "400"}, "avg_hr", "25 and 250"),
        ({"max_hr": "20"}, "max_hr", "25 and 250"),
        ({"avg_hr": "150", "max_hr": "140"}, "max_hr", "below the average"),
        ({"rpe": "11"}, "rpe", "0 to 10"),
        ({"rpe": "-1"}, "rpe", "0 to 10"),
        ({"rpe": "5.5"}, "rpe", "whole number"),
        ({"pain": "11"}, "pain", "0 to 10"),
        ({"pain_site": "shoulder"}, "pain", "above 0"),
        ({"pain_site": "knee", "pain": "2"}, "pain_site", "where it hurt"),
        ({"cadence": "900"}, "cadence", "between 1 and 300"),
        ({"date": "2025-06-03"}, "date", "future"),
        ({"date": "2025-06-02", "time": "13:30"}, "date", "future"),
        ({"date": "2025-02-30"}, "date", "real date"),
        ({"date": ""}, "date", "Enter the date"),
        ({"time": "25:00"}, "time", "real time"),
        ({"time": ""}, "time", "start time"),
        ({"kind": ""}, "kind", "Choose the kind"),
        ({"kind": "swimming"}, "kind", "kind of session"),
        ({"event_name": "Boston"}, "event_name", "Only a race"),
        ({"official_time": "1:30:00"}, "official_time", "Only a race"),
        ({"place_in_class": "3"}, "place_in_class", "Only a race"),
        ({"kind": "race", "event_name": ""}, "event_name", "name of the race"),
        ({"kind": "race", "event_name": "Boston", "place_in_class": "0"}, "place_in_class", "1 to"),
        ({"distance": "", "duration": ""}, "distance", "the distance, the time"),
        ({"distance": "100", "duration": "1:00:00"}, "distance", "60 km/h"),
        ({"surface": "x" * 81}, "surface", "at most 80"),
        ({"symptom_reported": "maybe"}, "symptom_reported", "yes or no"),
    ],
)
def test_bad_values_get_a_message_on_their_field(overrides, field, words):
    errors = errors_of(**overrides)
    assert field in errors, errors
    assert words in errors[field]


def test_every_bad_field_is_reported_at_once():
    errors = errors_of(distance="-1", rpe="11", pain="12", avg_hr="400", date="2030-01-01")
    assert set(errors) == {"distance", "rpe", "pain", "avg_hr", "date"}


def test_a_time_earlier_today_is_not_the_future():
    clean = read(date="2025-06-02", time="12:59")  # London is at 13:00
    assert clean["started_at"] == datetime(2025, 6, 2, 11, 59, tzinfo=UTC)


def test_a_race_keeps_its_details():
    clean = read(
        kind="Race",
        event_name="City 10K",
        official_time="32:10",
        place_in_class="2",
        distance="10",
        duration="32:10",
    )
    assert clean["kind"] is SessionKind.RACE
    assert (clean["event_name"], clean["official_time_s"], clean["place_in_class"]) == (
        "City 10K",
        1930,
        2,
    )


def test_strength_with_time_only_is_fine():
    clean = read(kind="strength", distance="", duration="40:00")
    assert clean["distance_m"] == 0.0 and clean["moving_time_s"] == 2400


def test_kind_accepts_labels():
    assert read(kind="Rollers / trainer")["kind"] is SessionKind.ROLLER
    assert read(kind="Hand-cycle")["kind"] is SessionKind.HANDCYCLE


def test_started_at_iso_text_is_centre_time_unless_it_has_an_offset():
    base = {k: v for k, v in raw().items() if k not in ("date", "time")}
    local = read_session(
        {**base, "started_at": "2025-05-01T09:30"}, units="km", tz=LONDON, now=NOW, timeline=None
    )
    offset = read_session(
        {**base, "started_at": "2025-05-01T09:30+00:00"},
        units="km",
        tz=LONDON,
        now=NOW,
        timeline=None,
    )
    assert local["started_at"] == datetime(2025, 5, 1, 8, 30, tzinfo=UTC)
    assert offset["started_at"] == datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def test_a_missing_start_time_is_never_taken_as_midnight():
    with pytest.raises(SessionValueError) as blank:
        read_session(raw(time=""), units="km", tz=LONDON, now=NOW, timeline=None)
    assert blank.value.field_errors == {"time": "Enter the start time, such as 09:30."}
    base = {k: v for k, v in raw().items() if k not in ("date", "time")}
    with pytest.raises(SessionValueError) as date_only:
        read_session(
            {**base, "started_at": "2025-05-01"}, units="km", tz=LONDON, now=NOW, timeline=None
        )
    assert date_only.value.field_errors == {
        "date": "Give the start time too, such as 2025-05-01 08:30."
    }
    midnight = read_session(raw(time="00:00"), units="km", tz=LONDON, now=NOW, timeline=None)
    assert midnight["started_at"].astimezone(LONDON).time() == time(0, 0)  # said, so kept


def test_clean_session_refuses_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        clean_session({"started_at": datetime(2025, 1, 1), "kind": "track"}, now=NOW, timeline=None)

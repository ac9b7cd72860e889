"""What one device file may cost and must hold: point and time budgets, gzip, movement, speed.

Pure parsing here (no app); the same rules through the upload page and the command line are in
``test_upload_entry_points.py``.
"""

from __future__ import annotations

import gzip
import math
import struct
import time
import zlib
from datetime import UTC, datetime, timedelta

import fitdecode.utils
import pytest

from heartbeat.config import DEFAULTS
from heartbeat.training.devicefiles import (
    GZIP_DAMAGED,
    GZIP_NESTED,
    TOO_LARGE,
    ActivityFileError,
    BudgetExceeded,
    ParseLimits,
    detect_format,
    parse_activity,
)
from heartbeat.training.devicefiles.budget import ParseBudget
from heartbeat.training.imports import activity_values
from heartbeat.training.models import SessionKind
from heartbeat.training.services import SessionError
from tests.training.test_devicefiles import (
    EARTH_RADIUS_M,
    FIT_ACTIVITIES,
    GPX_ACTIVITIES,
    START,
    TCX_HEAD,
    TCX_TAIL,
    WHEELCHAIR_PUSH_RUN,
    device_file,
    fit_session,
    fit_time,
    gpx_point,
    make_fit,
    make_gpx,
    tcx_trackpoint,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)
_SEMICIRCLES = 2**31 / 180


def many_point_gpx(count: int) -> bytes:
    """One point a second, 3 m apart: a steady push of ``count`` points."""
    step = math.degrees(3.0 / EARTH_RADIUS_M)
    points = [
        gpx_point(51.0 + i * step, -1.0, when=START + timedelta(seconds=i)) for i in range(count)
    ]
    return make_gpx([[points]], sport="wheelchair")


def many_point_tcx(count: int) -> bytes:
    points = "".join(
        tcx_trackpoint(START + timedelta(seconds=i), 51.0 + i * 0.00003, -1.0) for i in range(count)
    )
    lap = f'<Lap StartTime="2024-05-01T08:00:00Z"><Track>{points}</Track></Lap>'
    return (TCX_HEAD + lap + TCX_TAIL).encode()


def many_record_fit(count: int) -> bytes:
    """A FIT activity of ``count`` records, built the way a device writes one: each message
    defined once, then its data rows (the test module's builder redefines every message)."""
    body = bytearray()
    # file_id (local 0): type activity
    body += struct.pack("<BBBHB", 0x40, 0, 0, 0, 2) + bytes([0, 1, 0x00, 4, 4, 0x86])
    body += struct.pack("<BBI", 0x00, 4, fit_time(START))
    # record (local 1): timestamp, lat, lon, distance
    body += struct.pack("<BBBHB", 0x41, 0, 0, 20, 4)
    body += bytes([253, 4, 0x86, 0, 4, 0x85, 1, 4, 0x85, 5, 4, 0x86])
    for i in range(count):
        body += struct.pack(
            "<BIiiI",
            0x01,
            fit_time(START) + i,
            round((51.0 + i * 0.00003) * _SEMICIRCLES),
            round(-1.0 * _SEMICIRCLES),
            round(i * 3.3 * 100),
        )
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fitdecode.utils.compute_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", fitdecode.utils.compute_crc(data))


# --- the point budget -----------------------------------------------------------------------------


@pytest.mark.parametrize("build", [many_point_gpx, many_point_tcx, many_record_fit])
def test_a_file_with_more_points_than_allowed_is_refused_naming_the_limit(build):
    limits = ParseLimits(max_records=1_000)
    assert parse_activity(build(1_000), limits=limits).distance_m > 0
    with pytest.raises(BudgetExceeded) as caught:
        parse_activity(build(1_001), limits=limits)
    assert str(caught.value).startswith("This file holds more than 1,000 recorded points")
    assert isinstance(caught.value, ActivityFileError)


def test_the_point_budget_stops_reading_early_not_at_the_end():
    data = many_record_fit(20_000)
    started = time.perf_counter()
    parse_activity(data)
    whole = time.perf_counter() - started
    started = time.perf_counter()
    with pytest.raises(BudgetExceeded):
        parse_activity(data, limits=ParseLimits(max_records=500))
    assert time.perf_counter() - started < whole / 4


# --- the time budget ------------------------------------------------------------------------------


def test_a_file_slower_to_read_than_allowed_is_stopped_near_the_limit():
    data = many_record_fit(30_000)  # several seconds of fitdecode on a busy machine
    started = time.perf_counter()
    with pytest.raises(BudgetExceeded) as caught:
        parse_activity(data, limits=ParseLimits(max_records=10**6, max_seconds=0.2))
    took = time.perf_counter() - started
    assert str(caught.value).startswith("Reading this file took longer than 0.2 seconds")
    assert took < 1.5, f"stopped after {took:.2f} s"


def test_the_budget_looks_at_the_clock_between_steps():
    now = [0.0]
    budget = ParseBudget(ParseLimits(max_records=10**6, max_seconds=5), clock=lambda: now[0])
    for _ in range(1_000):
        budget.point()
    now[0] = 5.5
    with pytest.raises(BudgetExceeded, match="longer than 5 seconds"):
        for _ in range(1_000):
            budget.step()
    assert budget.steps < 1_300  # noticed within one look at the clock


def test_the_settings_default_to_two_hundred_thousand_points_and_ten_seconds():
    assert DEFAULTS["HEARTBEAT_DEVICE_MAX_RECORDS"] == 200_000
    assert DEFAULTS["HEARTBEAT_DEVICE_PARSE_SECONDS"] == 10
    assert ParseLimits.from_config(DEFAULTS) == ParseLimits(200_000, 10.0)
    assert ParseLimits() == ParseLimits.from_config({})


# --- gzip -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*FIT_ACTIVITIES, *GPX_ACTIVITIES, "test.tcx"])
def test_a_gzipped_real_file_reads_as_the_file_itself(name):
    data = device_file(name)
    packed = gzip.compress(data, mtime=0)
    assert detect_format(packed) == "gzip"
    assert parse_activity(packed, name + ".gz") == parse_activity(data, name)


def test_a_gzip_bomb_is_refused_without_unpacking_it_all():
    # A gzip file may hold many members, unpacked one after another: 1 GB of spaces in 1 MB.
    megabyte = gzip.compress(b" " * (1024 * 1024), compresslevel=9)
    bomb = gzip.compress(b"<gpx>") + megabyte * 1024
    assert len(bomb) < 1100 * 1024
    started = time.perf_counter()
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(bomb, "bomb.gpx.gz")
    assert "unpacks to more than 32 MB" in str(caught.value)
    assert time.perf_counter() - started < 3


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda packed: packed[: len(packed) // 2], GZIP_DAMAGED),
        (lambda packed: packed[:-8] + b"\x00" * 8, GZIP_DAMAGED),  # wrong CRC and length
        (lambda packed: gzip.compress(packed), GZIP_NESTED),
        (lambda packed: b"\x1f\x8b" + b"\x00" * 30, GZIP_DAMAGED),
        (lambda packed: gzip.compress(b""), "This file is empty."),
    ],
    ids=["cut", "crc", "nested", "garbage", "empty"],
)
def test_damaged_or_odd_gzip_files_get_clear_messages(mangle, message):
    packed = gzip.compress(device_file("garmin-fenix-5-run.fit"))
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(mangle(packed), "run.fit.gz")
    assert str(caught.value) == message


def test_a_gzip_of_something_else_is_not_an_activity():
    with pytest.raises(ActivityFileError, match="not a GPX, TCX or FIT"):
        parse_activity(gzip.compress(b"name,distance\nAda,5\n"), "sessions.csv.gz")


def test_a_large_upload_is_refused_before_unpacking():
    data = b"\x1f\x8b" + zlib.compress(b"x") + b"\x00" * (33 * 1024 * 1024)
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(data, "huge.gz")
    assert str(caught.value) == TOO_LARGE


# --- movement and speed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "points",
    [
        [gpx_point(51.0, -1.0, when=START)],
        [gpx_point(51.0, -1.0, when=START), gpx_point(51.0, -1.0, when=START)],
        [gpx_point(51.0, -1.0), gpx_point(51.0, -1.0)],
    ],
    ids=["one-point", "same-place-same-time", "no-times"],
)
def test_a_gpx_track_without_movement_is_refused_as_nothing_to_log(points):
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(make_gpx([[points]], sport="wheelchair"), "still.gpx")
    assert str(caught.value) == (
        "This GPX file records no movement: no distance and no time, so there is nothing to log."
    )


def test_a_fit_session_of_no_distance_and_no_time_is_refused_too():
    data = make_fit(
        sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN, distance_m=0, timer_s=0, elapsed_s=0)]
    )
    with pytest.raises(ActivityFileError, match="FIT file records no movement"):
        parse_activity(data, "zero.fit")


def test_a_still_track_with_time_is_still_a_session_of_time():
    """Standing still for ten minutes is a session of time (on rollers, say), not nothing."""
    points = [
        gpx_point(51.0, -1.0, when=START),
        gpx_point(51.0, -1.0, when=START + timedelta(minutes=10)),
    ]
    activity = parse_activity(make_gpx([[points]], sport="wheelchair"), "rollers.gpx")
    assert (activity.distance_m, activity.elapsed_time_s) == (0, 600)


@pytest.mark.parametrize(
    ("timer_s", "elapsed_s", "took"),
    [(0.001, 0.001, "under a second"), (60, 60, "1:00"), (0.001, 600, "10:00")],
)
def test_a_marathon_in_no_time_breaks_the_forms_speed_rule(timer_s, elapsed_s, took):
    data = make_fit(
        sessions=[
            fit_session(
                sport=WHEELCHAIR_PUSH_RUN, distance_m=42_195, timer_s=timer_s, elapsed_s=elapsed_s
            )
        ]
    )
    activity = parse_activity(data, "marathon.fit")
    with pytest.raises(SessionError) as caught:
        activity_values(activity, SessionKind.ROAD, now=NOW)
    assert f"It records 42.2 km in {took}, faster than 60 km/h on average" in str(caught.value)


def test_a_fast_but_possible_file_is_saved():
    data = make_fit(
        sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN, distance_m=42_195, timer_s=3600 * 1.4)]
    )
    values = activity_values(parse_activity(data, "fast.fit"), SessionKind.ROAD, now=NOW)
    assert values["distance_m"] == 42_195


def test_a_distance_without_any_time_is_kept_as_the_form_allows():
    points = [gpx_point(51.0, -1.0), gpx_point(51.01, -1.0)]
    activity = parse_activity(make_gpx([[points]], sport="wheelchair"), "untimed.gpx")
    assert activity.moving_time_s is None and activity.elapsed_time_s is None
    assert activity.started_at is None  # refused for having no date, not for its speed
    with pytest.raises(SessionError, match="records no times"):
        activity_values(activity, SessionKind.ROAD, now=NOW)

"""Reading GPX, TCX and FIT activity files.

Expected figures for the real device files in shared/ are computed here with the parsers
themselves (fitdecode, gpxpy, ElementTree), never copied from this module's output. The other
files are built by the tests from known coordinates and values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import os
import random
import struct
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import fitdecode
import fitdecode.utils
import gpxpy
import pytest

from heartbeat.training.devicefiles import (
    EMPTY_FILE,
    FIT_COURSE,
    FIT_DAMAGED,
    GPX_NO_POINTS,
    NOT_AN_ACTIVITY,
    ROUTE_POINTS,
    SPORTS,
    TCX_NO_ACTIVITY,
    XML_DOCTYPE,
    ActivityFileError,
    ParsedActivity,
    parse_activity,
)

# Copies of shared/data/device-files live beside the tests (see data/SOURCES.md for licences).
DEVICE_FILES = Path(
    os.environ.get("HEARTBEAT_DEVICE_FILES", Path(__file__).resolve().parent / "data")
)
FIT_ACTIVITIES = ["garmin-fenix-5-run.fit", "activity-small-fenix2-run.fit", "sample-activity.fit"]
GPX_ACTIVITIES = ["cerknicko-jezero.gpx", "korita-zbevnica.gpx", "track-with-empty-segment.gpx"]
START = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
EARTH_RADIUS_M = 6_371_008.8


def device_file(name: str) -> bytes:
    path = DEVICE_FILES / name
    if not path.is_file():
        reason = (
            f"device file {path} is missing: the tests expect tests/training/data, or "
            "HEARTBEAT_DEVICE_FILES pointing at a folder of the same files"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path.read_bytes()


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def close(actual: float | None, expected: float, rel: float = 0.01) -> bool:
    return actual is not None and actual == pytest.approx(expected, rel=rel, abs=0.5)


# ------------------------------------------------------------------------------ file builders

GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="tests" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
)


def gpx_point(lat: float, lon: float, *, ele=None, when=None, hr=None) -> str:
    parts = [f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}">']
    if ele is not None:
        parts.append(f"<ele>{ele:.1f}</ele>")
    if when is not None:
        parts.append(f"<time>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>")
    if hr is not None:
        parts.append(
            "<extensions><gpxtpx:TrackPointExtension>"
            f"<gpxtpx:hr>{hr}</gpxtpx:hr>"
            "</gpxtpx:TrackPointExtension></extensions>"
        )
    parts.append("</trkpt>")
    return "".join(parts)


def make_gpx(tracks: Sequence[Sequence[Sequence[str]]], *, sport: str | None = None) -> bytes:
    """A GPX file from tracks -> segments -> already rendered ``<trkpt>`` strings."""
    body = []
    for segments in tracks:
        body.append("<trk><name>test</name>")
        if sport:
            body.append(f"<type>{sport}</type>")
        for points in segments:
            body.append("<trkseg>" + "\n".join(points) + "</trkseg>")
        body.append("</trk>")
    return (GPX_HEAD + "\n".join(body) + "\n</gpx>\n").encode()


def make_marathon_gpx(speed_m_s: float = 5.0) -> bytes:
    """42.195 km, one point a second, with elevation and heart rate (about 8,440 points)."""
    step_deg = math.degrees(speed_m_s / EARTH_RADIUS_M)
    count = math.ceil(42_195 / speed_m_s) + 1
    points = [
        gpx_point(
            51.0 + i * step_deg,
            -1.0,
            ele=20 + 5 * math.sin(i / 300),
            when=START + timedelta(seconds=i),
            hr=140 + i % 20,
        )
        for i in range(count)
    ]
    return make_gpx([[points]])


FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
_FIT_TYPES = {
    "enum": (0x00, "B"),
    "uint8": (0x02, "B"),
    "uint16": (0x84, "H"),
    "sint32": (0x85, "i"),
    "uint32": (0x86, "I"),
}
_SEMICIRCLES = 2**31 / 180


def fit_bytes(messages: Sequence[tuple[int, Sequence[tuple[int, str, int]]]]) -> bytes:
    """A FIT file from ``(global message number, [(field number, type, raw value)])``."""
    body = b""
    for global_num, fields in messages:
        body += struct.pack("<BBBHB", 0x40, 0, 0, global_num, len(fields))
        for number, type_name, _ in fields:
            base, fmt = _FIT_TYPES[type_name]
            body += struct.pack("<BBB", number, struct.calcsize(fmt), base)
        body += b"\x00" + b"".join(struct.pack("<" + _FIT_TYPES[t][1], v) for _, t, v in fields)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fitdecode.utils.compute_crc(header))
    data = header + body
    return data + struct.pack("<H", fitdecode.utils.compute_crc(data))


def fit_time(when: datetime) -> int:
    return int((when - FIT_EPOCH).total_seconds())


def fit_session(
    *,
    sport: int,
    sub_sport: int = 0,
    distance_m: float = 5000.0,
    timer_s: float = 1500.0,
    elapsed_s: float = 1600.0,
    avg_hr: int = 150,
    max_hr: int = 175,
    ascent: int = 12,
    start: datetime = START,
):
    return (
        18,
        [
            (253, "uint32", fit_time(start + timedelta(seconds=elapsed_s))),
            (2, "uint32", fit_time(start)),
            (7, "uint32", round(elapsed_s * 1000)),
            (8, "uint32", round(timer_s * 1000)),
            (9, "uint32", round(distance_m * 100)),
            (5, "enum", sport),
            (6, "enum", sub_sport),
            (16, "uint8", avg_hr),
            (17, "uint8", max_hr),
            (22, "uint16", ascent),
        ],
    )


def fit_record(when: datetime, *, lat=None, lon=None, distance_m=None, hr=None, alt=None):
    fields = [(253, "uint32", fit_time(when))]
    if lat is not None:
        fields += [
            (0, "sint32", round(lat * _SEMICIRCLES)),
            (1, "sint32", round(lon * _SEMICIRCLES)),
        ]
    if distance_m is not None:
        fields.append((5, "uint32", round(distance_m * 100)))
    if hr is not None:
        fields.append((3, "uint8", hr))
    if alt is not None:
        fields.append((2, "uint16", round((alt + 500) * 5)))
    return (20, fields)


def make_fit(*, file_type: int = 4, sessions=(), records=()) -> bytes:
    file_id = (0, [(0, "enum", file_type), (1, "uint16", 1), (4, "uint32", fit_time(START))])
    return fit_bytes([file_id, *records, *sessions])


def outdoor_records(count: int = 5):
    return [
        fit_record(
            START + timedelta(seconds=10 * i), lat=51.0 + i * 0.0005, lon=-1.0, distance_m=55.0 * i
        )
        for i in range(count)
    ]


# ---------------------------------------------------------------------- independent readings


def fit_expectation(data: bytes) -> dict:
    sessions, record_hr, has_gps = [], [], False
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "session":
                sessions.append(frame)
            elif frame.name == "record":
                if frame.get_value("heart_rate", fallback=None):
                    record_hr.append(frame.get_value("heart_rate"))
                if frame.get_value("position_lat", fallback=None) is not None:
                    has_gps = True
    assert sessions, "every shared FIT activity has a session message"
    session_hr = [s.get_value("avg_heart_rate", fallback=None) for s in sessions]
    return {
        "distance_m": sum(s.get_value("total_distance") for s in sessions),
        "moving_time_s": sum(s.get_value("total_timer_time") for s in sessions),
        "elapsed_time_s": sum(s.get_value("total_elapsed_time") for s in sessions),
        "avg_hr": session_hr[0] if session_hr[0] else sum(record_hr) / len(record_hr),
        "started_at": sessions[0].get_value("start_time"),
        "sport": sessions[0].get_value("sport"),
        "has_gps": has_gps,
    }


def gpx_expectation(data: bytes) -> dict:
    gpx = gpxpy.parse(data.decode("utf-8"))
    start, end = gpx.get_time_bounds()
    return {
        "distance_2d": sum(track.length_2d() for track in gpx.tracks),
        "distance_3d": sum(track.length_3d() for track in gpx.tracks),
        "moving_time_s": gpx.get_moving_data().moving_time,
        "elapsed_time_s": (end - start).total_seconds(),
        "started_at": start,
        "uphill": gpx.get_uphill_downhill().uphill,
    }


def tcx_expectation(data: bytes) -> dict:
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    laps = ET.fromstring(data).findall("t:Activities/t:Activity/t:Lap", ns)
    seconds = [float(lap.findtext("t:TotalTimeSeconds", namespaces=ns)) for lap in laps]
    avg = [int(lap.findtext("t:AverageHeartRateBpm/t:Value", namespaces=ns)) for lap in laps]
    return {
        "laps": len(laps),
        "distance_m": sum(float(lap.findtext("t:DistanceMeters", namespaces=ns)) for lap in laps),
        "moving_time_s": sum(seconds),
        "avg_hr": sum(h * s for h, s in zip(avg, seconds, strict=True)) / sum(seconds),
        "max_hr": max(
            int(lap.findtext("t:MaximumHeartRateBpm/t:Value", namespaces=ns)) for lap in laps
        ),
        "started_at": datetime.fromisoformat(laps[0].get("StartTime")),
    }


def assert_well_formed(activity: ParsedActivity, source_format: str) -> None:
    assert activity.sport in SPORTS
    assert activity.source_format == source_format
    assert activity.started_at is None or activity.started_at.utcoffset() == timedelta(0)
    assert len(activity.route) <= ROUTE_POINTS
    assert activity.has_gps == bool(activity.route)
    for lat, lon in activity.route:
        assert -90 <= lat <= 90 and -180 <= lon <= 180
    if activity.moving_time_s is not None and activity.elapsed_time_s is not None:
        assert activity.moving_time_s <= activity.elapsed_time_s
    json.dumps(activity.to_json_dict(include_route=True))


# ------------------------------------------------------------------------- shared device files


@pytest.mark.parametrize("name", FIT_ACTIVITIES)
def test_shared_fit_activities_match_fitdecode_session_totals(name):
    data = device_file(name)
    expected = fit_expectation(data)

    activity = parse_activity(data, name)

    print(
        f"\n{name}: sport={activity.sport} distance_m={activity.distance_m} "
        f"moving_time_s={activity.moving_time_s} avg_hr={activity.avg_hr}  |  fitdecode: "
        f"sport={expected['sport']} distance_m={expected['distance_m']} "
        f"moving_time_s={expected['moving_time_s']} avg_hr={expected['avg_hr']:.1f}"
    )
    assert_well_formed(activity, "fit")
    assert close(activity.distance_m, expected["distance_m"])
    assert close(activity.moving_time_s, expected["moving_time_s"])
    assert close(activity.elapsed_time_s, expected["elapsed_time_s"])
    assert activity.avg_hr == pytest.approx(expected["avg_hr"], abs=1)
    assert activity.started_at == expected["started_at"]
    assert activity.has_gps is expected["has_gps"]
    assert activity.device_totals_used is True
    # Runs and an ordinary ride are none of the wheelchair or handcycle sports.
    assert expected["sport"] in ("running", "cycling")
    assert activity.sport == "other"


@pytest.mark.parametrize("name", GPX_ACTIVITIES)
def test_shared_gpx_tracks_match_gpxpy(name):
    data = device_file(name)
    expected = gpx_expectation(data)

    activity = parse_activity(data, name)

    print(
        f"\n{name}: sport={activity.sport} distance_m={activity.distance_m} "
        f"moving_time_s={activity.moving_time_s} avg_hr={activity.avg_hr}  |  gpxpy: "
        f"length_2d={expected['distance_2d']:.2f} length_3d={expected['distance_3d']:.2f} "
        f"moving_time={expected['moving_time_s']}"
    )
    assert_well_formed(activity, "gpx")
    assert close(activity.distance_m, expected["distance_2d"])
    assert close(activity.moving_time_s, expected["moving_time_s"])
    assert close(activity.elapsed_time_s, expected["elapsed_time_s"])
    assert close(activity.elevation_gain_m, expected["uphill"])
    assert activity.started_at == expected["started_at"]
    assert activity.has_gps is True
    assert activity.device_totals_used is False
    assert activity.avg_hr is None and activity.max_hr is None  # none of them records HR


def test_gpx_with_points_missing_times_imports_whole():
    data = device_file("korita-zbevnica.gpx")
    gpx = gpxpy.parse(data.decode())
    points = [p for t in gpx.tracks for s in t.segments for p in s.points]
    assert any(p.time is None for p in points) and any(p.time for p in points)

    activity = parse_activity(data, "korita-zbevnica.gpx")

    assert close(activity.distance_m, sum(t.length_2d() for t in gpx.tracks))
    assert activity.elapsed_time_s is not None and activity.moving_time_s is not None


def test_shared_tcx_uses_lap_totals():
    data = device_file("test.tcx")
    expected = tcx_expectation(data)
    assert expected["laps"] == 3

    activity = parse_activity(data, "test.tcx")

    print(
        f"\ntest.tcx: sport={activity.sport} distance_m={activity.distance_m} "
        f"moving_time_s={activity.moving_time_s} avg_hr={activity.avg_hr}  |  ElementTree laps: "
        f"distance_m={expected['distance_m']:.2f} moving_time_s={expected['moving_time_s']:.2f} "
        f"avg_hr={expected['avg_hr']:.1f}"
    )
    assert_well_formed(activity, "tcx")
    assert close(activity.distance_m, expected["distance_m"])
    assert close(activity.moving_time_s, expected["moving_time_s"])
    assert activity.avg_hr == pytest.approx(expected["avg_hr"], abs=1)
    assert activity.max_hr == expected["max_hr"]
    assert activity.started_at == expected["started_at"]
    assert activity.device_totals_used is True
    assert activity.has_gps is True
    assert activity.sport == "other"  # a TCX "Running" activity


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Settings.fit", "This FIT file holds no activity (it contains device settings)."),
        ("invalid_activity-unexpected-eof.fit", FIT_DAMAGED),
        ("invalid_activity-settings-corruptheader.fit", FIT_DAMAGED),
        ("route.gpx", GPX_NO_POINTS),
        ("unicode.gpx", GPX_NO_POINTS),
    ],
)
def test_shared_files_without_an_activity_are_refused(name, message):
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(device_file(name), name)
    assert str(caught.value) == message


def test_format_comes_from_content_not_name():
    fit = device_file("garmin-fenix-5-run.fit")
    gpx = device_file("cerknicko-jezero.gpx")
    tcx = device_file("test.tcx")
    assert parse_activity(fit, "walk.gpx").source_format == "fit"
    assert parse_activity(gpx, "walk.fit").source_format == "gpx"
    assert parse_activity(tcx, "walk").source_format == "tcx"


def test_route_is_downsampled_preview_in_order():
    data = device_file("sample-activity.fit")
    activity = parse_activity(data, "sample-activity.fit")
    assert 100 < len(activity.route) <= ROUTE_POINTS
    positions = []
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                lat = frame.get_value("position_lat", fallback=None)
                lon = frame.get_value("position_long", fallback=None)
                if lat is not None and lon is not None:
                    positions.append((lat * 180 / 2**31, lon * 180 / 2**31))
    assert activity.route[0] == pytest.approx(positions[0], abs=1e-5)
    assert activity.route[-1] == pytest.approx(positions[-1], abs=1e-5)


def test_fingerprint_is_sha256_stable_and_distinct():
    fenix5 = device_file("garmin-fenix-5-run.fit")
    fenix2 = device_file("activity-small-fenix2-run.fit")
    first = parse_activity(fenix5, "a.fit")
    again = parse_activity(bytes(fenix5), "renamed.fit")
    other = parse_activity(fenix2, "a.fit")
    assert first.fingerprint == again.fingerprint == hashlib.sha256(fenix5).hexdigest()
    assert other.fingerprint != first.fingerprint
    gpx = make_gpx([[[gpx_point(51.0, -1.0), gpx_point(51.001, -1.0)]]])
    assert parse_activity(gpx, "x.gpx").fingerprint != parse_activity(gpx + b"\n", "x").fingerprint


# ------------------------------------------------------------------------------ GPX built here


def test_gpx_two_tracks_with_empty_segment_sum_every_segment():
    seg_a = [(51.5000, -0.1200), (51.5030, -0.1200), (51.5030, -0.1150)]
    seg_b = [(51.6000, -0.2000), (51.6000, -0.2100)]
    t = START
    track_one = [
        [
            gpx_point(*p, ele=10 + i, when=t + timedelta(seconds=60 * i))
            for i, p in enumerate(seg_a)
        ],
        [],
    ]
    later = t + timedelta(hours=1)
    track_two = [
        [gpx_point(*p, when=later + timedelta(seconds=60 * i)) for i, p in enumerate(seg_b)]
    ]
    expected = sum(haversine(a, b) for seg in (seg_a, seg_b) for a, b in pairwise(seg))

    activity = parse_activity(make_gpx([track_one, track_two]), "two.gpx")

    assert close(activity.distance_m, expected)
    assert activity.started_at == START
    assert activity.elapsed_time_s == 3600 + 60
    # Only the minutes spent moving count, not the hour between the tracks.
    assert activity.moving_time_s == pytest.approx(3 * 60, abs=1)
    assert activity.elevation_gain_m == pytest.approx(2, abs=0.5)
    assert activity.route[0] == seg_a[0] and activity.route[-1] == seg_b[-1]
    assert len(activity.route) == 5


def test_gpx_heart_rate_from_garmin_extension():
    points = [
        gpx_point(51.0 + i * 0.0001, -1.0, when=START + timedelta(seconds=i), hr=hr)
        for i, hr in enumerate([120, 130, 140, 170])
    ]
    activity = parse_activity(make_gpx([[points]]), "hr.gpx")
    assert activity.avg_hr == 140
    assert activity.max_hr == 170


def test_gpx_times_with_offsets_become_utc():
    body = (
        GPX_HEAD
        + '<trk><trkseg><trkpt lat="51.0" lon="-1.0"><time>2024-05-01T10:00:00+02:00</time>'
        + '</trkpt><trkpt lat="51.001" lon="-1.0"><time>2024-05-01T10:01:00.500+02:00</time>'
        + "</trkpt></trkseg></trk></gpx>"
    )
    activity = parse_activity(body.encode(), "offset.gpx")
    assert activity.started_at == START
    assert activity.started_at.tzinfo == UTC
    assert activity.to_json_dict()["started_at"] == "2024-05-01T08:00:00+00:00"


def test_gpx_without_any_time_has_no_start_or_durations():
    points = [gpx_point(51.0, -1.0), gpx_point(51.001, -1.0)]
    activity = parse_activity(make_gpx([[points]]), "drawn.gpx")
    assert activity.started_at is None
    assert activity.moving_time_s is None and activity.elapsed_time_s is None
    assert close(activity.distance_m, haversine((51.0, -1.0), (51.001, -1.0)))


def test_gpx_in_latin1_with_bom_and_blank_lines_is_read():
    latin = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        "<trk><name>Cerknica é</name><trkseg>"
        '<trkpt lat="51.0" lon="-1.0"/><trkpt lat="51.001" lon="-1.0"/></trkseg></trk></gpx>'
    ).encode("latin-1")
    assert parse_activity(latin, "latin.gpx").distance_m > 100
    utf8 = make_gpx([[[gpx_point(51.0, -1.0), gpx_point(51.001, -1.0)]]])
    assert parse_activity(b"\xef\xbb\xbf" + utf8, "bom.gpx").distance_m > 100
    assert parse_activity(b"\n\n  " + utf8, "blank.gpx").distance_m > 100


def test_gpx_sport_from_track_type():
    points = [gpx_point(51.0, -1.0), gpx_point(51.001, -1.0)]
    assert parse_activity(make_gpx([[points]], sport="wheelchair"), "a.gpx").sport == "road"
    assert parse_activity(make_gpx([[points]], sport="Handcycling"), "a.gpx").sport == "handcycle"
    assert parse_activity(make_gpx([[points]], sport="running"), "a.gpx").sport == "other"


@pytest.mark.parametrize(
    "body",
    [
        GPX_HEAD + "</gpx>",
        GPX_HEAD + "<trk><name>x</name></trk></gpx>",
        GPX_HEAD + "<trk><trkseg></trkseg><trkseg/></trk></gpx>",
        GPX_HEAD + '<wpt lat="51.0" lon="-1.0"><name>cafe</name></wpt></gpx>',
        GPX_HEAD + '<rte><rtept lat="51.0" lon="-1.0"/><rtept lat="51.1" lon="-1.0"/></rte></gpx>',
    ],
    ids=["empty", "track-without-segments", "empty-segments", "waypoints", "route"],
)
def test_gpx_without_track_points_is_refused(body):
    with pytest.raises(ActivityFileError, match="no track points"):
        parse_activity(body.encode(), "nothing.gpx")


@pytest.mark.slow  # a 1.7 MB file
def test_marathon_gpx_parses_fast():
    data = make_marathon_gpx()
    assert data.count(b"<trkpt") > 8400

    started = time.perf_counter()
    activity = parse_activity(data, "marathon.gpx")
    elapsed = time.perf_counter() - started

    print(
        f"\nmarathon GPX: {len(data) / 1e6:.2f} MB, {data.count(b'<trkpt')} points, "
        f"parsed in {elapsed * 1000:.0f} ms"
    )
    assert close(activity.distance_m, 42_195)
    assert activity.moving_time_s == pytest.approx(42_195 / 5, abs=2)
    assert activity.avg_hr == pytest.approx(149.5, abs=1)
    assert activity.max_hr == 159
    assert len(activity.route) == ROUTE_POINTS
    assert elapsed < 2.0, "only catches disasters; expect well under 0.3 s"


# --------------------------------------------------------------------------- hostile XML files

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&lol9;</name>'
    '<trkseg><trkpt lat="51.0" lon="-1.0"/></trkseg></trk></gpx>'
)


def test_entity_bomb_is_refused_quickly_without_expanding():
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ActivityFileError) as caught:
            parse_activity(BOMB.encode(), "bomb.gpx")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == XML_DOCTYPE
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024  # a billion laughs would need gigabytes


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-MARKER")
    return path


def external_entity_documents(secret: Path) -> dict[str, str]:
    url = secret.as_uri()
    return {
        "gpx-system-entity": (
            f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "{url}">]>'
            '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&xxe;</name>'
            '<trkseg><trkpt lat="51.0" lon="-1.0"/></trkseg></trk></gpx>'
        ),
        "gpx-etc-passwd": (
            '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<gpx version="1.1"><trk><name>&xxe;</name><trkseg><trkpt lat="1" lon="1"/>'
            "</trkseg></trk></gpx>"
        ),
        "gpx-external-dtd": (
            f'<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "{url}">'
            '<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="1"/></trkseg></trk></gpx>'
        ),
        "gpx-parameter-entity": (
            f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY % p SYSTEM "{url}"> %p;]>'
            '<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="1"/></trkseg></trk></gpx>'
        ),
        "tcx-system-entity": (
            '<?xml version="1.0"?><!DOCTYPE TrainingCenterDatabase '
            f'[<!ENTITY xxe SYSTEM "{url}">]>'
            '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
            'TrainingCenterDatabase/v2"><Activities><Activity Sport="Other"><Id>&xxe;</Id>'
            '<Lap StartTime="2024-05-01T08:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>'
            "<DistanceMeters>100</DistanceMeters></Lap></Activity></Activities>"
            "</TrainingCenterDatabase>"
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "gpx-system-entity",
        "gpx-etc-passwd",
        "gpx-external-dtd",
        "gpx-parameter-entity",
        "tcx-system-entity",
    ],
)
def test_external_entities_are_refused_without_reading_files(kind, secret_file, monkeypatch):
    opened: list[str] = []
    real_open = open

    def spy_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy_open)
    document = external_entity_documents(secret_file)[kind]

    with pytest.raises(ActivityFileError) as caught:
        parse_activity(document.encode(), f"{kind}.xml")

    assert str(caught.value) == XML_DOCTYPE
    assert "TOP-SECRET" not in repr(caught.value) and "root:" not in repr(caught.value)
    assert not any("secret" in name or "passwd" in name for name in opened)


def test_doctype_without_entities_is_refused_too():
    body = GPX_HEAD.replace("<gpx", "<!DOCTYPE gpx>\n<gpx", 1) + "</gpx>"
    with pytest.raises(ActivityFileError, match="DOCTYPE"):
        parse_activity(body.encode(), "doctype.gpx")


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><head><title>Strava</title><meta charset=utf-8></head>"
        b"<body><p>Log in</p></body></html>",
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Not found</p></body></html>',
        b"<html><body><p>Log in<br></body></html>",
    ],
    ids=["html5", "xhtml", "broken-html"],
)
def test_html_page_named_tcx_is_not_an_activity(page):
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(page, "activity.tcx")
    assert str(caught.value) == NOT_AN_ACTIVITY


# ------------------------------------------------------------------------- broken or odd files


def test_empty_file():
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(b"", "empty.fit")
    assert str(caught.value) == EMPTY_FILE


def test_random_bytes_named_fit():
    data = random.Random(7).randbytes(4096)
    assert data[8:12] != b".FIT"
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(data, "random.fit")
    assert str(caught.value) == NOT_AN_ACTIVITY


@pytest.mark.parametrize(
    "data",
    [b"<kml><Document/></kml>", b"just some text", b"PK\x03\x04zipfile", b"<gpx"],
    ids=["kml", "text", "zip", "bare-tag"],
)
def test_other_content_is_not_an_activity(data):
    with pytest.raises(ActivityFileError):
        parse_activity(data, "file.gpx")


def test_fit_signature_with_garbage_is_damaged():
    data = b"\x0e\x20\x54\x08\xff\xff\x00\x00.FIT\x00\x00" + b"\x99" * 40
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(data, "fake.fit")
    assert str(caught.value) == FIT_DAMAGED


@pytest.mark.parametrize("keep", [12, 14, 100, 0.5, -2, -1])
def test_truncated_fit_is_damaged(keep):
    data = device_file("garmin-fenix-5-run.fit")
    cut = data[: int(len(data) * keep)] if isinstance(keep, float) else data[:keep]
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(cut, "cut.fit")
    assert str(caught.value) in (FIT_DAMAGED, NOT_AN_ACTIVITY)


def test_flipped_byte_in_fit_fails_crc():
    data = bytearray(device_file("garmin-fenix-5-run.fit"))
    data[len(data) // 2] ^= 0x55
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(bytes(data), "flipped.fit")
    assert str(caught.value) == FIT_DAMAGED


def test_mangled_files_only_ever_raise_activity_file_error():
    rng = random.Random(2024)
    originals = [
        device_file("garmin-fenix-5-run.fit"),
        device_file("track-with-empty-segment.gpx"),
        device_file("test.tcx")[:20_000]
        + b"</Lap></Activity></Activities></TrainingCenterDatabase>",
    ]
    for original in originals:
        for _ in range(40):
            data = bytearray(original)
            action = rng.choice(["cut", "flip", "splice"])
            if action == "cut":
                data = data[: rng.randrange(len(data))]
            elif action == "flip":
                for _ in range(rng.randint(1, 8)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            else:
                at = rng.randrange(len(data))
                data[at:at] = rng.randbytes(rng.randint(1, 64))
            try:
                activity = parse_activity(bytes(data), "mangled")
            except ActivityFileError:
                continue
            assert_well_formed(activity, activity.source_format)


def test_tcx_without_laps_is_refused():
    body = (
        b'<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/'
        b'xmlschemas/TrainingCenterDatabase/v2"><Courses><Course><Name>loop</Name>'
        b"</Course></Courses></TrainingCenterDatabase>"
    )
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(body, "course.tcx")
    assert str(caught.value) == TCX_NO_ACTIVITY


def test_truncated_tcx_is_damaged():
    data = device_file("test.tcx")
    with pytest.raises(ActivityFileError, match="TCX file is damaged"):
        parse_activity(data[: len(data) // 2], "cut.tcx")


# -------------------------------------------------------------------------- FIT built here

WHEELCHAIR_PUSH_WALK, WHEELCHAIR_PUSH_RUN, PARA_SPORT = 65, 66, 68
RUNNING, CYCLING, TRAINING = 1, 2, 10
SUB_GENERIC, SUB_TREADMILL, SUB_TRACK, SUB_INDOOR_CYCLING = 0, 1, 4, 6
SUB_HAND_CYCLING, SUB_STRENGTH, SUB_INDOOR_WHEELCHAIR_RUN = 12, 20, 87


@pytest.mark.parametrize(
    ("sport", "sub_sport", "expected"),
    [
        (WHEELCHAIR_PUSH_RUN, SUB_GENERIC, "road"),
        (WHEELCHAIR_PUSH_WALK, SUB_GENERIC, "road"),
        (WHEELCHAIR_PUSH_RUN, SUB_TRACK, "track"),
        (PARA_SPORT, SUB_GENERIC, "other"),
        (CYCLING, SUB_HAND_CYCLING, "handcycle"),
        (TRAINING, SUB_STRENGTH, "strength"),
        (RUNNING, SUB_GENERIC, "other"),
        (CYCLING, SUB_GENERIC, "other"),
    ],
)
def test_fit_sport_mapping(sport, sub_sport, expected):
    data = make_fit(
        sessions=[fit_session(sport=sport, sub_sport=sub_sport)], records=outdoor_records()
    )
    activity = parse_activity(data, "built.fit")
    assert activity.sport == expected
    assert activity.has_gps is True


@pytest.mark.parametrize(
    ("sport", "sub_sport"),
    [
        (CYCLING, SUB_INDOOR_CYCLING),
        (RUNNING, SUB_TREADMILL),
        (WHEELCHAIR_PUSH_RUN, SUB_INDOOR_WHEELCHAIR_RUN),
    ],
)
def test_indoor_fit_imports_summary_as_roller(sport, sub_sport):
    records = [
        fit_record(START + timedelta(seconds=i), distance_m=4.0 * i, hr=130 + i) for i in range(20)
    ]
    session = fit_session(
        sport=sport, sub_sport=sub_sport, distance_m=8000, timer_s=1800, elapsed_s=1900
    )
    activity = parse_activity(make_fit(sessions=[session], records=records), "rollers.fit")
    assert activity.sport == "roller"
    assert activity.has_gps is False
    assert activity.route == ()
    assert activity.distance_m == 8000
    assert activity.device_totals_used is True
    assert (activity.moving_time_s, activity.elapsed_time_s) == (1800, 1900)
    assert (activity.avg_hr, activity.max_hr) == (150, 175)
    assert activity.started_at == START


def test_fit_summary_only_without_records():
    session = fit_session(sport=WHEELCHAIR_PUSH_RUN, distance_m=10_000, ascent=40)
    activity = parse_activity(make_fit(sessions=[session]), "summary.fit")
    assert (activity.sport, activity.distance_m, activity.has_gps) == ("road", 10_000, False)
    assert activity.elevation_gain_m == 40


def test_fit_without_session_falls_back_to_records():
    records = [
        fit_record(
            START + timedelta(seconds=5 * i),
            lat=51.0 + i * 0.0002,
            lon=-1.0,
            distance_m=22.0 * i,
            hr=120 + 2 * i,
            alt=30 + (i % 4),
        )
        for i in range(31)
    ]
    activity = parse_activity(make_fit(records=records), "no-session.fit")
    assert activity.distance_m == pytest.approx(22.0 * 30)
    assert activity.elapsed_time_s == 150
    assert activity.moving_time_s is None
    assert activity.device_totals_used is False
    assert activity.started_at == START
    assert (activity.avg_hr, activity.max_hr) == (150, 180)
    assert activity.has_gps is True and len(activity.route) == 31
    assert activity.elevation_gain_m is not None and activity.elevation_gain_m > 0


def test_fit_records_without_distance_use_coordinates():
    coords = [(51.0 + i * 0.001, -1.0) for i in range(4)]
    records = [
        fit_record(START + timedelta(seconds=60 * i), lat=lat, lon=lon)
        for i, (lat, lon) in enumerate(coords)
    ]
    activity = parse_activity(make_fit(records=records), "coords.fit")
    expected = sum(haversine(a, b) for a, b in pairwise(coords))
    assert close(activity.distance_m, expected)


def test_fit_multisport_sums_sessions():
    sessions = [
        fit_session(sport=WHEELCHAIR_PUSH_RUN, distance_m=3000, timer_s=600, elapsed_s=650),
        fit_session(
            sport=WHEELCHAIR_PUSH_RUN,
            distance_m=2000,
            timer_s=400,
            elapsed_s=420,
            avg_hr=160,
            max_hr=185,
            start=START + timedelta(minutes=15),
        ),
    ]
    activity = parse_activity(make_fit(sessions=sessions, records=outdoor_records()), "two.fit")
    assert activity.distance_m == 5000
    assert (activity.moving_time_s, activity.elapsed_time_s) == (1000, 1070)
    assert activity.avg_hr == 154  # (150 * 600 + 160 * 400) / 1000
    assert activity.max_hr == 185
    assert activity.started_at == START


def test_fit_multisport_takes_the_longest_sessions_sport():
    sessions = [
        fit_session(sport=CYCLING, sub_sport=SUB_HAND_CYCLING, distance_m=9000, timer_s=900),
        fit_session(sport=WHEELCHAIR_PUSH_RUN, distance_m=4000, timer_s=1200),
    ]
    activity = parse_activity(make_fit(sessions=sessions), "multi.fit")
    assert activity.sport == "road"
    assert activity.distance_m == 13_000


@pytest.mark.parametrize(
    ("file_type", "message"),
    [
        (9, "This FIT file holds no activity (it contains weight-scale readings)."),
        (2, "This FIT file holds no activity (it contains device settings)."),
        (4, "This FIT file holds no activity (it contains no sessions or records)."),
    ],
)
def test_fit_without_session_or_records_holds_no_activity(file_type, message):
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(make_fit(file_type=file_type), "nothing.fit")
    assert str(caught.value) == message


def test_fit_course_is_not_an_activity():
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(make_fit(file_type=6, records=outdoor_records()), "course.fit")
    assert str(caught.value) == FIT_COURSE


# ------------------------------------------------------------------------------- the result


def test_parsed_activity_is_frozen_and_serialises():
    activity = parse_activity(device_file("test.tcx"), "test.tcx")
    with pytest.raises(dataclasses.FrozenInstanceError):
        activity.distance_m = 1.0  # type: ignore[misc]
    summary = activity.to_json_dict()
    for key in (
        "sport",
        "started_at",
        "distance_m",
        "moving_time_s",
        "elapsed_time_s",
        "avg_hr",
        "max_hr",
    ):
        assert key in summary
    assert "route" not in summary
    assert datetime.fromisoformat(summary["started_at"]) == activity.started_at
    with_route = activity.to_json_dict(include_route=True)
    assert with_route["route"] == [list(point) for point in activity.route]
    assert json.loads(json.dumps(with_route)) == with_route
    assert issubclass(ActivityFileError, ValueError)


def test_package_is_pure_parsing():
    import ast

    import heartbeat.training.devicefiles as package

    modules = sorted(Path(package.__file__).parent.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        tree = ast.parse(path.read_text())
        imported = {
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
            )
        }
        # Only its own modules from heartbeat, and the session kinds (a plain enum): never
        # Flask, the database or another feature.
        outside = {
            name.split(".")[0]
            for name in imported
            if not name.startswith("heartbeat.training.devicefiles")
            and name != "heartbeat.training.kinds"
        }
        assert not outside & {"flask", "sqlalchemy", "heartbeat"}, path.name


def test_the_sports_are_the_session_kinds_and_other():
    from heartbeat.training.models import SessionKind

    assert SPORTS == (*(kind.value for kind in SessionKind), "other")
    kinds = ast_imports_of_kinds_module()
    assert not kinds & {"flask", "sqlalchemy", "heartbeat"}  # the enum stands alone


def ast_imports_of_kinds_module() -> set[str]:
    import ast

    import heartbeat.training.kinds as kinds

    tree = ast.parse(Path(kinds.__file__).read_text())
    return {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }


def test_no_module_of_the_package_is_over_400_lines():
    import heartbeat.training.devicefiles as package

    for path in Path(package.__file__).parent.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path.name


# ------------------------------------------------------------------------------ more odd files


def test_truncated_gpx_is_damaged():
    data = make_gpx([[[gpx_point(51.0 + i * 0.001, -1.0) for i in range(50)]]])
    with pytest.raises(ActivityFileError) as caught:
        parse_activity(data[: len(data) // 2], "cut.gpx")
    assert str(caught.value) == "The GPX file is damaged or cut short."


def test_gpx_with_impossible_coordinates_is_damaged():
    data = make_gpx([[[gpx_point(51.0, -1.0), '<trkpt lat="951.0" lon="-1.0"/>']]])
    with pytest.raises(ActivityFileError, match="GPX file is damaged"):
        parse_activity(data, "bad.gpx")


def test_gpx_in_utf16_is_read():
    text = make_gpx([[[gpx_point(51.0, -1.0), gpx_point(51.001, -1.0)]]]).decode()
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    activity = parse_activity(text.encode("utf-16"), "utf16.gpx")
    assert close(activity.distance_m, haversine((51.0, -1.0), (51.001, -1.0)))


def test_unreadable_times_are_ignored_not_fatal():
    points = [
        '<trkpt lat="51.0" lon="-1.0"><time>yesterday</time></trkpt>',
        '<trkpt lat="51.001" lon="-1.0"><time>0001-01-01T00:00:00+01:00</time></trkpt>',
    ]
    activity = parse_activity(make_gpx([[points]]), "times.gpx")
    assert activity.started_at is None
    assert activity.distance_m > 100


def test_oversized_upload_is_refused(monkeypatch):
    import heartbeat.training.devicefiles as module

    monkeypatch.setattr(module, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ActivityFileError, match="larger than"):
        parse_activity(make_marathon_gpx()[:5000], "big.gpx")


TCX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
    '<Activities><Activity Sport="Other"><Id>2024-05-01T08:00:00Z</Id>'
)
TCX_TAIL = "</Activity></Activities></TrainingCenterDatabase>"


def tcx_trackpoint(when, lat=None, lon=None, hr=None) -> str:
    parts = [f"<Trackpoint><Time>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</Time>"]
    if lat is not None:
        parts.append(
            f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees>"
            f"<LongitudeDegrees>{lon}</LongitudeDegrees></Position>"
        )
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    parts.append("</Trackpoint>")
    return "".join(parts)


def test_tcx_without_lap_totals_recomputes_from_positions_and_trackpoint_hr():
    coords = [(51.0 + i * 0.001, -1.0) for i in range(5)]
    points = "".join(
        tcx_trackpoint(START + timedelta(seconds=30 * i), lat, lon, hr=100 + 10 * i)
        for i, (lat, lon) in enumerate(coords)
    )
    body = TCX_HEAD + f'<Lap StartTime="2024-05-01T08:00:00Z"><Track>{points}</Track></Lap>'
    activity = parse_activity((body + TCX_TAIL).encode(), "bare.tcx")
    assert close(activity.distance_m, sum(haversine(a, b) for a, b in pairwise(coords)))
    assert activity.device_totals_used is False
    assert (activity.avg_hr, activity.max_hr) == (120, 140)
    assert activity.elapsed_time_s == 120
    assert activity.moving_time_s is None
    assert activity.started_at == START


def test_indoor_tcx_has_no_route():
    points = "".join(tcx_trackpoint(START + timedelta(seconds=i), hr=120) for i in range(3))
    body = (
        TCX_HEAD
        + '<Lap StartTime="2024-05-01T08:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds>'
        + f"<DistanceMeters>2500</DistanceMeters><Track>{points}</Track></Lap>"
    )
    activity = parse_activity((body + TCX_TAIL).encode(), "indoor.tcx")
    assert activity.has_gps is False and activity.route == ()
    assert activity.distance_m == 2500 and activity.device_totals_used is True
    assert (activity.moving_time_s, activity.elapsed_time_s) == (600, 600)

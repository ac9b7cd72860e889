"""Push cadence read from device files (for the shoulder-load estimate): FIT sessions' average
cadence weighted by time, else the records'; TCX laps' Cadence weighted by time, else the
points'; an implausible cadence is ignored; an imported session keeps it."""

from __future__ import annotations

from heartbeat.training.devicefiles import parse_activity
from tests.training.conftest import DATA
from tests.training.test_devicefiles import TCX_HEAD, TCX_TAIL


def test_a_fit_file_gives_its_average_cadence():
    activity = parse_activity((DATA / "sample-activity.fit").read_bytes(), "sample-activity.fit")
    assert activity.cadence_ppm == 88
    assert activity.to_json_dict()["cadence_ppm"] == 88


def _lap(seconds: int, cadence: str | None, points: str = "") -> str:
    cad = f"<Cadence>{cadence}</Cadence>" if cadence is not None else ""
    return (
        f'<Lap StartTime="2024-05-01T08:00:00Z"><TotalTimeSeconds>{seconds}</TotalTimeSeconds>'
        f"<DistanceMeters>1000</DistanceMeters>{cad}<Track>{points}</Track></Lap>"
    )


def test_tcx_laps_give_a_time_weighted_cadence():
    body = TCX_HEAD + _lap(600, "80") + _lap(1800, "100") + TCX_TAIL
    # (80 x 600 + 100 x 1800) / 2400 = 95
    assert parse_activity(body.encode(), "laps.tcx").cadence_ppm == 95


def test_tcx_points_give_it_when_the_laps_do_not_and_noise_is_ignored():
    points = "".join(
        f"<Trackpoint><Time>2024-05-01T08:00:{n:02d}Z</Time><Cadence>{c}</Cadence></Trackpoint>"
        for n, c in enumerate((90, 92, 0, 94, 400))
    )
    body = TCX_HEAD + _lap(600, None, points) + TCX_TAIL
    assert parse_activity(body.encode(), "points.tcx").cadence_ppm == 92
    assert (
        parse_activity((TCX_HEAD + _lap(600, None) + TCX_TAIL).encode(), "x.tcx").cadence_ppm
        is None
    )

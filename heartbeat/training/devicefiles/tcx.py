"""TCX (Garmin Training Center): activities made of laps, each with its device totals and points.

The laps' own totals (distance, time, heart rate) are what the device measured, so they win;
the track points fill in what the laps leave out (a start time, a distance, a heart rate) and
give the route. A TCX of only courses or workouts holds no activity and is refused.
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from dataclasses import dataclass, field
from datetime import datetime

from heartbeat.training.devicefiles.activity import (
    TCX_NO_ACTIVITY,
    ActivityFileError,
    ParsedActivity,
    cadence,
    heart_rate,
    seconds_between,
    sport_from_label,
    to_float,
    to_time,
    weighted_cadence,
    weighted_heart_rate,
)
from heartbeat.training.devicefiles.budget import ParseBudget
from heartbeat.training.devicefiles.geometry import downsample, elevation_gain, path_length
from heartbeat.training.devicefiles.safexml import namespace


@dataclass
class _Lap:
    start: datetime | None
    seconds: float | None
    meters: float | None
    avg_hr: int | None
    max_hr: int | None
    cadence: int | None = None


@dataclass
class _TcxRead:
    """What one pass over a TCX document collected."""

    laps: list[_Lap] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    activity_ids: list[datetime | None] = field(default_factory=list)
    positions: list[tuple[float, float]] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    elevations: list[float | None] = field(default_factory=list)
    point_hr: list[int] = field(default_factory=list)
    point_cadence: list[int] = field(default_factory=list)
    #: The largest running distance any track point gives.
    point_distance: float | None = None


def parse_tcx(root: StdET.Element, digest: str, budget: ParseBudget) -> ParsedActivity:
    read = _read(root, budget)
    if not read.laps:
        raise ActivityFileError(TCX_NO_ACTIVITY)
    distance, device_totals_used = _distance(read)
    moving = _moving_time(read.laps)
    started_at = _started_at(read)
    avg_hr, max_hr = _heart_rates(read)
    label = next((text for text in read.labels if text), None)
    return ParsedActivity(
        sport=sport_from_label(label),
        started_at=started_at,
        distance_m=round(distance, 2),
        moving_time_s=moving,
        elapsed_time_s=_elapsed_time(read, started_at, moving),
        avg_hr=avg_hr,
        max_hr=max_hr,
        elevation_gain_m=elevation_gain(read.elevations),
        source_format="tcx",
        has_gps=bool(read.positions),
        route=downsample(read.positions),
        device_totals_used=device_totals_used,
        fingerprint=digest,
        device_sport=label,
        cadence_ppm=weighted_cadence(
            [(lap.cadence, lap.seconds or 0.0) for lap in read.laps if lap.cadence is not None],
            read.point_cadence,
        ),
    )


# --- reading ------------------------------------------------------------------------------------


def _read(root: StdET.Element, budget: ParseBudget) -> _TcxRead:
    ns = namespace(root)
    read = _TcxRead()
    for activity in root.iterfind(f"{ns}Activities/{ns}Activity"):
        read.labels.append(activity.get("Sport") or "")
        read.activity_ids.append(to_time(activity.findtext(f"{ns}Id")))
        for lap in activity.iterfind(f"{ns}Lap"):
            read.laps.append(_lap(lap, ns))
            for point in lap.iterfind(f"{ns}Track/{ns}Trackpoint"):
                budget.point()
                _trackpoint(point, ns, read)
    return read


def _lap(lap: StdET.Element, ns: str) -> _Lap:
    return _Lap(
        start=to_time(lap.get("StartTime")),
        seconds=to_float(lap.findtext(f"{ns}TotalTimeSeconds")),
        meters=to_float(lap.findtext(f"{ns}DistanceMeters")),
        avg_hr=heart_rate(lap.findtext(f"{ns}AverageHeartRateBpm/{ns}Value")),
        max_hr=heart_rate(lap.findtext(f"{ns}MaximumHeartRateBpm/{ns}Value")),
        cadence=cadence(lap.findtext(f"{ns}Cadence")),
    )


def _trackpoint(point: StdET.Element, ns: str, read: _TcxRead) -> None:
    when = to_time(point.findtext(f"{ns}Time"))
    if when is not None:
        read.times.append(when)
    lat = to_float(point.findtext(f"{ns}Position/{ns}LatitudeDegrees"))
    lon = to_float(point.findtext(f"{ns}Position/{ns}LongitudeDegrees"))
    if lat is not None and lon is not None:
        read.positions.append((lat, lon))
    read.elevations.append(to_float(point.findtext(f"{ns}AltitudeMeters")))
    hr = heart_rate(point.findtext(f"{ns}HeartRateBpm/{ns}Value"))
    if hr is not None:
        read.point_hr.append(hr)
    pushes = cadence(point.findtext(f"{ns}Cadence"))
    if pushes is not None:
        read.point_cadence.append(pushes)
    meters = to_float(point.findtext(f"{ns}DistanceMeters"))
    if meters is not None:
        read.point_distance = max(read.point_distance or 0.0, meters)


# --- summarising --------------------------------------------------------------------------------


def _distance(read: _TcxRead) -> tuple[float, bool]:
    """Metres, and whether they are the laps' own totals: laps, else points' distance, else GPS."""
    lap_meters = [lap.meters for lap in read.laps if lap.meters is not None]
    if lap_meters and sum(lap_meters) > 0:
        return sum(lap_meters), True
    if read.point_distance:
        return read.point_distance, False
    return path_length(read.positions), False


def _moving_time(laps: list[_Lap]) -> int | None:
    lap_seconds = [lap.seconds for lap in laps if lap.seconds is not None]
    return round(sum(lap_seconds)) if lap_seconds else None


def _started_at(read: _TcxRead) -> datetime | None:
    """The first lap's start, else the activity's Id (a time by convention), else the
    first point."""
    started_at = next((lap.start for lap in read.laps if lap.start), None)
    started_at = started_at or next((t for t in read.activity_ids if t), None)
    return started_at or (min(read.times) if read.times else None)


def _elapsed_time(read: _TcxRead, started_at: datetime | None, moving: int | None) -> int | None:
    """Start to the last point (or the end of the last lap); never less than the moving time."""
    last = read.laps[-1]
    elapsed = None
    if started_at and read.times:
        elapsed = seconds_between(started_at, max(read.times))
    elif started_at and last.start and last.seconds is not None:
        elapsed = round((last.start - started_at).total_seconds() + last.seconds)
    if elapsed is not None and moving is not None:
        elapsed = max(elapsed, moving)
    return elapsed


def _heart_rates(read: _TcxRead) -> tuple[int | None, int | None]:
    """Average weighted by lap time, and maximum: from the laps, else from the points."""
    weighted = [(lap.avg_hr, lap.seconds or 0.0) for lap in read.laps if lap.avg_hr is not None]
    avg_hr = weighted_heart_rate(weighted, read.point_hr)
    lap_max = [lap.max_hr for lap in read.laps if lap.max_hr is not None]
    if lap_max:
        return avg_hr, max(lap_max)
    return avg_hr, max(read.point_hr) if read.point_hr else None

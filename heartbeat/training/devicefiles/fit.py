"""FIT (Garmin's binary format): session totals from the device, records for the route.

Read with fitdecode, checking every CRC: a damaged or cut-short file is refused, never half
read. A session message holds the device's own totals, which win over anything worked out from
the records; a file with records and no session (a watch that died) still imports from them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import fitdecode

from heartbeat.training.devicefiles.activity import (
    FIT_COURSE,
    FIT_NO_ACTIVITY,
    ActivityFileError,
    ParsedActivity,
    cadence,
    heart_rate,
    is_number,
    seconds_between,
    weighted_cadence,
    weighted_heart_rate,
)
from heartbeat.training.devicefiles.budget import ParseBudget
from heartbeat.training.devicefiles.fitsports import FIT_FILE_KINDS, fit_sport_names, our_sport
from heartbeat.training.devicefiles.geometry import downsample, elevation_gain, path_length

_SEMICIRCLE_TO_DEG = 180.0 / 2**31
_SESSION_FIELDS = (
    "start_time",
    "total_distance",
    "total_timer_time",
    "total_elapsed_time",
    "avg_heart_rate",
    "max_heart_rate",
    "avg_cadence",
    "total_ascent",
    "sport",
    "sub_sport",
)


@dataclass
class _FitRead:
    """What one pass over a FIT file collected."""

    file_type: Any = None
    sport_message: tuple[Any, Any] | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    records: int = 0
    positions: list[tuple[float, float]] = field(default_factory=list)
    first_time: datetime | None = None
    last_time: datetime | None = None
    last_distance: float | None = None
    heart_rates: list[int] = field(default_factory=list)
    cadences: list[int] = field(default_factory=list)
    altitudes: list[float | None] = field(default_factory=list)


def parse_fit(data: bytes, digest: str, budget: ParseBudget) -> ParsedActivity:
    read = _read(data, budget)  # any fitdecode error becomes FIT_DAMAGED in the caller
    _refuse_without_activity(read)
    sessions = read.sessions
    sport_name, sub_sport_name = fit_sport_names(sessions, read.sport_message)
    distance, device_totals_used = _distance(read)
    avg_hr, max_hr = _heart_rates(sessions, read.heart_rates)
    device_sport = "/".join(str(x) for x in (sport_name, sub_sport_name) if x is not None)
    return ParsedActivity(
        sport=our_sport(sport_name, sub_sport_name),
        started_at=_started_at(read),
        distance_m=round(distance, 2),
        moving_time_s=_moving_time(sessions),
        elapsed_time_s=_elapsed_time(read),
        avg_hr=avg_hr,
        max_hr=max_hr,
        elevation_gain_m=_elevation_gain(read),
        source_format="fit",
        has_gps=bool(read.positions),
        route=downsample(read.positions),
        device_totals_used=device_totals_used,
        fingerprint=digest,
        device_sport=device_sport or None,
        cadence_ppm=_cadence(sessions, read.cadences),
    )


# --- reading ------------------------------------------------------------------------------------


def _read(data: bytes, budget: ParseBudget) -> _FitRead:
    read = _FitRead()
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    with reader:
        for frame in reader:
            budget.step()
            if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                _message(frame, read, budget)
    return read


def _message(frame: Any, read: _FitRead, budget: ParseBudget) -> None:
    name = frame.name
    if name == "record":
        budget.point()
        _record(frame, read)
    elif name == "session":
        read.sessions.append({key: frame.get_value(key, fallback=None) for key in _SESSION_FIELDS})
    elif name == "file_id" and read.file_type is None:
        read.file_type = frame.get_value("type", fallback=None)
    elif name == "sport" and read.sport_message is None:
        read.sport_message = (
            frame.get_value("sport", fallback=None),
            frame.get_value("sub_sport", fallback=None),
        )


def _record(frame: Any, read: _FitRead) -> None:
    read.records += 1
    values = {item.name: item.value for item in frame.fields}
    when = values.get("timestamp")
    if isinstance(when, datetime):
        read.first_time = read.first_time or when
        read.last_time = when
    lat, lon = values.get("position_lat"), values.get("position_long")
    if isinstance(lat, int) and isinstance(lon, int):
        lat_deg, lon_deg = lat * _SEMICIRCLE_TO_DEG, lon * _SEMICIRCLE_TO_DEG
        if -90 <= lat_deg <= 90 and -180 <= lon_deg <= 180:
            read.positions.append((lat_deg, lon_deg))
    distance = values.get("distance")
    if isinstance(distance, int | float) and math.isfinite(distance):
        read.last_distance = max(read.last_distance or 0.0, float(distance))
    hr = values.get("heart_rate")
    if isinstance(hr, int) and 0 < hr < 255:
        read.heart_rates.append(hr)
    pushes = cadence(values.get("cadence"))
    if pushes is not None:
        read.cadences.append(pushes)
    altitude = values.get("enhanced_altitude")
    if altitude is None:
        altitude = values.get("altitude")
    read.altitudes.append(float(altitude) if isinstance(altitude, int | float) else None)


# --- summarising --------------------------------------------------------------------------------


def _refuse_without_activity(read: _FitRead) -> None:
    file_type = None if read.file_type is None else str(read.file_type)
    if file_type == "course":
        raise ActivityFileError(FIT_COURSE)
    if not read.sessions and not read.records:
        kind = FIT_FILE_KINDS.get(str(file_type), "no sessions or records")
        raise ActivityFileError(FIT_NO_ACTIVITY, kind=kind)


def _session_numbers(sessions: Sequence[dict[str, Any]], key: str) -> list[Any]:
    return [s[key] for s in sessions if is_number(s[key])]


def _distance(read: _FitRead) -> tuple[float, bool]:
    """Metres, and whether they are the device's session totals: sessions, else the last
    record's running distance, else the GPS track."""
    totals = _session_numbers(read.sessions, "total_distance")
    if totals:
        return float(sum(totals)), True
    if read.last_distance is not None:
        return read.last_distance, False
    return path_length(read.positions), False


def _cadence(sessions: Sequence[dict[str, Any]], points: list[int]) -> int | None:
    """The sessions' average cadence weighted by timer time, else the records' mean."""
    weighted = [
        (value, float(s["total_timer_time"] or 0.0))
        for s in sessions
        if (value := cadence(s["avg_cadence"])) is not None
    ]
    return weighted_cadence(weighted, points)


def _moving_time(sessions: Sequence[dict[str, Any]]) -> int | None:
    timer = _session_numbers(sessions, "total_timer_time")
    return round(sum(timer)) if timer else None


def _elapsed_time(read: _FitRead) -> int | None:
    totals = _session_numbers(read.sessions, "total_elapsed_time")
    if totals:
        return round(sum(totals))
    return seconds_between(read.first_time, read.last_time)


def _started_at(read: _FitRead) -> datetime | None:
    starts = [s["start_time"] for s in read.sessions if isinstance(s["start_time"], datetime)]
    started_at = min(starts) if starts else read.first_time
    return started_at.astimezone(UTC) if started_at is not None else None


def _elevation_gain(read: _FitRead) -> float | None:
    ascents = _session_numbers(read.sessions, "total_ascent")
    return float(sum(ascents)) if ascents else elevation_gain(read.altitudes)


def _heart_rates(
    sessions: Sequence[dict[str, Any]], record_hr: Sequence[int]
) -> tuple[int | None, int | None]:
    """Average weighted by session time, and maximum: from the sessions, else the records."""
    weighted = [
        (s["avg_heart_rate"], s["total_timer_time"] or 0.0)
        for s in sessions
        if heart_rate(s["avg_heart_rate"]) is not None
    ]
    avg_hr = weighted_heart_rate(weighted, record_hr)
    session_max = [
        s["max_heart_rate"] for s in sessions if heart_rate(s["max_heart_rate"]) is not None
    ]
    if session_max:
        return avg_hr, max(session_max)
    return avg_hr, max(record_hr) if record_hr else None

"""What every format's reader shares: the result, the error, the messages and value readers.

Pure: no Flask, no database. Each message is shown as it is to the person who uploaded the file,
so it says what the file is (or is not), never how the parser failed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import gpxpy.gpx
import gpxpy.gpxfield

from heartbeat.training.kinds import SessionKind

#: The session kinds, and "other" for a file whose sport is none of them (the person chooses).
OTHER_SPORT = "other"
SPORTS = (*(kind.value for kind in SessionKind), OTHER_SPORT)
#: Larger uploads are refused outright: a 24-hour TCX at one point a second is about 25 MB.
MAX_FILE_BYTES = 32 * 1024 * 1024

NOT_AN_ACTIVITY = "This file is not a GPX, TCX or FIT activity."
EMPTY_FILE = "This file is empty."
TOO_LARGE = f"This file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; it is not an activity."
XML_DOCTYPE = "This file contains an XML DOCTYPE or entities, which are not accepted."
FIT_DAMAGED = "The FIT file is damaged or cut short."
XML_DAMAGED = "The {kind} file is damaged or cut short."
GPX_NO_POINTS = "This GPX file has no track points; it may be a route or a list of waypoints."
TCX_NO_ACTIVITY = "This TCX file holds no activity; it may be a course or a workout."
FIT_COURSE = "This FIT file is a course (a planned route), not a recorded activity."
NO_MOVEMENT = (
    "This {kind} file records no movement: no distance and no time, so there is nothing to log."
)
FIT_NO_ACTIVITY = "This FIT file holds no activity (it contains {kind})."


class ActivityFileError(ValueError):
    """The upload is not a readable activity; ``str(error)`` says why, for the uploader.

    ``template`` and ``values`` are the message before its values went in, so that the app can
    give it in the uploader's language (``training.devicefile_text``); this package stays English.
    """

    def __init__(self, template: str, **values: Any) -> None:
        super().__init__(template.format(**values) if values else template)
        self.template = template
        self.values = values


@dataclass(frozen=True, slots=True)
class ParsedActivity:
    """What one activity file says about one training session."""

    sport: str
    started_at: datetime | None
    distance_m: float
    moving_time_s: int | None
    elapsed_time_s: int | None
    avg_hr: int | None
    max_hr: int | None
    elevation_gain_m: float | None
    source_format: str
    has_gps: bool
    #: Up to :data:`~.geometry.ROUTE_POINTS` ``(lat, lon)`` pairs in recorded order; empty indoors.
    route: tuple[tuple[float, float], ...]
    #: True when ``distance_m`` is the device's own total (FIT session, TCX laps).
    device_totals_used: bool
    #: SHA-256 of the activity's bytes (unpacked, for a ``.gz``), to spot the same file twice.
    fingerprint: str
    #: The sport as the file names it (e.g. ``"running/generic"``), for the record.
    device_sport: str | None = None
    #: Pushes (strokes, revolutions) a minute, where the file records a cadence.
    cadence_ppm: int | None = None

    def to_json_dict(self, *, include_route: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sport": self.sport,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "distance_m": self.distance_m,
            "moving_time_s": self.moving_time_s,
            "elapsed_time_s": self.elapsed_time_s,
            "avg_hr": self.avg_hr,
            "max_hr": self.max_hr,
            "elevation_gain_m": self.elevation_gain_m,
            "source_format": self.source_format,
            "has_gps": self.has_gps,
            "device_totals_used": self.device_totals_used,
            "device_sport": self.device_sport,
            "cadence_ppm": self.cadence_ppm,
            "fingerprint": self.fingerprint,
        }
        if include_route:
            out["route"] = [[lat, lon] for lat, lon in self.route]
        return out

    @property
    def moved(self) -> bool:
        """Does the file record any distance or any time at all?"""
        return bool(self.distance_m or self.moving_time_s or self.elapsed_time_s)


# --- reading values -----------------------------------------------------------------------------

CADENCE_RANGE = (10, 250)  # a plausible push cadence, a minute; anything else is noise


def cadence(value: Any) -> int | None:
    """A cadence a device recorded, or None when it is missing or implausible."""
    if isinstance(value, str):
        value = to_float(value)
    if not is_number(value):
        return None
    low, high = CADENCE_RANGE
    return round(value) if low <= value <= high else None


def weighted_cadence(weighted: list[tuple[int, float]], points: list[int]) -> int | None:
    """Laps' or sessions' cadences weighted by their time, else the mean of the points'."""
    total = sum(seconds for _, seconds in weighted)
    if weighted and total > 0:
        return round(sum(value * seconds for value, seconds in weighted) / total)
    return round(sum(points) / len(points)) if points else None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def to_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def to_time(text: str | None) -> datetime | None:
    """An ISO 8601 time as aware UTC; times without an offset are taken as UTC."""
    if not text:
        return None
    text = text.strip()
    try:
        value: datetime | None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = gpxpy.gpxfield.parse_time(text)
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (gpxpy.gpx.GPXException, ValueError, OverflowError):
        return None


def heart_rate(value: Any) -> int | None:
    """A plausible heart rate in beats per minute, or None."""
    if isinstance(value, str):
        value = to_float(value)
    if not is_number(value):
        return None
    bpm = round(value)
    return bpm if 20 <= bpm <= 250 else None


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return round((end - start).total_seconds())


def mean(values: Sequence[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def weighted_heart_rate(weighted: Sequence[tuple[Any, Any]], fallback: Sequence[int]) -> int | None:
    """Average of per-lap (or per-session) heart rates weighted by their time.

    Laps without a time count equally; with no lap heart rate at all, the mean of ``fallback``
    (the per-point readings).
    """
    total = sum(w for _, w in weighted if is_number(w))
    if weighted and total > 0:
        return round(sum(hr * w for hr, w in weighted) / total)
    if weighted:
        return mean([hr for hr, _ in weighted])
    return mean(fallback)


def sport_from_label(label: str | None) -> str:
    """Map a free-text sport (GPX ``<type>``, TCX ``Sport``) onto our sports."""
    text = (label or "").lower().replace("-", "_").replace(" ", "_")
    if "wheelchair" in text or "racing_chair" in text:
        return SessionKind.TRACK if "track" in text else SessionKind.ROAD
    if "handcycl" in text or "hand_cycl" in text or "handbik" in text:
        return SessionKind.HANDCYCLE
    if any(word in text for word in ("roller", "indoor", "treadmill", "trainer", "virtual")):
        return SessionKind.ROLLER
    if "skill" in text or "technique" in text:
        return SessionKind.SKILLS
    if "strength" in text or "weight" in text:
        return SessionKind.STRENGTH
    return OTHER_SPORT

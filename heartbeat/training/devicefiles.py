"""Read an uploaded GPX, TCX or FIT activity file into a summary of one training session.

Pure parsing: no Flask, no database. :func:`parse_activity` takes the file's bytes, recognises
the format from the content (never from the file name) and returns a :class:`ParsedActivity`.
Anything that is not a readable activity raises :class:`ActivityFileError`, whose message can
be shown to the person who uploaded the file.

Untrusted XML is first read by defusedxml with DTDs forbidden, up to the root element: a
DOCTYPE (and so any entity bomb or external entity) is refused before anything is expanded or
fetched, and only a document without one reaches the standard library's C parser. GPX tracks
are read from that tree into gpxpy's own track model (``gpxpy.parse`` alone takes about 0.3 s
on a marathon at one point a second); gpxpy then does the geodesy: 2D length, moving time and
smoothed elevation gain. FIT files are read with fitdecode, checking every CRC.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import math
import re
import xml.etree.ElementTree as StdET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import fitdecode
import gpxpy.geo
import gpxpy.gpx
import gpxpy.gpxfield
from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

SPORTS = ("track", "road", "roller", "handcycle", "strength", "race", "other")
#: Points kept in :attr:`ParsedActivity.route` for a preview.
ROUTE_POINTS = 200
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

_SEMICIRCLE_TO_DEG = 180.0 / 2**31
# fitdecode's profile may not name the newer sport values; these are the ones we act on.
_FIT_SPORT_NUMBERS = {65: "wheelchair_push_walk", 66: "wheelchair_push_run", 68: "para_sport"}
_FIT_SUB_SPORT_NUMBERS = {
    86: "indoor_wheelchair_walk",
    87: "indoor_wheelchair_run",
    88: "indoor_hand_cycling",
}
_FIT_FILE_KINDS = {
    "settings": "device settings",
    "sport": "sport settings",
    "workout": "a planned workout",
    "schedules": "a training schedule",
    "weight": "weight-scale readings",
    "totals": "lifetime totals",
    "goals": "goals",
    "blood_pressure": "blood-pressure readings",
    "monitoring_a": "daily monitoring data",
    "monitoring_b": "daily monitoring data",
    "monitoring_daily": "daily monitoring data",
    "segment": "a segment",
    "segment_list": "a list of segments",
    "exd_configuration": "data-screen settings",
}
_WHEELCHAIR_SPORTS = {"wheelchair_push_run", "wheelchair_push_walk"}
_TRACK_SUB_SPORTS = {"track", "track_cycling"}
_HANDCYCLE_SUB_SPORTS = {"hand_cycling", "indoor_hand_cycling"}
_INDOOR_SUB_SPORTS = {
    "treadmill",
    "spin",
    "indoor_cycling",
    "indoor_running",
    "indoor_walking",
    "indoor_wheelchair_walk",
    "indoor_wheelchair_run",
    "virtual_activity",
    "trainer",
}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_XML_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_HR_TAGS = ("hr", "heartrate")
_HR_TAG_ENDINGS = ("}hr", "}heartrate")
_DOCTYPE_NAME = re.compile(rb"<!DOCTYPE\s+([A-Za-z_][\w:.-]*)", re.IGNORECASE)


class ActivityFileError(ValueError):
    """The upload is not a readable activity; ``str(error)`` says why, for the uploader."""


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
    #: Up to :data:`ROUTE_POINTS` ``(lat, lon)`` pairs in recorded order; empty indoors.
    route: tuple[tuple[float, float], ...]
    #: True when ``distance_m`` is the device's own total (FIT session, TCX laps).
    device_totals_used: bool
    #: SHA-256 of the file's bytes, to spot the same file uploaded twice.
    fingerprint: str
    #: The sport as the file names it (e.g. ``"running/generic"``), for the record.
    device_sport: str | None = None

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
            "fingerprint": self.fingerprint,
        }
        if include_route:
            out["route"] = [[lat, lon] for lat, lon in self.route]
        return out


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_format(data: bytes) -> str | None:
    """``"fit"`` from the FIT signature, ``"xml"`` for anything that may be XML, else None."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "xml"
    return None


def parse_activity(data: bytes, filename: str = "") -> ParsedActivity:
    """Summarise one uploaded activity file.

    The format comes from the content; ``filename`` is accepted for the caller's convenience
    and never consulted. Raises :class:`ActivityFileError` for anything that is not an activity.
    """
    if not data:
        raise ActivityFileError(EMPTY_FILE)
    if len(data) > MAX_FILE_BYTES:
        raise ActivityFileError(TOO_LARGE)
    kind = detect_format(data)
    if kind is None:
        raise ActivityFileError(NOT_AN_ACTIVITY)
    digest = fingerprint(data)
    if kind == "fit":
        return _guarded(_parse_fit, data, digest, FIT_DAMAGED)
    root = _parse_xml(data)
    if _local(root.tag) == "gpx":
        return _guarded(_parse_gpx, root, digest, XML_DAMAGED.format(kind="GPX"))
    return _guarded(_parse_tcx, root, digest, XML_DAMAGED.format(kind="TCX"))


def _guarded(parse: Any, source: Any, digest: str, damaged: str) -> ParsedActivity:
    """Run one format's reader, turning any parser failure into an :class:`ActivityFileError`."""
    try:
        return parse(source, digest)
    except (ActivityFileError, MemoryError):
        raise
    except Exception as exc:  # the parsers raise more than their documented errors on bad data
        raise ActivityFileError(damaged) from exc


# --------------------------------------------------------------------------------------- XML


class _RootReached(Exception):
    """Raised by :class:`_StopAtRoot` once the prolog has been read."""


class _StopAtRoot:
    """An ElementTree parser target that stops at the root element's start tag."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached(tag)

    def end(self, tag: str) -> None:
        return None

    def data(self, data: str) -> None:
        return None

    def close(self) -> None:
        return None


def _parse_xml(data: bytes) -> StdET.Element:
    """Parse an uploaded GPX or TCX document, refusing any DOCTYPE (and so any entity).

    defusedxml reads the prolog, up to the root element's start tag, and refuses a DOCTYPE:
    entities and external references can only be declared there. A GPX or TCX document
    without one is then parsed whole by the standard library's C parser, several times faster
    than defusedxml's Python-level parser on a marathon-sized track.
    """
    try:
        xml = _xml_bytes(data)
        checker = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
        checker.feed(xml)
        checker.close()
    except _RootReached as reached:
        root_name = _local(reached.args[0])
    except DTDForbidden as exc:
        # An HTML page saved under an activity name is not an attack, just the wrong file.
        match = _DOCTYPE_NAME.search(data[:4096])
        if match and match.group(1).lower() == b"html":
            raise ActivityFileError(NOT_AN_ACTIVITY) from exc
        raise ActivityFileError(XML_DOCTYPE) from exc
    except DefusedXmlException as exc:  # entities or external references
        raise ActivityFileError(XML_DOCTYPE) from exc
    except (StdET.ParseError, ValueError, LookupError) as exc:
        raise ActivityFileError(NOT_AN_ACTIVITY) from exc
    else:  # no root element at all
        raise ActivityFileError(NOT_AN_ACTIVITY)
    if root_name not in ("gpx", "TrainingCenterDatabase"):
        raise ActivityFileError(NOT_AN_ACTIVITY)
    try:
        # Safe: the prolog checked above has no DOCTYPE, so nothing can be expanded or fetched.
        return StdET.fromstring(xml)  # noqa: S314  # nosec B314  # no DOCTYPE: checked above
    except (StdET.ParseError, ValueError, LookupError) as exc:
        kind = "GPX" if root_name == "gpx" else "TCX"
        raise ActivityFileError(XML_DAMAGED.format(kind=kind)) from exc


def _xml_bytes(data: bytes) -> bytes:
    """The document as UTF-8 bytes expat can read (BOMs, stray leading blank lines, UTF-16)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        return _XML_DECLARATION_TEXT.sub("", text, count=1).encode("utf-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.lstrip(b" \t\r\n")


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _namespace(element: StdET.Element) -> str:
    tag = element.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _time(text: str | None) -> datetime | None:
    """An ISO 8601 time as aware UTC; times without an offset are taken as UTC."""
    if not text:
        return None
    text = text.strip()
    try:
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


def _sport_from_label(label: str | None) -> str:
    """Map a free-text sport (GPX ``<type>``, TCX ``Sport``) onto our sports."""
    text = (label or "").lower().replace("-", "_").replace(" ", "_")
    if "wheelchair" in text or "racing_chair" in text:
        return "track" if "track" in text else "road"
    if "handcycl" in text or "hand_cycl" in text or "handbik" in text:
        return "handcycle"
    if any(word in text for word in ("roller", "indoor", "treadmill", "trainer", "virtual")):
        return "roller"
    if "strength" in text or "weight" in text:
        return "strength"
    return "other"


# --------------------------------------------------------------------------------------- GPX


def _parse_gpx(root: StdET.Element, digest: str) -> ParsedActivity:
    ns = _namespace(root)
    gpx = gpxpy.gpx.GPX()
    heart_rates: list[int] = []
    labels: list[str] = []
    for trk in root.iterfind(f"{ns}trk"):
        label = trk.findtext(f"{ns}type")
        if label and label.strip():
            labels.append(label.strip())
        track = gpxpy.gpx.GPXTrack()
        gpx.tracks.append(track)
        for trkseg in trk.iterfind(f"{ns}trkseg"):
            segment = gpxpy.gpx.GPXTrackSegment()
            track.segments.append(segment)
            segment.points.extend(_gpx_points(trkseg, ns, heart_rates))
    points = [p for track in gpx.tracks for s in track.segments for p in s.points]
    if not points:
        raise ActivityFileError(GPX_NO_POINTS)

    distance = gpx.length_2d()
    start, end = gpx.get_time_bounds()
    moving = gpx.get_moving_data() if start else None
    elevations = any(p.elevation is not None for p in points)
    label = labels[0] if labels else None
    return ParsedActivity(
        sport=_sport_from_label(label),
        started_at=start,
        distance_m=round(distance, 2),
        moving_time_s=round(moving.moving_time) if moving else None,
        elapsed_time_s=_seconds_between(start, end),
        avg_hr=_mean(heart_rates),
        max_hr=max(heart_rates) if heart_rates else None,
        elevation_gain_m=round(float(gpx.get_uphill_downhill().uphill), 1) if elevations else None,
        source_format="gpx",
        has_gps=True,
        route=_downsample((p.latitude, p.longitude) for p in points),
        device_totals_used=False,
        fingerprint=digest,
        device_sport=label,
    )


def _gpx_points(
    trkseg: StdET.Element, ns: str, heart_rates: list[int]
) -> Iterator[gpxpy.gpx.GPXTrackPoint]:
    ele_tag, time_tag, ext_tag = f"{ns}ele", f"{ns}time", f"{ns}extensions"
    for trkpt in trkseg.iterfind(f"{ns}trkpt"):
        lat, lon = _float(trkpt.get("lat")), _float(trkpt.get("lon"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ActivityFileError(XML_DAMAGED.format(kind="GPX"))
        yield gpxpy.gpx.GPXTrackPoint(
            lat,
            lon,
            elevation=_float(trkpt.findtext(ele_tag)),
            time=_time(trkpt.findtext(time_tag)),
        )
        extensions = trkpt.find(ext_tag)
        if extensions is not None:
            hr = _extension_hr(extensions)
            if hr is not None:
                heart_rates.append(hr)


def _extension_hr(extensions: StdET.Element) -> int | None:
    """Heart rate from Garmin's TrackPointExtension (``gpxtpx:hr``) or a bare ``<hr>``."""
    for element in extensions.iter():
        tag = element.tag
        if isinstance(tag, str) and (tag.endswith(_HR_TAG_ENDINGS) or tag in _HR_TAGS):
            return _heart_rate(element.text)
    return None


# --------------------------------------------------------------------------------------- TCX


@dataclass
class _TcxLap:
    start: datetime | None
    seconds: float | None
    meters: float | None
    avg_hr: int | None
    max_hr: int | None


def _parse_tcx(root: StdET.Element, digest: str) -> ParsedActivity:
    ns = _namespace(root)
    laps: list[_TcxLap] = []
    positions: list[tuple[float, float]] = []
    times: list[datetime] = []
    elevations: list[float | None] = []
    point_hr: list[int] = []
    point_distance: float | None = None
    activity_ids: list[datetime | None] = []
    labels: list[str] = []
    for activity in root.iterfind(f"{ns}Activities/{ns}Activity"):
        labels.append(activity.get("Sport") or "")
        activity_ids.append(_time(activity.findtext(f"{ns}Id")))
        for lap in activity.iterfind(f"{ns}Lap"):
            laps.append(
                _TcxLap(
                    start=_time(lap.get("StartTime")),
                    seconds=_float(lap.findtext(f"{ns}TotalTimeSeconds")),
                    meters=_float(lap.findtext(f"{ns}DistanceMeters")),
                    avg_hr=_heart_rate(lap.findtext(f"{ns}AverageHeartRateBpm/{ns}Value")),
                    max_hr=_heart_rate(lap.findtext(f"{ns}MaximumHeartRateBpm/{ns}Value")),
                )
            )
            for point in lap.iterfind(f"{ns}Track/{ns}Trackpoint"):
                when = _time(point.findtext(f"{ns}Time"))
                if when is not None:
                    times.append(when)
                lat = _float(point.findtext(f"{ns}Position/{ns}LatitudeDegrees"))
                lon = _float(point.findtext(f"{ns}Position/{ns}LongitudeDegrees"))
                if lat is not None and lon is not None:
                    positions.append((lat, lon))
                elevations.append(_float(point.findtext(f"{ns}AltitudeMeters")))
                hr = _heart_rate(point.findtext(f"{ns}HeartRateBpm/{ns}Value"))
                if hr is not None:
                    point_hr.append(hr)
                meters = _float(point.findtext(f"{ns}DistanceMeters"))
                if meters is not None:
                    point_distance = max(point_distance or 0.0, meters)
    if not laps:
        raise ActivityFileError(TCX_NO_ACTIVITY)

    lap_meters = [lap.meters for lap in laps if lap.meters is not None]
    device_totals_used = bool(lap_meters) and sum(lap_meters) > 0
    if device_totals_used:
        distance = sum(lap_meters)
    elif point_distance:
        distance = point_distance
    else:
        distance = _path_length(positions)

    lap_seconds = [lap.seconds for lap in laps if lap.seconds is not None]
    moving = round(sum(lap_seconds)) if lap_seconds else None
    started_at = next((lap.start for lap in laps if lap.start), None)
    started_at = started_at or next((t for t in activity_ids if t), None)
    started_at = started_at or (min(times) if times else None)
    elapsed = None
    if started_at and times:
        elapsed = _seconds_between(started_at, max(times))
    elif started_at and laps[-1].start and laps[-1].seconds is not None:
        elapsed = round((laps[-1].start - started_at).total_seconds() + laps[-1].seconds)
    if elapsed is not None and moving is not None:
        elapsed = max(elapsed, moving)

    weighted = [(lap.avg_hr, lap.seconds or 0.0) for lap in laps if lap.avg_hr is not None]
    total_weight = sum(w for _, w in weighted)
    if weighted and total_weight > 0:
        avg_hr: int | None = round(sum(hr * w for hr, w in weighted) / total_weight)
    elif weighted:
        avg_hr = _mean([hr for hr, _ in weighted])
    else:
        avg_hr = _mean(point_hr)
    lap_max = [lap.max_hr for lap in laps if lap.max_hr is not None]
    max_hr = max(lap_max) if lap_max else (max(point_hr) if point_hr else None)

    label = next((text for text in labels if text), None)
    return ParsedActivity(
        sport=_sport_from_label(label),
        started_at=started_at,
        distance_m=round(distance, 2),
        moving_time_s=moving,
        elapsed_time_s=elapsed,
        avg_hr=avg_hr,
        max_hr=max_hr,
        elevation_gain_m=_elevation_gain(elevations),
        source_format="tcx",
        has_gps=bool(positions),
        route=_downsample(positions),
        device_totals_used=device_totals_used,
        fingerprint=digest,
        device_sport=label,
    )


# --------------------------------------------------------------------------------------- FIT


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
    altitudes: list[float | None] = field(default_factory=list)


_SESSION_FIELDS = (
    "start_time",
    "total_distance",
    "total_timer_time",
    "total_elapsed_time",
    "avg_heart_rate",
    "max_heart_rate",
    "total_ascent",
    "sport",
    "sub_sport",
)


def _read_fit(data: bytes) -> _FitRead:
    read = _FitRead()
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    with reader:
        for frame in reader:
            if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                continue
            name = frame.name
            if name == "record":
                _fit_record(frame, read)
            elif name == "session":
                read.sessions.append(
                    {name: frame.get_value(name, fallback=None) for name in _SESSION_FIELDS}
                )
            elif name == "file_id" and read.file_type is None:
                read.file_type = frame.get_value("type", fallback=None)
            elif name == "sport" and read.sport_message is None:
                read.sport_message = (
                    frame.get_value("sport", fallback=None),
                    frame.get_value("sub_sport", fallback=None),
                )
    return read


def _fit_record(frame: Any, read: _FitRead) -> None:
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
    altitude = values.get("enhanced_altitude")
    if altitude is None:
        altitude = values.get("altitude")
    read.altitudes.append(float(altitude) if isinstance(altitude, int | float) else None)


def _parse_fit(data: bytes, digest: str) -> ParsedActivity:
    read = _read_fit(data)  # any fitdecode error becomes FIT_DAMAGED in _guarded

    file_type = _fit_name(read.file_type, {})
    if file_type == "course":
        raise ActivityFileError(FIT_COURSE)
    sessions = read.sessions
    if not sessions and not read.records:
        kind = _FIT_FILE_KINDS.get(str(file_type), "no sessions or records")
        raise ActivityFileError(f"This FIT file holds no activity (it contains {kind}).")

    positions = read.positions
    has_gps = bool(positions)
    if sessions:
        # A multisport file takes the sport of its longest session.
        main = max(
            sessions, key=lambda s: s["total_timer_time"] if _number(s["total_timer_time"]) else 0
        )
        sport_name = _fit_name(main["sport"], _FIT_SPORT_NUMBERS)
        sub_sport_name = _fit_name(main["sub_sport"], _FIT_SUB_SPORT_NUMBERS)
    elif read.sport_message:
        sport_name = _fit_name(read.sport_message[0], _FIT_SPORT_NUMBERS)
        sub_sport_name = _fit_name(read.sport_message[1], _FIT_SUB_SPORT_NUMBERS)
    else:
        sport_name = sub_sport_name = None
    sport = _fit_sport(sport_name, sub_sport_name)

    session_distances = [s["total_distance"] for s in sessions if _number(s["total_distance"])]
    device_totals_used = bool(session_distances)
    if device_totals_used:
        distance = float(sum(session_distances))
    elif read.last_distance is not None:
        distance = read.last_distance
    else:
        distance = _path_length(positions)

    timer = [s["total_timer_time"] for s in sessions if _number(s["total_timer_time"])]
    elapsed_totals = [s["total_elapsed_time"] for s in sessions if _number(s["total_elapsed_time"])]
    moving = round(sum(timer)) if timer else None
    if elapsed_totals:
        elapsed: int | None = round(sum(elapsed_totals))
    else:
        elapsed = _seconds_between(read.first_time, read.last_time)

    starts = [s["start_time"] for s in sessions if isinstance(s["start_time"], datetime)]
    started_at = min(starts) if starts else read.first_time
    if started_at is not None:
        started_at = started_at.astimezone(UTC)

    avg_hr, max_hr = _fit_heart_rate(sessions, read.heart_rates)
    ascents = [s["total_ascent"] for s in sessions if _number(s["total_ascent"])]
    gain = float(sum(ascents)) if ascents else _elevation_gain(read.altitudes)

    device_sport = "/".join(str(x) for x in (sport_name, sub_sport_name) if x is not None)
    return ParsedActivity(
        sport=sport,
        started_at=started_at,
        distance_m=round(distance, 2),
        moving_time_s=moving,
        elapsed_time_s=elapsed,
        avg_hr=avg_hr,
        max_hr=max_hr,
        elevation_gain_m=gain,
        source_format="fit",
        has_gps=has_gps,
        route=_downsample(positions),
        device_totals_used=device_totals_used,
        fingerprint=digest,
        device_sport=device_sport or None,
    )


def _fit_heart_rate(
    sessions: Sequence[dict[str, Any]], record_hr: Sequence[int]
) -> tuple[int | None, int | None]:
    weighted = [
        (s["avg_heart_rate"], s["total_timer_time"] or 0.0)
        for s in sessions
        if _heart_rate(s["avg_heart_rate"]) is not None
    ]
    total_weight = sum(w for _, w in weighted if _number(w))
    if weighted and total_weight > 0:
        avg_hr = round(sum(hr * w for hr, w in weighted) / total_weight)
    elif weighted:
        avg_hr = _mean([hr for hr, _ in weighted])
    else:
        avg_hr = _mean(record_hr)
    session_max = [
        s["max_heart_rate"] for s in sessions if _heart_rate(s["max_heart_rate"]) is not None
    ]
    if session_max:
        max_hr = max(session_max)
    else:
        max_hr = max(record_hr) if record_hr else None
    return avg_hr, max_hr


def _fit_name(value: Any, numbers: dict[int, str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return numbers.get(value, str(value))
    return str(value)


def _fit_sport(sport: str | None, sub_sport: str | None) -> str:
    if sub_sport in _HANDCYCLE_SUB_SPORTS:
        return "handcycle"
    if sport in _WHEELCHAIR_SPORTS:
        if sub_sport in _TRACK_SUB_SPORTS:
            return "track"
        if sub_sport in _INDOOR_SUB_SPORTS:
            return "roller"
        return "road"
    if sport == "para_sport":
        return "other"
    if sub_sport in _INDOOR_SUB_SPORTS:
        return "roller"
    if sub_sport == "strength_training":
        return "strength"
    return "other"


# ----------------------------------------------------------------------------------- helpers


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _heart_rate(value: Any) -> int | None:
    """A plausible heart rate in beats per minute, or None."""
    if isinstance(value, str):
        value = _float(value)
    if not _number(value):
        return None
    bpm = round(value)
    return bpm if 20 <= bpm <= 250 else None


def _seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return round((end - start).total_seconds())


def _mean(values: Sequence[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def _elevation_gain(elevations: list[float | None]) -> float | None:
    known = [e for e in elevations if e is not None]
    if len(known) < 2:
        return None
    uphill, _ = gpxpy.geo.calculate_uphill_downhill(elevations)
    return round(float(uphill), 1)


def _path_length(positions: Sequence[tuple[float, float]]) -> float:
    return gpxpy.geo.length_2d([gpxpy.geo.Location(lat, lon) for lat, lon in positions])


def _downsample(points: Iterable[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """At most :data:`ROUTE_POINTS` evenly spaced points, always keeping the first and last."""
    every = list(points)
    if len(every) > ROUTE_POINTS:
        last = len(every) - 1
        every = [every[round(i * last / (ROUTE_POINTS - 1))] for i in range(ROUTE_POINTS)]
    return tuple((round(lat, 5), round(lon, 5)) for lat, lon in every)

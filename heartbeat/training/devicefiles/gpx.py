"""GPX: a recorded track (``<trk>``), read into gpxpy's track model for its geodesy.

The points are read from the already checked ElementTree (``gpxpy.parse`` alone takes about
0.3 s on a marathon at one point a second); gpxpy then computes the 2D length, moving time and
smoothed elevation gain. Routes and waypoints are plans, not activities: a file of only those
is refused.
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from collections.abc import Iterator

import gpxpy.gpx

from heartbeat.training.devicefiles.activity import (
    GPX_NO_POINTS,
    XML_DAMAGED,
    ActivityFileError,
    ParsedActivity,
    heart_rate,
    mean,
    seconds_between,
    sport_from_label,
    to_float,
    to_time,
)
from heartbeat.training.devicefiles.budget import ParseBudget
from heartbeat.training.devicefiles.geometry import downsample
from heartbeat.training.devicefiles.safexml import namespace

_HR_TAGS = ("hr", "heartrate")
_HR_TAG_ENDINGS = ("}hr", "}heartrate")


def parse_gpx(root: StdET.Element, digest: str, budget: ParseBudget) -> ParsedActivity:
    ns = namespace(root)
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
            segment.points.extend(_points(trkseg, ns, heart_rates, budget))
    points = [p for track in gpx.tracks for s in track.segments for p in s.points]
    if not points:
        raise ActivityFileError(GPX_NO_POINTS)

    distance = gpx.length_2d()
    start, end = gpx.get_time_bounds()
    budget.check()
    moving = gpx.get_moving_data() if start else None
    budget.check()
    elevations = any(p.elevation is not None for p in points)
    gain = round(float(gpx.get_uphill_downhill().uphill), 1) if elevations else None
    label = labels[0] if labels else None
    return ParsedActivity(
        sport=sport_from_label(label),
        started_at=start,
        distance_m=round(distance, 2),
        moving_time_s=round(moving.moving_time) if moving else None,
        elapsed_time_s=seconds_between(start, end),
        avg_hr=mean(heart_rates),
        max_hr=max(heart_rates) if heart_rates else None,
        elevation_gain_m=gain,
        source_format="gpx",
        has_gps=True,
        route=downsample((p.latitude, p.longitude) for p in points),
        device_totals_used=False,
        fingerprint=digest,
        device_sport=label,
    )


def _points(
    trkseg: StdET.Element, ns: str, heart_rates: list[int], budget: ParseBudget
) -> Iterator[gpxpy.gpx.GPXTrackPoint]:
    ele_tag, time_tag, ext_tag = f"{ns}ele", f"{ns}time", f"{ns}extensions"
    for trkpt in trkseg.iterfind(f"{ns}trkpt"):
        budget.point()
        lat, lon = to_float(trkpt.get("lat")), to_float(trkpt.get("lon"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ActivityFileError(XML_DAMAGED, kind="GPX")
        yield gpxpy.gpx.GPXTrackPoint(
            lat,
            lon,
            elevation=to_float(trkpt.findtext(ele_tag)),
            time=to_time(trkpt.findtext(time_tag)),
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
            return heart_rate(element.text)
    return None

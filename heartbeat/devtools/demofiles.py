"""A believable device file for the demo centre: a GPX of laps of a 400 m track, as a watch
would record it (a point every 5 seconds, with heart rate), so the demo shows an imported
session, its route and the original file to download."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

# Bushy Park, south-west London: the demo centre's stand-in track.
CENTRE = (51.4133, -0.3372)
RADIUS_M = 400 / (2 * math.pi)
EARTH_M = 6_371_000


def track_gpx(start: datetime, *, laps: float = 7.5, speed_mps: float = 3.4) -> bytes:
    """``laps`` of the track from ``start`` (UTC) at about ``speed_mps``."""
    distance = 400 * laps
    step_s = 5
    points = int(distance / speed_mps / step_s) + 1
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="Heartbeat Miles demo" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">',
        "<trk><name>Track session</name><type>wheelchair</type><trkseg>",
    ]
    lat0, lon0 = CENTRE
    for i in range(points):
        angle = (i * step_s * speed_mps) / RADIUS_M
        north = RADIUS_M * math.sin(angle)
        east = RADIUS_M * math.cos(angle)
        lat = lat0 + math.degrees(north / EARTH_M)
        lon = lon0 + math.degrees(east / (EARTH_M * math.cos(math.radians(lat0))))
        when = (start + timedelta(seconds=i * step_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        hr = 112 + min(40, i // 4) + (i % 7)
        lines.append(
            f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>12.0</ele><time>{when}</time>'
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
            "</gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    lines.append("</trkseg></trk></gpx>")
    return ("\n".join(lines) + "\n").encode("utf-8")

"""Geometry of a recorded track: its length, a preview of its route, the climbing in it.

gpxpy does the geodesy (the same formulas for every format, so a GPX and a FIT of one ride agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import gpxpy.geo

#: Points kept in :attr:`~.activity.ParsedActivity.route` for a preview.
ROUTE_POINTS = 200


def path_length(positions: Sequence[tuple[float, float]]) -> float:
    """Metres along ``(lat, lon)`` positions, on the ground (2D)."""
    return gpxpy.geo.length_2d([gpxpy.geo.Location(lat, lon) for lat, lon in positions])


def elevation_gain(elevations: list[float | None]) -> float | None:
    """Metres climbed, smoothed as gpxpy smooths a GPX track; None with fewer than two readings."""
    known = [e for e in elevations if e is not None]
    if len(known) < 2:
        return None
    uphill, _ = gpxpy.geo.calculate_uphill_downhill(elevations)
    return round(float(uphill), 1)


def downsample(points: Iterable[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """At most :data:`ROUTE_POINTS` evenly spaced points, always keeping the first and last."""
    every = list(points)
    if len(every) > ROUTE_POINTS:
        last = len(every) - 1
        every = [every[round(i * last / (ROUTE_POINTS - 1))] for i in range(ROUTE_POINTS)]
    return tuple((round(lat, 5), round(lon, 5)) for lat, lon in every)

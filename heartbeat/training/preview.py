"""A small route preview: the track as an SVG path, with words for people who cannot see it.

Pure: no Flask, no database. The session page draws the path inline (no script, no map tiles,
nothing fetched) and puts :attr:`RoutePreview.description` beside it as the text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from heartbeat.core.i18n import _
from heartbeat.core.units import Units, format_distance

EARTH_RADIUS_M = 6_371_008.8
LOOP_WITHIN_M = 150.0  # start and finish this close: a loop (or an out-and-back)
_COMPASS = (
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
)


@dataclass(frozen=True, slots=True)
class RoutePreview:
    width: int
    height: int
    path: str  # SVG path data
    start: tuple[float, float]
    finish: tuple[float, float]
    loop: bool
    description: str


def _metres(points: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    """Points as (east, north) metres from the first, on a local flat projection."""
    lat0 = math.radians(sum(p[0] for p in points) / len(points))
    scale = math.pi / 180 * EARTH_RADIUS_M
    origin_lat, origin_lon = points[0][0], points[0][1]
    return [
        ((lon - origin_lon) * scale * math.cos(lat0), (lat - origin_lat) * scale)
        for lat, lon, *_ in points
    ]


def _direction(east: float, north: float) -> str:
    angle = math.degrees(math.atan2(east, north)) % 360
    return _COMPASS[round(angle / 45) % 8]


def _finishes(direction: str, distance: str) -> str:
    """ "It finishes about 2 km north-east of the start.": one sentence for each direction."""
    sentences = {
        "north": _("It finishes about %(distance)s north of the start.", distance=distance),
        "north-east": _(
            "It finishes about %(distance)s north-east of the start.", distance=distance
        ),
        "east": _("It finishes about %(distance)s east of the start.", distance=distance),
        "south-east": _(
            "It finishes about %(distance)s south-east of the start.", distance=distance
        ),
        "south": _("It finishes about %(distance)s south of the start.", distance=distance),
        "south-west": _(
            "It finishes about %(distance)s south-west of the start.", distance=distance
        ),
        "west": _("It finishes about %(distance)s west of the start.", distance=distance),
        "north-west": _(
            "It finishes about %(distance)s north-west of the start.", distance=distance
        ),
    }
    return sentences[direction]


def route_preview(
    route: Sequence[Sequence[float]] | None,
    *,
    units: Units = "km",
    width: int = 320,
    height: int = 220,
    padding: int = 14,
) -> RoutePreview | None:
    """The preview of a ``[[lat, lon], ...]`` route, or None when there is nothing to draw."""
    points = [p for p in (route or []) if len(p) >= 2]
    if len(points) < 2:
        return None
    xy = _metres(points)
    xs, ys = [point[0] for point in xy], [point[1] for point in xy]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    if span_x < 1 and span_y < 1:
        return None  # the device never moved (or only by GPS jitter)
    inner_w, inner_h = width - 2 * padding, height - 2 * padding
    scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
    off_x = padding + (inner_w - span_x * scale) / 2
    off_y = padding + (inner_h - span_y * scale) / 2

    def place(x: float, y: float) -> tuple[float, float]:
        # SVG's y grows downwards; north is up.
        return (round(off_x + (x - min(xs)) * scale, 1), round(off_y + (max(ys) - y) * scale, 1))

    drawn = [place(x, y) for x, y in xy]
    path = "M" + " L".join(f"{x} {y}" for x, y in drawn)
    end_east, end_north = xy[-1]
    apart = math.hypot(end_east, end_north)
    loop = apart <= LOOP_WITHIN_M
    if loop:
        ends = _("It starts and finishes in the same place.")
    else:
        ends = _finishes(_direction(end_east, end_north), format_distance(apart, units))
    description = _(
        "Route map. %(ends)s It covers an area about %(width)s east to west and %(height)s north"
        " to south; north is up.",
        ends=ends,
        width=format_distance(span_x, units),
        height=format_distance(span_y, units),
    )
    return RoutePreview(width, height, path, drawn[0], drawn[-1], loop, description)

"""Units and their text: metres and seconds everywhere in the data, km or miles on the page;
moments stored in UTC, read in a centre's time zone.

No database; the numbers and month names follow the reader's language (``core.i18n``; English
is Python's own formatting). Every feature shows distances, durations, paces, days and times through
these (which units and which zone a page uses: ``auth.viewer``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from heartbeat.core.i18n import date_text, gettext, number

Units = Literal["km", "mi"]


def units_of(setting: str) -> Units:
    """A centre's setting ("km" or "mi", as text or as a str enum) as :data:`Units`."""
    if setting == "km":
        return "km"
    if setting == "mi":
        return "mi"
    raise ValueError(f"units must be 'km' or 'mi', not {setting!r}")


METRES_PER_KM = 1000.0
METRES_PER_MILE = 1609.344


# --- units -----------------------------------------------------------------------------------


def metres_to_km(metres: float) -> float:
    return metres / METRES_PER_KM


def km_to_metres(km: float) -> float:
    return km * METRES_PER_KM


def metres_to_miles(metres: float) -> float:
    return metres / METRES_PER_MILE


def miles_to_metres(miles: float) -> float:
    return miles * METRES_PER_MILE


def _round_half_up(value: float, places: int) -> Decimal:
    # Decimal(str(...)) so 42.195 rounds to 42.2 as people expect, not to binary 42.1999...
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _format_km(metres: float) -> str:
    if metres == 0:
        return "0 km"
    whole_metres = _round_half_up(metres, 0)
    if whole_metres < 1000:
        return f"{number(whole_metres)} m"
    return f"{number(_round_half_up(metres_to_km(metres), 1))} km"


def _format_miles(metres: float) -> str:
    if metres == 0:
        return "0 mi"
    miles = metres_to_miles(metres)
    hundredths = _round_half_up(miles, 2)
    if hundredths < 1:
        return f"{number(hundredths)} mi"
    return f"{number(_round_half_up(miles, 1))} mi"


def format_distance(metres: float, units: Units = "km", both: bool = False) -> str:
    """A distance for people: ``"7.2 km"``, ``"4.5 mi"``, or ``"7.2 km (4.5 mi)"`` with ``both``.

    One decimal, rounded half up (a marathon is "42.2 km", "26.2 mi"); under 1 km it is whole
    metres ("400 m"), under a mile two decimals ("0.25 mi"); thousands are grouped
    ("1,609.3 km"). ``both`` puts the other unit in brackets after the chosen one.
    """
    if metres < 0:
        raise ValueError("a distance cannot be negative")
    if units not in ("km", "mi"):
        raise ValueError(f"units must be 'km' or 'mi', not {units!r}")
    first, second = (_format_km, _format_miles) if units == "km" else (_format_miles, _format_km)
    text = first(metres)
    return f"{text} ({second(metres)})" if both else text


def format_duration(seconds: float) -> str:
    """``4667`` -> ``"1:17:47"``; ``2525`` -> ``"42:05"``; ``45`` -> ``"0:45"``."""
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    total = int(_round_half_up(seconds, 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def pace_s_per_km(distance_m: float, duration_s: float) -> float | None:
    """Seconds per kilometre, or None without a distance and a time."""
    if not distance_m or not duration_s or distance_m <= 0 or duration_s <= 0:
        return None
    return duration_s / metres_to_km(distance_m)


def pace_s_per_mile(distance_m: float, duration_s: float) -> float | None:
    """Seconds per mile, or None without a distance and a time."""
    if not distance_m or not duration_s or distance_m <= 0 or duration_s <= 0:
        return None
    return duration_s / metres_to_miles(distance_m)


def format_pace(distance_m: float, duration_s: float | None, units: Units = "km") -> str | None:
    """``"1:51 /km"`` or ``"2:58 /mi"``; None when distance or time is missing or zero."""
    if duration_s is None:
        return None
    if units not in ("km", "mi"):
        raise ValueError(f"units must be 'km' or 'mi', not {units!r}")
    pace = (pace_s_per_km if units == "km" else pace_s_per_mile)(distance_m, duration_s)
    if pace is None:
        return None
    return f"{format_duration(pace)} /{units}"


def format_speed(distance_m: float, duration_s: float | None, units: Units = "km") -> str | None:
    """``"32.5 km/h"`` or ``"20.2 mph"`` (racers often think in speed); None without data."""
    if not duration_s or duration_s <= 0 or not distance_m or distance_m <= 0:
        return None
    if units not in ("km", "mi"):
        raise ValueError(f"units must be 'km' or 'mi', not {units!r}")
    hours = duration_s / 3600
    if units == "km":
        return f"{number(_round_half_up(metres_to_km(distance_m) / hours, 1))} km/h"
    return f"{number(_round_half_up(metres_to_miles(distance_m) / hours, 1))} mph"


# --- short forms for pages and charts ----------------------------------------------------------


def day_text(day: date | None) -> str:
    """``3 Jun 2025`` (empty for no date)."""
    return f"{day.day} {date_text(day, '%b %Y')}" if day else ""


def short_day(day: date) -> str:
    """``3 Jun``: a date under a chart."""
    return f"{day.day} {date_text(day, '%b')}"


def distance_text(metres: float, units: Units = "km") -> str:
    """``format_distance`` without a trailing ".0": "10 km", "7.2 km", "26.2 mi"."""
    return format_distance(metres, units).replace(".0 ", " ")


def distance_of_text(done_m: float, target_m: float, units: Units = "km") -> str:
    """Progress toward a target, both numbers in one unit: "0 m of 100 m", "0.4 km of 5 km",
    "1.2 mi of 3.1 mi" (never "0 km of 100 m"). The target chooses the unit, as
    ``distance_text`` would write it alone; the distance done follows it.
    """
    if done_m < 0 or target_m < 0:
        raise ValueError("a distance cannot be negative")
    target = distance_text(target_m, units)
    unit = target.rsplit(" ", 1)[1]
    if unit == "m":
        done = f"{number(_round_half_up(done_m, 0))} m"
    elif unit == "km":
        done = f"{number(_round_half_up(metres_to_km(done_m), 1))} km"
    else:
        places = 2 if target_m < METRES_PER_MILE else 1
        done = f"{number(_round_half_up(metres_to_miles(done_m), places))} mi"
    done = done.replace(".0 ", " ").replace(".00 ", " ")
    return gettext("%(done)s of %(target)s", done=done, target=target)


def to_units(metres: float, units: Units = "km") -> float:
    """Metres as kilometres or miles."""
    return metres_to_miles(metres) if units == "mi" else metres_to_km(metres)


# --- moments ---------------------------------------------------------------------------------

MOMENT = "%d %b %Y, %H:%M"


def zone_label(moment: datetime) -> str:
    """The zone's short name at that moment: "PST" in winter, "PDT" in summer, "UTC"."""
    return moment.tzname() or "UTC"


def moment_text(
    moment: datetime, zone: tzinfo, pattern: str = MOMENT, *, label: bool = False
) -> str:
    """A stored UTC moment as the clock read in ``zone``: ``"02 Dec 2026, 05:30"``, and with
    ``label`` the zone's short name after it (``"02 Dec 2026, 05:30 PST"``). A naive value is
    taken as UTC, as everything stored is."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    text = date_text(local, pattern)
    return f"{text} {zone_label(local)}" if label else text

"""Reading a planned session's targets from a form: the kind, a distance or a time, RPE always,
a heart-rate zone where it means something. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from heartbeat.core.edits import InputError
from heartbeat.core.i18n import _, _l
from heartbeat.training.kinds import SessionKind
from heartbeat.training.parsing import parse_date, parse_distance, parse_duration

HR_ZONES = {
    1: _l("Zone 1: very easy"),
    2: _l("Zone 2: easy, can talk"),
    3: _l("Zone 3: steady"),
    4: _l("Zone 4: threshold"),
    5: _l("Zone 5: maximal"),
}
# What a plan may ask for: a race is entered, not planned as training.
PLANNED_KINDS = [kind for kind in SessionKind if kind != SessionKind.RACE]
MAX_DISTANCE_M = 50_000.0
MAX_DURATION_S = 6 * 3600
MAX_WEEKS = 26


class PlanInputError(InputError):
    """Input a plan cannot take; ``field_errors`` names the fields to blame."""


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def read_targets(raw: Mapping[str, Any], units: str) -> dict[str, Any]:
    """``kind``, ``distance``, ``duration``, ``rpe``, ``hr_zone``, ``notes`` as typed, to the
    model's values; every problem at once, on its field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        kind = SessionKind(_text(raw, "kind"))
        if kind not in PLANNED_KINDS:
            raise ValueError
        values["kind"] = kind
    except ValueError:
        errors["kind"] = _("Choose the kind of session.")
    distance = _text(raw, "distance")
    duration = _text(raw, "duration")
    values["target_distance_m"] = None
    values["target_duration_s"] = None
    if distance:
        try:
            metres = parse_distance(distance, units)
            if not 0 < metres <= MAX_DISTANCE_M:
                raise ValueError(_("A planned distance is more than 0 and at most 50 km."))
            values["target_distance_m"] = round(metres, 1)
        except ValueError as error:
            errors["distance"] = str(error)
    if duration:
        try:
            seconds = parse_duration(duration)
            if not 0 < seconds <= MAX_DURATION_S:
                raise ValueError(_("A planned time is more than 0 and at most 6 hours."))
            values["target_duration_s"] = seconds
        except ValueError as error:
            errors["duration"] = str(error)
    if not distance and not duration and "distance" not in errors:
        errors["distance"] = _("Give a target distance or a target time (or both).")
    rpe = _text(raw, "rpe")
    if rpe.isdigit() and 0 <= int(rpe) <= 10:
        values["target_rpe"] = int(rpe)
    else:
        errors["rpe"] = _("Choose the target effort (RPE 0 to 10).")
    zone = _text(raw, "hr_zone")
    if zone == "":
        values["hr_zone"] = None
    elif zone.isdigit() and int(zone) in HR_ZONES:
        values["hr_zone"] = int(zone)
    else:
        errors["hr_zone"] = _("Choose a zone from 1 to 5, or none.")
    notes = _text(raw, "notes")
    if len(notes) > 2000:
        errors["notes"] = _("Keep the notes under %(num)s characters.", num=2000)
    values["notes"] = notes or None
    if errors:
        raise PlanInputError(_("Check the session's targets."), errors)
    return values


def read_day(text: str | None, field: str = "on") -> date:
    try:
        return parse_date(text or "")
    except ValueError:
        raise PlanInputError(
            _("Enter a date."), {field: _("Enter a date, such as 2026-03-02.")}
        ) from None


def describe_target(distance_m: float | None, duration_s: int | None, units: str) -> str:
    """ "5 km", "30 min", "5 km in about 30 min": what the plan asks for, in words."""
    from heartbeat.core.units import format_distance, format_duration

    distance = format_distance(distance_m, units) if distance_m else ""  # type: ignore[arg-type]
    time = ""
    if duration_s:
        time = f"{duration_s // 60} min" if duration_s % 60 == 0 else format_duration(duration_s)
    if distance and time:
        return _("%(distance)s in about %(time)s", distance=distance, time=time)
    return distance or time

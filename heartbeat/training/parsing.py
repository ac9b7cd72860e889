"""Reading a session from text: what a browser form or a CSV cell sends.

Pure: no Flask, no database. Numbers take a decimal comma, distances the centre's unit or one
typed after them (``400 m``), durations ``h:mm:ss`` or ``mm:ss``; :func:`read_session` reads a
whole session and hands it to :func:`heartbeat.training.values.clean_session` for the rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from heartbeat.core.i18n import _
from heartbeat.core.units import METRES_PER_KM, METRES_PER_MILE
from heartbeat.training.dates import ON_A_FORM, HistoryWording, Timeline
from heartbeat.training.models import PainSite, SessionKind
from heartbeat.training.values import (
    COLUMNS,
    TEXT_LIMITS,
    UNIT_METRES,
    SessionValueError,
    clean_session,
)

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*([A-Za-z]*)\s*$")
_DISTANCE_UNITS = {
    "": None,
    "m": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "km": METRES_PER_KM,
    "k": METRES_PER_KM,
    "mi": METRES_PER_MILE,
    "mile": METRES_PER_MILE,
    "miles": METRES_PER_MILE,
}
# An ISO start with a time of day after its date ("2025-05-01T08:30", "2025-05-01 08:30").
_HAS_TIME = re.compile(r"[Tt ]\d")
_CLOCK = re.compile(r"^\s*(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?(?:[.,](\d+))?\s*$")
_TRUE = {"1", "y", "yes", "true", "on", "x"}
_FALSE = {"", "0", "n", "no", "false", "off"}
_KIND_WORDS: dict[str, SessionKind] = {
    **{kind.value: kind for kind in SessionKind},
    **{kind.english_label.lower(): kind for kind in SessionKind},
    "rollers": SessionKind.ROLLER,
    "trainer": SessionKind.ROLLER,
    "hand-cycle": SessionKind.HANDCYCLE,
    "hand cycle": SessionKind.HANDCYCLE,
    "handbike": SessionKind.HANDCYCLE,
    "strength and conditioning": SessionKind.STRENGTH,
    "conditioning": SessionKind.STRENGTH,
    "skill": SessionKind.SKILLS,
    "technique": SessionKind.SKILLS,
}


# --- text to values -----------------------------------------------------------------------------


def parse_decimal(text: str) -> float:
    if text.isascii() and text.isdigit():
        return float(text)
    match = _NUMBER.match(text)
    if not match or match.group(2):
        raise ValueError(_("Enter a number, such as 5.2."))
    value = float(match.group(1).replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(_("Enter a number, such as 5.2."))
    return value


def parse_distance(text: str, units: str) -> float:
    """``"5.2"`` in the centre's ``units`` (``km``, ``mi`` or ``m``), or ``"400 m"``, ``"3.1 mi"``.

    Returns metres. A decimal comma is accepted (``"5,2"``); thousands separators are not.
    """
    match = _NUMBER.match(text)
    if not match:
        raise ValueError(_distance_as_number(units))
    unit_word = match.group(2).lower()
    if unit_word not in _DISTANCE_UNITS:
        raise ValueError(_("Give the distance in km, mi or m, such as 5.2 or 400 m."))
    factor = _DISTANCE_UNITS[unit_word] or UNIT_METRES[units]
    value = float(match.group(1).replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(_("Enter the distance as a number."))
    return value * factor


def parse_duration(text: str) -> int:
    """``"1:02:03"`` (h:mm:ss) or ``"42:05"`` (mm:ss) to whole seconds; a bare number is minutes.

    Tenths after the seconds are rounded (``"42:05.6"`` is 2526 s).
    """
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(_("Enter the time as h:mm:ss or mm:ss, such as 1:05:30 or 42:05."))
    first, second, third, fraction = match.groups()
    if second is None:
        if fraction is not None:
            return round(float(f"{first}.{fraction}") * 60)
        return int(first) * 60
    if third is None:
        minutes, seconds = int(first), int(second)
        hours = 0
    else:
        hours, minutes, seconds = int(first), int(second), int(third)
        if minutes > 59:
            raise ValueError(_("Minutes go up to 59: write h:mm:ss, such as 1:05:30."))
    if seconds > 59:
        raise ValueError(_("Seconds go up to 59: write h:mm:ss or mm:ss, such as 42:05."))
    total = hours * 3600 + minutes * 60 + seconds
    if fraction is not None:
        total = round(total + float(f"0.{fraction}"))
    return total


def parse_int(text: str, what: str) -> int:
    """A whole number; ``what`` names it in the message (a key of :data:`_WHOLE_NUMBER`)."""
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        value = parse_decimal(text)
    except ValueError:
        raise ValueError(_whole_number(what)) from None
    if value != int(value):
        raise ValueError(_whole_number(what))
    return int(value)


def _whole_number(what: str) -> str:
    """ "Enter the RPE as a whole number.": one sentence for each, for the translations."""
    messages = {
        "the push cadence": _("Enter the push cadence as a whole number."),
        "the heart rate": _("Enter the heart rate as a whole number."),
        "the RPE": _("Enter the RPE as a whole number."),
        "the pain score": _("Enter the pain score as a whole number."),
        "the place": _("Enter the place as a whole number."),
    }
    return messages.get(what) or f"Enter {what} as a whole number."


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("Enter a real date as YYYY-MM-DD, such as 2025-05-01.")) from None


def parse_time(text: str) -> time:
    match = re.match(r"^\s*(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*$", text)
    if not match:
        raise ValueError(_("Enter the start time as hh:mm, such as 09:30."))
    hours, minutes, seconds = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(_("Enter a real time of day as hh:mm, such as 09:30 or 18:45."))
    return time(hours, minutes, seconds)


def parse_kind(text: str) -> SessionKind:
    kind = _KIND_WORDS.get(" ".join(text.lower().split()))
    if kind is None:
        choices = ", ".join(kind.value for kind in SessionKind)
        raise ValueError(_("Choose the kind of session: one of %(choices)s.", choices=choices))
    return kind


def parse_pain_site(text: str) -> PainSite:
    try:
        return PainSite(text.strip().lower())
    except ValueError:
        choices = ", ".join(site.value for site in PainSite)
        raise ValueError(_("Choose where it hurt: one of %(choices)s.", choices=choices)) from None


def parse_flag(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    word = str(text or "").strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(_("Answer yes or no."))


def local_datetime(day: date, at: time, tz: tzinfo) -> datetime:
    """A wall-clock time at the centre as aware UTC."""
    return datetime.combine(day, at).replace(tzinfo=tz).astimezone(UTC)


def parse_started_at(text: str, tz: tzinfo) -> datetime:
    """ISO 8601 ``2025-05-01T08:30`` (the centre's local time) or with an offset.

    A date alone is refused: it would silently start the session at midnight.
    """
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("Enter the start as YYYY-MM-DD hh:mm, such as 2025-05-01 08:30.")
        ) from None
    if not _HAS_TIME.search(text):
        raise ValueError(_("Give the start time too, such as 2025-05-01 08:30."))
    if value.tzinfo is None:
        return value.replace(tzinfo=tz).astimezone(UTC)
    return value.astimezone(UTC)


def _distance_as_number(units: str) -> str:
    """ "Enter the distance as a number of kilometres, such as 5.2.", in the reader's units."""
    return {
        "km": _("Enter the distance as a number of kilometres, such as 5.2."),
        "mi": _("Enter the distance as a number of miles, such as 5.2."),
        "m": _("Enter the distance as a number of metres, such as 5.2."),
    }[units]


# Plain parsers by input field: (stored column, parse(text)).
_PARSERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "kind": ("kind", lambda text: parse_kind(text)),
    "duration": ("moving_time_s", lambda text: parse_duration(text)),
    "cadence": ("cadence_ppm", lambda text: parse_int(text, "the push cadence")),
    "avg_hr": ("avg_hr", lambda text: parse_int(text, "the heart rate")),
    "max_hr": ("max_hr", lambda text: parse_int(text, "the heart rate")),
    "rpe": ("rpe", lambda text: parse_int(text, "the RPE")),
    "pain": ("pain", lambda text: parse_int(text, "the pain score")),
    "pain_site": ("pain_site", lambda text: parse_pain_site(text)),
    "symptom_reported": ("symptom_reported", lambda text: parse_flag(text)),
    "before_enrolment": ("before_enrolment", lambda text: parse_flag(text)),
    "official_time": ("official_time_s", lambda text: parse_duration(text)),
    "place_in_class": ("place_in_class", lambda text: parse_int(text, "the place")),
    **{name: (name, lambda text: text) for name in TEXT_LIMITS},
}
_EMPTY = dict.fromkeys((parser[0] for parser in _PARSERS.values()), None)
# The inputs ``read_session`` refuses when blank:
# the session forms mark exactly these as required.
REQUIRED_INPUTS = frozenset({"date", "time", "kind"})


def read_session(
    raw: Mapping[str, Any],
    *,
    units: str,
    tz: tzinfo,
    now: datetime,
    timeline: Timeline | None,
    wording: HistoryWording = ON_A_FORM,
) -> dict[str, Any]:
    """Input text (form fields or CSV cells, keyed as in :data:`COLUMNS`) to clean column values.

    ``raw`` may hold ``started_at`` (ISO text) instead of ``date`` and ``time``. Fields left out
    are empty. ``timeline`` holds the date to the participant's birth and enrolment (see
    ``values.date_problem``). Raises :class:`SessionValueError` naming every field that needs
    attention.
    """
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {
        **_EMPTY,
        "distance_m": None,
        "symptom_reported": False,
        "before_enrolment": False,
    }
    text_of: dict[str, str] = {}
    # One pass over what was given (a CSV row may hold a few of the fields): blanks are skipped.
    for name, text in raw.items():
        if text is None:
            continue
        if isinstance(text, str):
            text = text.strip()
            if not text:
                continue
        parser = _PARSERS.get(name)
        if parser is None:
            text_of[name] = text  # the date, the time, the distance: read below
            continue
        try:
            typed[parser[0]] = parser[1](text)
        except ValueError as error:
            errors[name] = str(error)
    typed["symptom_reported"] = bool(typed["symptom_reported"])
    typed["before_enrolment"] = bool(typed["before_enrolment"])

    if "started_at" in text_of:
        try:
            typed["started_at"] = parse_started_at(text_of["started_at"], tz)
        except ValueError as error:
            errors["date"] = str(error)
            typed["started_at"] = None
    else:
        day = at = None
        try:
            day = parse_date(text_of["date"]) if "date" in text_of else None
        except ValueError as error:
            errors["date"] = str(error)
        try:
            at = parse_time(text_of["time"]) if "time" in text_of else None
        except ValueError as error:
            errors["time"] = str(error)
        if day is None and "date" not in errors:
            errors["date"] = _("Enter the date of the session.")
        if at is None and "time" not in errors:
            # Never midnight by default: the start places a session in its day and its week.
            errors["time"] = _("Enter the start time, such as 09:30.")
        typed["started_at"] = local_datetime(day, at, tz) if day and at else None
    if "distance" in text_of:
        try:
            typed["distance_m"] = parse_distance(text_of["distance"], units)
        except ValueError as error:
            errors["distance"] = str(error)
    if "kind" not in errors and typed["kind"] is None:
        errors["kind"] = _("Choose the kind of session.")

    try:
        clean = clean_session(
            typed,
            now=now,
            skip=_columns_with_errors(errors),
            timeline=timeline,
            wording=wording,
        )
    except SessionValueError as error:
        for name, message in error.field_errors.items():
            errors.setdefault(name, message)
        clean = {}
    if errors:
        raise SessionValueError(errors)
    return clean


def _columns_with_errors(errors: Mapping[str, str]) -> set[str]:
    return {COLUMNS.get(name, name) for name in errors}

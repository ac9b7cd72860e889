"""The rules a training session keeps, its fields and labels, and its values as input text.

Pure: no Flask, no database. The session form, the participant's self-report form, the CSV import
and the device-file import all come through :func:`clean_session`, so a session is held to the
same rules whichever way it arrives (text is read first by :mod:`heartbeat.training.parsing`).
Stored values are SI: metres and whole seconds, times aware UTC.

Every entry path also passes the participant's ``dates.Timeline``: a session dated before they were
born is refused, and one before their enrolment is saved only as history, when the person entering
it says so (``dates.date_problem``, the one rule; an API will call it through ``clean_session``).

Errors are collected per field, never one at a time: :class:`SessionValueError` carries a message
for every field that needs attention, keyed by the *input* field name (``date``, ``distance``,
``duration``...), which is also the form field and the CSV column.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from heartbeat.core.i18n import _, _l
from heartbeat.core.units import METRES_PER_KM, METRES_PER_MILE
from heartbeat.training.dates import ON_A_FORM, HistoryWording, Timeline, date_problem
from heartbeat.training.models import PainSite, SessionKind

MAX_DISTANCE_M = 500_000.0  # 500 km: no push or ride in a day comes near it
MAX_DURATION_S = 48 * 3600
MAX_SPEED_M_S = 60 / 3.6  # 60 km/h on average: faster than any wheelchair racer or hand-cyclist
HR_MIN, HR_MAX = 25, 250
CADENCE_MAX = 300
PLACE_MAX = 10_000
MAX_ELEVATION_GAIN_M = 20_000.0
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)

TEXT_LIMITS = {"surface": 80, "weather": 80, "chair": 120, "notes": 4000, "event_name": 200}

# Input field -> stored column.
COLUMNS: dict[str, str] = {
    "date": "started_at",
    "time": "started_at",
    "kind": "kind",
    "distance": "distance_m",
    "duration": "moving_time_s",
    "cadence": "cadence_ppm",
    "avg_hr": "avg_hr",
    "max_hr": "max_hr",
    "rpe": "rpe",
    "pain": "pain",
    "pain_site": "pain_site",
    "symptom_reported": "symptom_reported",
    "surface": "surface",
    "weather": "weather",
    "chair": "chair",
    "notes": "notes",
    "event_name": "event_name",
    "official_time": "official_time_s",
    "place_in_class": "place_in_class",
    "before_enrolment": "before_enrolment",
}
# Stored column -> the input field its errors belong to.
FIELD_OF: dict[str, str] = {
    **{column: name for name, column in COLUMNS.items()},
    "started_at": "date",
    "elapsed_time_s": "duration",
    "elevation_gain_m": "distance",
}

# Stored columns a person edits, with the labels pages and the audit trail use.
LABELS: dict[str, str] = {
    "started_at": "Date and start time",
    "kind": "Kind of session",
    "distance_m": "Distance",
    "moving_time_s": "Time",
    "cadence_ppm": "Push cadence",
    "avg_hr": "Average heart rate",
    "max_hr": "Maximum heart rate",
    "rpe": "RPE (effort, 0 to 10)",
    "pain": "Pain (0 to 10)",
    "pain_site": "Where it hurt",
    "symptom_reported": "Symptom reported",
    "surface": "Surface",
    "weather": "Weather",
    "chair": "Chair used",
    "notes": "Notes",
    "event_name": "Event",
    "official_time_s": "Official time",
    "place_in_class": "Place in class",
    "before_enrolment": "History from before enrolment",
}
EDITABLE: tuple[str, ...] = tuple(LABELS)

# Borg CR10 anchors, as the scale prints them.
RPE_LABELS = {
    0: _l("Rest"),
    1: _l("Very, very easy"),
    2: _l("Easy"),
    3: _l("Moderate"),
    4: _l("Somewhat hard"),
    5: _l("Hard"),
    6: _l("Hard +"),
    7: _l("Very hard"),
    8: _l("Very hard +"),
    9: _l("Very, very hard"),
    10: _l("Maximal"),
}
PAIN_LABELS = {
    0: _l("No pain"),
    1: _l("Very mild"),
    3: _l("Mild"),
    5: _l("Moderate"),
    7: _l("Severe"),
    10: _l("Worst imaginable"),
}

UNIT_METRES = {"m": 1.0, "km": METRES_PER_KM, "mi": METRES_PER_MILE}


class SessionValueError(ValueError):
    """Values that cannot be saved; ``field_errors`` maps input field names to messages."""

    def __init__(self, field_errors: Mapping[str, str], message: str = "") -> None:
        self.field_errors = dict(field_errors)
        super().__init__(message or _("Some values need attention."))


# --- the rules a session keeps ------------------------------------------------------------------


def clean_session(
    values: Mapping[str, Any],
    *,
    now: datetime,
    skip: set[str] | frozenset[str] = frozenset(),
    timeline: Timeline | None,
    wording: HistoryWording = ON_A_FORM,
) -> dict[str, Any]:
    """Typed column values checked against every rule; raises naming each failing input field.

    Columns in ``skip`` already failed to parse: they are not reported twice. ``timeline`` holds
    the session to the participant's dates (``dates.date_problem``): it has no default, so every
    entry path says which participant's dates apply (``services.timeline_of``), or ``None`` only
    where they were checked already.
    """
    errors: dict[str, str] = {}

    def fail(column: str, message: str) -> None:
        if column not in skip:
            errors.setdefault(FIELD_OF.get(column, column), message)

    clean: dict[str, Any] = {}
    started_at = values.get("started_at")
    if started_at is None:
        fail("started_at", _("Enter the date of the session."))
    elif started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    elif started_at > now:
        fail("started_at", _("The session cannot be in the future."))
    elif started_at < EARLIEST:
        fail("started_at", _("Check the year: sessions start from 1980."))
    elif timeline is not None and (
        problem := date_problem(
            started_at,
            timeline,
            history=bool(values.get("before_enrolment")),
            wording=wording,
        )
    ):
        fail(problem.column, problem.message)
    clean["started_at"] = started_at
    clean["before_enrolment"] = bool(values.get("before_enrolment"))

    kind = values.get("kind")
    if kind is not None and not isinstance(kind, SessionKind):
        try:
            kind = SessionKind(kind)
        except ValueError:
            fail("kind", _("Choose the kind of session from the list."))
            kind = None
    if kind is None:
        fail("kind", _("Choose the kind of session."))
    clean["kind"] = kind

    distance = values.get("distance_m")
    if distance is not None:
        if distance < 0:
            fail("distance_m", _("The distance cannot be negative."))
        elif distance > MAX_DISTANCE_M:
            fail("distance_m", _("That is more than 500 km: check the distance and its unit."))
    clean["distance_m"] = float(distance) if distance is not None else 0.0

    for column in ("moving_time_s", "elapsed_time_s"):
        seconds = values.get(column)
        moving = column == "moving_time_s"
        if seconds is not None:
            if seconds <= 0:
                fail(
                    column,
                    _("The time must be more than zero.")
                    if moving
                    else _("The elapsed time must be more than zero."),
                )
            elif seconds > MAX_DURATION_S:
                fail(
                    column,
                    _("The time is more than 48 hours: check it (h:mm:ss).")
                    if moving
                    else _("The elapsed time is more than 48 hours: check it (h:mm:ss)."),
                )
        clean[column] = int(seconds) if seconds is not None else None

    duration = clean["moving_time_s"] or clean["elapsed_time_s"]
    if (
        not clean["distance_m"]
        and duration is None
        and not {"distance_m", "moving_time_s"} & set(skip)
    ):
        fail("distance_m", _("Enter the distance, the time, or both."))
    if duration is not None and duration > 0 and too_fast(clean["distance_m"], duration):
        fail(
            "distance_m",
            _("That is faster than 60 km/h on average: check the distance and the time."),
        )

    _bounded(
        values,
        clean,
        fail,
        "cadence_ppm",
        1,
        CADENCE_MAX,
        _("Push cadence is pushes per minute: between 1 and %(max)s.", max=CADENCE_MAX),
    )
    for column in ("avg_hr", "max_hr"):
        _bounded(
            values,
            clean,
            fail,
            column,
            HR_MIN,
            HR_MAX,
            _(
                "Heart rate must be between %(low)s and %(high)s beats per minute.",
                low=HR_MIN,
                high=HR_MAX,
            ),
        )
    if (
        clean["avg_hr"] is not None
        and clean["max_hr"] is not None
        and clean["max_hr"] < clean["avg_hr"]
    ):
        fail("max_hr", _("The maximum heart rate cannot be below the average."))
    _bounded(values, clean, fail, "rpe", 0, 10, _("RPE is on the Borg CR10 scale: 0 to 10."))
    _bounded(values, clean, fail, "pain", 0, 10, _("Pain is scored from 0 to 10 (0 is no pain)."))

    site = values.get("pain_site")
    if site is not None and not isinstance(site, PainSite):
        try:
            site = PainSite(site)
        except ValueError:
            fail("pain_site", _("Choose where it hurt from the list."))
            site = None
    if site is not None and not clean["pain"] and "pain" not in skip:
        fail("pain", _("Give a pain score above 0 to record where it hurt."))
    clean["pain_site"] = site
    clean["symptom_reported"] = bool(values.get("symptom_reported"))

    for column, limit in TEXT_LIMITS.items():
        text = values.get(column)
        text = str(text).strip() if text is not None else ""
        if len(text) > limit:
            fail(column, _("Use at most %(num)s characters.", num=limit))
        clean[column] = text or None

    _bounded(
        values,
        clean,
        fail,
        "official_time_s",
        1,
        MAX_DURATION_S,
        _("The official time must be more than zero and at most 48 hours."),
    )
    _bounded(
        values,
        clean,
        fail,
        "place_in_class",
        1,
        PLACE_MAX,
        _("The place is a whole number from 1 to %(num)s.", num=PLACE_MAX),
    )
    if kind is not None and kind != SessionKind.RACE:
        for column in ("event_name", "official_time_s", "place_in_class"):
            if clean[column] is not None:
                fail(column, _("Only a race has this: choose the kind Race, or leave it empty."))
    elif kind == SessionKind.RACE and clean["event_name"] is None:
        fail("event_name", _("Enter the name of the race."))

    gain = values.get("elevation_gain_m")
    if gain is not None and not 0 <= gain <= MAX_ELEVATION_GAIN_M:
        gain = None  # a device's barometer glitch is not worth refusing a session over
    clean["elevation_gain_m"] = gain

    if errors:
        raise SessionValueError(errors)
    return clean


def too_fast(distance_m: float | None, seconds: float | None) -> bool:
    """Faster than :data:`MAX_SPEED_M_S` on average? A time under a second counts as one second;
    with no distance or no time known, nothing is too fast."""
    if not distance_m or seconds is None:
        return False
    return distance_m / max(seconds, 1) > MAX_SPEED_M_S


def _bounded(values, clean, fail, column: str, low: int, high: int, message: str) -> None:
    value = values.get(column)
    if value is not None and not (isinstance(value, int) and low <= value <= high):
        fail(column, message)
    clean[column] = value


# --- values to text -----------------------------------------------------------------------------


def distance_input(metres: float | None, units: str) -> str:
    """The distance as the form shows it for editing: metre precision in the reader's units."""
    if not metres:
        return ""
    value = metres / UNIT_METRES[units]
    return f"{value:.3f}".rstrip("0").rstrip(".")


def duration_input(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def same_distance_shown(a: float | None, b: float | None, units: str) -> bool:
    """Do two distances read the same in the edit form (so an untouched field keeps its value)?"""
    return distance_input(a, units) == distance_input(b, units)

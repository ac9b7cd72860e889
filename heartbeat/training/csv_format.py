"""The CSV format of a session import: its columns, its header, and reading the bytes as text.

Documented on the import page and offered as a downloadable template (:func:`template_csv`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heartbeat.core import csvfiles
from heartbeat.core.i18n import _, _l, ngettext
from heartbeat.training.models import SessionKind

MAX_ERRORS = 200
_KINDS = [kind.value for kind in SessionKind]

# Column -> what it holds, in the order of the template. Documented on the import page.
COLUMNS: dict[str, Any] = {
    "participant_id": _l("Required. The participant's number (shown on their sessions page)."),
    "date": _l("Required unless started_at is given. YYYY-MM-DD, at the centre."),
    "time": _l(
        "Required unless started_at is given. Start time hh:mm at the centre. A line with no "
        "time is refused, never read as midnight: the time places the session in its day and "
        "week."
    ),
    "kind": _l("Required. %(kinds)s or %(last)s.", kinds=", ".join(_KINDS[:-1]), last=_KINDS[-1]),
    "distance": _l(
        "In your units ({units}, as on My account); or use distance_m, distance_km or distance_mi."
    ),
    "duration": _l("Moving time as h:mm:ss or mm:ss; or use duration_s (seconds)."),
    "rpe": _l("Effort on the Borg CR10 scale, 0 to 10."),
    "pain": _l("Pain score 0 to 10."),
    "pain_site": _l("shoulder, elbow, wrist, hand, back or other."),
    "symptom_reported": _l("yes or no (empty is no)."),
    "avg_hr": _l("Average heart rate, beats per minute."),
    "max_hr": _l("Maximum heart rate, beats per minute."),
    "cadence": _l("Pushes per minute."),
    "surface": _l("Free text, up to 80 characters."),
    "weather": _l("Free text, up to 80 characters."),
    "chair": _l("Free text, up to 120 characters."),
    "notes": _l("Free text."),
    "event_name": _l("Races only: the event."),
    "official_time": _l("Races only: h:mm:ss."),
    "place_in_class": _l("Races only: a whole number."),
    "before_enrolment": _l(
        "yes for history from before the participant's enrolment (empty is no). A session dated"
        " before enrolment is refused unless it says yes; history never dates an award by"
        " itself: a therapist confirms any award it shows."
    ),
}
# Alternatives to a column above: name -> (the column it stands for, unit or meaning).
ALTERNATIVES: dict[str, tuple[str, Any]] = {
    "started_at": (
        "date",
        _l("ISO 8601 date and time, e.g. 2025-05-01T08:30 (centre time); the time is required"),
    ),
    "distance_m": ("distance", "m"),
    "distance_km": ("distance", "km"),
    "distance_mi": ("distance", "mi"),
    "duration_s": ("duration", "s"),
}
REQUIRED = ("participant_id", "kind")


@dataclass(frozen=True)
class RowError:
    line: int | None  # 1 is the header; None for the file as a whole
    column: str | None
    message: str


@dataclass
class CsvImportError(Exception):
    errors: list[RowError]
    total: int  # every error found, even beyond the ones kept
    rows: int = 0

    def __str__(self) -> str:
        return ngettext(
            "Nothing was imported: %(num)s problem in the file.",
            "Nothing was imported: %(num)s problems in the file.",
            self.total,
        )


def template_csv() -> str:
    """The header row people fill in (the downloadable template)."""
    return ",".join(COLUMNS) + "\r\n"


def decode(data: bytes) -> str:
    """The file's text (``core.csvfiles``: UTF-8 only), or :class:`CsvImportError`."""
    try:
        return csvfiles.decode(data)
    except csvfiles.CsvFileError as error:
        raise CsvImportError([RowError(error.line, None, error.message)], 1) from None


def read_header(
    row: list[str], *, line: int = 1
) -> tuple[list[str], dict[str, str], list[RowError]]:
    """Column names, the unit each alternative column implies, and header problems."""
    names = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in row]
    errors: list[RowError] = []
    seen: dict[str, str] = {}  # the column a name stands for -> the name used
    units: dict[str, str] = {}
    for name in names:
        if not name:
            errors.append(RowError(line, None, _("A column has no name in the header row.")))
            continue
        stands_for = ALTERNATIVES[name][0] if name in ALTERNATIVES else name
        if stands_for not in COLUMNS:
            errors.append(RowError(line, name, _("Unknown column “%(name)s”.", name=name)))
            continue
        if stands_for in seen:
            errors.append(
                RowError(
                    line,
                    name,
                    _(
                        "Give “%(column)s” once only (“%(other)s” is there too).",
                        column=stands_for,
                        other=seen[stands_for],
                    ),
                )
            )
            continue
        seen[stands_for] = name
        if name in ALTERNATIVES:
            units[name] = ALTERNATIVES[name][1]
    for name in REQUIRED:
        if name not in seen:
            errors.append(RowError(line, name, _("The column “%(name)s” is required.", name=name)))
    if "date" not in seen:
        errors.append(RowError(line, "date", _("A “date” or “started_at” column is required.")))
    elif seen["date"] == "date" and "time" not in seen:
        errors.append(
            RowError(
                line,
                "time",
                _(
                    "A “time” column is required with “date”: each session needs its start time"
                    " (or give both in one “started_at” column)."
                ),
            )
        )
    return names, units, errors

"""The device-file package's messages in the uploader's language.

``devicefiles`` is pure parsing (no Flask, no app): its errors are English, and carry the message
before its values went in (``template`` and ``values``). The upload page shows them through
:func:`shown`, which reads each known message in the reader's language; one it does not know is
shown as the package wrote it. The background archive import and the command line keep English.
"""

from __future__ import annotations

from typing import Any

from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, current_language, decimal_text, number
from heartbeat.training.devicefiles import activity, archives, budget, gzipped

# Values that are sizes or ratios: whole numbers (the English messages print them so too).
_WHOLE = {"limit_mb", "size_mb", "ratio"}


def _templates() -> dict[str, tuple[str, dict[str, Any]]]:
    """Each English message of the package -> (the same, in the reader's language, with the
    same ``{placeholders}``; values the message was made with at import)."""
    return {
        activity.NOT_AN_ACTIVITY: (_("This file is not a GPX, TCX or FIT activity."), {}),
        activity.EMPTY_FILE: (_("This file is empty."), {}),
        activity.TOO_LARGE: (
            _("This file is larger than {limit_mb} MB; it is not an activity."),
            {"limit_mb": activity.MAX_FILE_BYTES // (1024 * 1024)},
        ),
        activity.XML_DOCTYPE: (
            _("This file contains an XML DOCTYPE or entities, which are not accepted."),
            {},
        ),
        activity.FIT_DAMAGED: (_("The FIT file is damaged or cut short."), {}),
        activity.XML_DAMAGED: (_("The {kind} file is damaged or cut short."), {}),
        activity.GPX_NO_POINTS: (
            _("This GPX file has no track points; it may be a route or a list of waypoints."),
            {},
        ),
        activity.TCX_NO_ACTIVITY: (
            _("This TCX file holds no activity; it may be a course or a workout."),
            {},
        ),
        activity.FIT_COURSE: (
            _("This FIT file is a course (a planned route), not a recorded activity."),
            {},
        ),
        activity.NO_MOVEMENT: (
            _(
                "This {kind} file records no movement: no distance and no time, so there is"
                " nothing to log."
            ),
            {},
        ),
        activity.FIT_NO_ACTIVITY: (_("This FIT file holds no activity (it contains {kind})."), {}),
        gzipped.GZIP_DAMAGED: (_("This compressed (.gz) file is damaged or cut short."), {}),
        gzipped.GZIP_TOO_LARGE: (
            _(
                "This compressed (.gz) file unpacks to more than {limit_mb:g} MB, far more than"
                " one activity; nothing was saved."
            ),
            {},
        ),
        gzipped.GZIP_NESTED: (
            _(
                "This .gz file holds another compressed file: unpack it first, then upload the"
                " file."
            ),
            {},
        ),
        budget.TOO_MANY_POINTS: (
            _(
                "This file holds more than {limit:,} recorded points, far more than one training"
                " session. Upload one session at a time; nothing was saved."
            ),
            {},
        ),
        budget.TOO_SLOW: (
            _(
                "Reading this file took longer than {limit:g} seconds, so it was stopped. It may"
                " be damaged or hold far more than one session; nothing was saved."
            ),
            {},
        ),
        archives.NOT_A_ZIP: (_("This file is not a ZIP archive (or it is damaged)."), {}),
        archives.TOO_MANY_ENTRIES: (
            _(
                "This archive holds {count:,} entries, more than the {limit:,} one upload may"
                " hold; nothing was imported. Split it into smaller archives."
            ),
            {},
        ),
        archives.TOO_LARGE: (
            _(
                "This archive unpacks to {size_mb:,.0f} MB, more than the {limit_mb:,.0f} MB one"
                " upload may hold; nothing was imported. Split it into smaller archives."
            ),
            {},
        ),
        archives.TOO_COMPRESSED: (
            _(
                "An entry of this archive ({name}) claims to unpack to {ratio:,.0f} times its"
                " size, more than any activity file does: the archive is refused and nothing"
                " was imported."
            ),
            {},
        ),
    }


def _fit_contents() -> dict[str, str]:
    """What a FIT file that is no activity holds (``fitsports.FIT_FILE_KINDS``), translated."""
    return {
        "device settings": _("device settings"),
        "sport settings": _("sport settings"),
        "a planned workout": _("a planned workout"),
        "a training schedule": _("a training schedule"),
        "weight-scale readings": _("weight-scale readings"),
        "lifetime totals": _("lifetime totals"),
        "goals": _("goals"),
        "blood-pressure readings": _("blood-pressure readings"),
        "daily monitoring data": _("daily monitoring data"),
        "a segment": _("a segment"),
        "a list of segments": _("a list of segments"),
        "data-screen settings": _("data-screen settings"),
        "no sessions or records": _("no sessions or records"),
    }


def _value(name: str, value: Any, contents: dict[str, str]) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and name in _WHOLE:
        return decimal_text(value, 0)
    if isinstance(value, int | float):
        return number(value)
    if name == "kind" and isinstance(value, str):
        return contents.get(value, value)
    return value


def shown(error: Exception) -> str:
    """The error's message in the reader's language (English: exactly as the package wrote it)."""
    template = getattr(error, "template", None)
    if current_language() == DEFAULT_LANGUAGE or not isinstance(template, str):
        return str(error)
    known = _templates().get(template)
    if known is None:
        return str(error)
    text, made_with = known
    contents = _fit_contents()
    values = {**made_with, **getattr(error, "values", {})}
    try:
        return text.format(**{name: _value(name, v, contents) for name, v in values.items()})
    except (KeyError, IndexError, ValueError):
        return str(error)

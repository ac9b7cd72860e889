"""Read an uploaded GPX, TCX or FIT activity file into a summary of one training session.

Pure parsing: no Flask, no database. :func:`parse_activity` takes the file's bytes, recognises
the format from the content (never from the file name), unpacks a gzip file first, and returns
a :class:`ParsedActivity`. Anything that is not a readable activity raises
:class:`ActivityFileError`, whose message can be shown to the person who uploaded the file.

One module per format (:mod:`.gpx`, :mod:`.tcx`, :mod:`.fit`); untrusted XML is read only
through :mod:`.safexml`; :mod:`.geometry` measures tracks; :mod:`.budget` bounds the work one
file may cause.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from typing import TypeVar

from heartbeat.training.devicefiles.activity import (
    EMPTY_FILE,
    FIT_COURSE,
    FIT_DAMAGED,
    GPX_NO_POINTS,
    MAX_FILE_BYTES,
    NO_MOVEMENT,
    NOT_AN_ACTIVITY,
    SPORTS,
    TCX_NO_ACTIVITY,
    TOO_LARGE,
    XML_DAMAGED,
    XML_DOCTYPE,
    ActivityFileError,
    ParsedActivity,
)
from heartbeat.training.devicefiles.budget import (
    DEFAULT_MAX_RECORDS,
    DEFAULT_MAX_SECONDS,
    TOO_MANY_POINTS,
    TOO_SLOW,
    BudgetExceeded,
    ParseBudget,
    ParseLimits,
)
from heartbeat.training.devicefiles.fit import parse_fit
from heartbeat.training.devicefiles.geometry import ROUTE_POINTS
from heartbeat.training.devicefiles.gpx import parse_gpx
from heartbeat.training.devicefiles.gzipped import (
    GZIP_DAMAGED,
    GZIP_NESTED,
    GZIP_TOO_LARGE,
    gunzip,
    is_gzip,
)
from heartbeat.training.devicefiles.safexml import ROOTS, local, parse_xml
from heartbeat.training.devicefiles.tcx import parse_tcx

__all__ = [
    "DEFAULT_MAX_RECORDS",
    "DEFAULT_MAX_SECONDS",
    "EMPTY_FILE",
    "FIT_COURSE",
    "FIT_DAMAGED",
    "GPX_NO_POINTS",
    "GZIP_DAMAGED",
    "GZIP_NESTED",
    "GZIP_TOO_LARGE",
    "MAX_FILE_BYTES",
    "NOT_AN_ACTIVITY",
    "NO_MOVEMENT",
    "ROUTE_POINTS",
    "SPORTS",
    "TCX_NO_ACTIVITY",
    "TOO_LARGE",
    "TOO_MANY_POINTS",
    "TOO_SLOW",
    "XML_DAMAGED",
    "XML_DOCTYPE",
    "ActivityFileError",
    "BudgetExceeded",
    "ParseLimits",
    "ParsedActivity",
    "detect_format",
    "fingerprint",
    "parse_activity",
]

_Source = TypeVar("_Source")


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_format(data: bytes) -> str | None:
    """``"fit"`` from the FIT signature, ``"xml"`` for anything that may be XML, ``"gzip"`` for
    a gzip file, else None."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    if is_gzip(data):
        return "gzip"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "xml"
    return None


def parse_activity(
    data: bytes, filename: str = "", *, limits: ParseLimits | None = None
) -> ParsedActivity:
    """Summarise one uploaded activity file.

    The format comes from the content; ``filename`` is accepted for the caller's convenience
    and never consulted. Reading stops with :class:`BudgetExceeded` (an
    :class:`ActivityFileError`) past the ``limits`` on recorded points and wall time (the
    defaults when None). Raises :class:`ActivityFileError` for anything that is not an activity.
    """
    budget = ParseBudget(limits or ParseLimits())
    data = _unpacked(data)
    kind = detect_format(data)
    if kind is None or kind == "gzip":
        raise ActivityFileError(NOT_AN_ACTIVITY)
    digest = fingerprint(data)
    if kind == "fit":
        activity = _guarded(parse_fit, data, digest, budget, ActivityFileError(FIT_DAMAGED))
        named = "FIT"
    else:
        root = parse_xml(data)
        budget.check()
        named = ROOTS[local(root.tag)]
        reader = parse_gpx if named == "GPX" else parse_tcx
        damaged = ActivityFileError(XML_DAMAGED, kind=named)
        activity = _guarded(reader, root, digest, budget, damaged)
    if not activity.moved:
        # Nothing to log: a session of no distance and no time is not a session.
        raise ActivityFileError(NO_MOVEMENT, kind=named)
    return activity


def _unpacked(data: bytes) -> bytes:
    """The activity's own bytes: refused when empty or too large, unpacked when gzipped."""
    if not data:
        raise ActivityFileError(EMPTY_FILE)
    if len(data) > MAX_FILE_BYTES:
        raise ActivityFileError(TOO_LARGE)
    if is_gzip(data):
        return gunzip(data, MAX_FILE_BYTES)
    return data


def _guarded(
    parse: Callable[[_Source, str, ParseBudget], ParsedActivity],
    source: _Source,
    digest: str,
    budget: ParseBudget,
    damaged: ActivityFileError,
) -> ParsedActivity:
    """Run one format's reader, turning any parser failure into an :class:`ActivityFileError`."""
    try:
        return parse(source, digest, budget)
    except (ActivityFileError, MemoryError):
        raise
    except Exception as exc:  # the parsers raise more than their documented errors on bad data
        raise damaged from exc

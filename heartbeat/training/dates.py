"""The dates a session is held to: not before the participant was born, and before their
enrolment only as history, when the person entering it says so.

Pure: no Flask, no database. :func:`date_problem` is the one rule; ``values.clean_session`` applies
it for the session form, the self-report and the CSV import, ``imports`` for device files (the
upload page and ``flask import-activity``), and an API will reach it through ``clean_session``.
Each entry path says "this is history" its own way (:class:`HistoryWording`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal, NamedTuple

from heartbeat.core.i18n import _, _l
from heartbeat.core.units import day_text

HISTORY_LABEL = _l("This is history from before enrolment")


@dataclass(frozen=True)
class Timeline:
    """The dates a session is held to: the participant's birth and enrolment, and the centre's
    time zone, in which a session's day is read (as the form and the CSV take it)."""

    born_on: date
    enrolled_on: date
    tz: tzinfo


@dataclass(frozen=True)
class HistoryWording:
    """How an entry path says "this is history": a tick box, a CSV column, a command option.
    Read in the reader's language (lazily: the wordings are made once); a command's is English."""

    mark: str
    unmark: str
    otherwise: str = "otherwise check the date"


ON_A_FORM = HistoryWording(
    _l("tick “%(label)s”", label=HISTORY_LABEL),
    _l("untick “%(label)s”", label=HISTORY_LABEL),
    _l("otherwise check the date, or the enrolment date on their record"),
)
FOR_A_FILE = HistoryWording(
    _l("tick “%(label)s” and save again", label=HISTORY_LABEL),
    _l("untick “%(label)s” and save again", label=HISTORY_LABEL),
    _l("otherwise check that the file is theirs"),
)
IN_A_CSV = HistoryWording(
    _l("put yes in its before_enrolment column"),
    _l("leave its before_enrolment cell empty"),
    _l("otherwise check the date"),
)
IN_A_COMMAND = HistoryWording("pass --history", "leave out --history", "otherwise check the file")


class DateProblem(NamedTuple):
    column: str  # the stored column to blame: started_at, or before_enrolment
    message: str
    reason: Literal["before_birth", "before_enrolment", "not_history"]


def date_problem(
    started_at: datetime,
    timeline: Timeline,
    *,
    history: bool,
    wording: HistoryWording = ON_A_FORM,
) -> DateProblem | None:
    """What is wrong with ``started_at`` for this participant's dates, or None.

    Before their date of birth: refused, always. Before their enrolment: only as history, when
    the person says so (``history``). History on or after enrolment is no history: refused too,
    so the mark never lies. The one rule for every entry path (form, self-report, CSV, device
    file, command line, and an API to come).
    """
    day = started_at.astimezone(timeline.tz).date()
    if day < timeline.born_on:
        return DateProblem(
            "started_at",
            _(
                "%(day)s is before the participant was born (%(born)s): check the date.",
                day=day_text(day),
                born=day_text(timeline.born_on),
            ),
            "before_birth",
        )
    if day < timeline.enrolled_on and not history:
        return DateProblem(
            "started_at",
            _(
                "%(day)s is before enrolment (%(enrolled)s). If it is history from before they"
                " joined, %(mark)s; %(otherwise)s.",
                day=day_text(day),
                enrolled=day_text(timeline.enrolled_on),
                mark=wording.mark,
                otherwise=wording.otherwise,
            ),
            "before_enrolment",
        )
    if history and day >= timeline.enrolled_on:
        return DateProblem(
            "before_enrolment",
            _(
                "%(day)s is not before enrolment (%(enrolled)s), so it is no history: %(unmark)s.",
                day=day_text(day),
                enrolled=day_text(timeline.enrolled_on),
                unmark=wording.unmark,
            ),
            "not_history",
        )
    return None

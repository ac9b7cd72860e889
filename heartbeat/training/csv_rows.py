"""Reading a session CSV: every row checked by the session form's rules, before anything is saved.

Rows are validated in plain Python by :func:`heartbeat.training.parsing.read_session`, the same
reader as the session form, so a CSV row and a typed-in session are held to one standard. The
first :data:`~heartbeat.training.csv_format.MAX_ERRORS` problems are reported, each with its line
and column; :mod:`heartbeat.training.csv_import` saves the rows once every one is clean.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.core import csvfiles
from heartbeat.core.i18n import _
from heartbeat.core.units import units_of
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training.csv_format import (
    ALTERNATIVES,
    MAX_ERRORS,
    CsvImportError,
    RowError,
    decode,
    read_header,
)
from heartbeat.training.dates import IN_A_CSV, Timeline
from heartbeat.training.parsing import read_session
from heartbeat.training.values import SessionValueError

# ``progress(done, total, what)``: "1,000 of 5,000 rows checked".
Progress = Callable[[int, int, str], None]
PROGRESS_EVERY = 1000


def read_rows(
    data: bytes,
    *,
    centre: Centre,
    now: datetime,
    progress: Progress | None = None,
    units: str | None = None,
) -> tuple[list[dict], int]:
    """Every row as clean session values (with ``participant_id``), or :class:`CsvImportError`.

    Each row's date is held to its participant's birth and enrolment, as on the form; history
    from before enrolment says so in the ``before_enrolment`` column. Returns the rows and the
    number of data lines read.
    """
    # The line count is a good guess of the rows (a quoted cell may span lines).
    expected = max(1, data.count(b"\n"))
    tz: tzinfo = ZoneInfo(centre.timezone)
    # A bare "distance" column: the uploader's units (``units``), else the centre's.
    bare_units = units_of(units) if units else units_of(centre.units)
    timelines: dict[int, Timeline] = {
        row.id: Timeline(row.date_of_birth, row.enrolled_on, tz)
        for row in db.session.execute(
            sa.select(Participant.id, Participant.date_of_birth, Participant.enrolled_on)
            .where(Participant.centre_id == centre.id)
            .execution_options(all_centres=True)
        )
    }
    rows_of = csvfiles.records(decode(data))
    try:
        header = next(rows_of, None)
    except csvfiles.CsvFileError as error:
        raise CsvImportError([RowError(error.line, None, error.message)], 1) from None
    if header is None:
        raise CsvImportError([RowError(None, None, _("The file is empty: no header row."))], 1)
    names, column_units, header_errors = read_header(header.cells, line=header.line)
    if header_errors:
        raise CsvImportError(header_errors, len(header_errors))

    # Where each input field comes from: field -> (column index, column name, unit).
    sources: dict[str, tuple[int, str, str | None]] = {}
    for index, name in enumerate(names):
        stands_for = ALTERNATIVES[name][0] if name in ALTERNATIVES else name
        if name == "started_at":
            stands_for = "started_at"
        sources[stands_for] = (index, name, column_units.get(name))
    column_of = {field_name: source[1] for field_name, source in sources.items()}
    column_of.setdefault("date", column_of.get("started_at", "date"))
    column_of.setdefault("time", column_of.get("started_at", "time"))
    distance_unit = sources.get("distance", (0, "", None))[2] or bare_units
    duration_in_seconds = sources.get("duration", (0, "", None))[2] == "s"
    width = len(names)

    errors: list[RowError] = []
    total_errors = 0
    rows: list[dict] = []
    lines = 0
    try:
        for record in rows_of:
            line, cells = record.line, record.cells
            lines += 1
            if progress is not None and lines % PROGRESS_EVERY == 0:
                progress(lines, max(lines, expected), "rows checked")
            if len(cells) != width:
                total_errors += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(
                        RowError(
                            line,
                            None,
                            _(
                                "This line has %(values)s values; the header has %(width)s.",
                                values=len(cells),
                                width=width,
                            ),
                        )
                    )
                continue
            raw = {field_name: cells[source[0]] for field_name, source in sources.items()}
            row_errors: dict[str, str] = {}
            pid_text = raw.pop("participant_id").strip()
            participant_id = int(pid_text) if pid_text.isdigit() else None
            if participant_id is None:
                row_errors["participant_id"] = _("Enter the participant's number.")
            elif participant_id not in timelines:
                row_errors["participant_id"] = _(
                    "No participant %(number)s at this centre.", number=participant_id
                )
            if duration_in_seconds:
                raw["duration"] = _seconds_as_clock(raw["duration"], row_errors)
            try:
                clean = read_session(
                    raw,
                    units=distance_unit,
                    tz=tz,
                    now=now,
                    timeline=timelines.get(participant_id or 0),
                    wording=IN_A_CSV,
                )
            except SessionValueError as error:
                row_errors.update(error.field_errors)
                clean = None
            if row_errors or clean is None:  # a refused row always names its errors
                total_errors += len(row_errors)
                for field_name, message in row_errors.items():
                    if len(errors) < MAX_ERRORS:
                        column = column_of.get(field_name, field_name)
                        errors.append(RowError(line, column, message))
                continue
            clean["participant_id"] = participant_id
            clean["_line"] = line
            rows.append(clean)
    except csvfiles.CsvFileError as error:
        total_errors += 1
        errors.append(RowError(error.line, None, error.message))
    if not errors and not rows:
        errors.append(RowError(None, None, _("The file has a header but no sessions.")))
        total_errors = 1
    if errors:
        raise CsvImportError(errors, total_errors, lines)
    if progress is not None:
        progress(lines, lines, "rows checked")
    return rows, lines


def _seconds_as_clock(text: str, row_errors: dict[str, str]) -> str:
    """A ``duration_s`` cell as the h:mm:ss the shared reader takes."""
    seconds = text.strip()
    if not seconds:
        return ""
    if not seconds.isdigit():
        row_errors["duration"] = _("Enter the time in whole seconds, such as 2700.")
        return ""
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"

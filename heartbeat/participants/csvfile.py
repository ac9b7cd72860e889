"""Reading a participants CSV file: its documented columns, its encoding, its header.

The file is read by ``core.csvfiles``, as every import is: UTF-8 only (with or without a
byte-order mark), columns separated by commas, semicolons or tabs. Problems are ``RowError``s
placed by line and column, raised together as ``ImportRejected``; nothing here touches the
database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heartbeat.core import csvfiles
from heartbeat.core.csvfiles import write_csv
from heartbeat.core.i18n import _, _l, ngettext
from heartbeat.participants.models import (
    ConsentKind,
    ImpairmentCategory,
    RacingClass,
)

# Imports run inside one request (about 7 s per 1,000 rows on SQLite, 10 s on PostgreSQL);
# bigger files are split, or belong on the job queue once imports move there.
MAX_ROWS = 1_000


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Any  # lazy text (``_l``), read in the reader's language
    example: str


# The documented header, in the template's order. Only required columns must be present.
COLUMNS: tuple[Column, ...] = (
    Column("given_name", True, _l("Up to 80 characters."), "Ada"),
    Column("family_name", True, _l("Up to 80 characters."), "Lovelace"),
    Column("preferred_name", False, _l("What they like to be called."), "Addie"),
    Column(
        "name_order",
        False,
        _l("given_first or family_first: which name is written first (blank: given first)."),
        "given_first",
    ),
    Column("date_of_birth", True, _l("YYYY-MM-DD, in the past."), "1990-05-31"),
    Column("email", False, _l("Their email address."), "ada@example.org"),
    Column("phone", False, _l("Up to 40 characters."), "01234 567890"),
    Column("emergency_name", False, _l("Emergency contact's name."), "Byron Lovelace"),
    Column("emergency_phone", False, _l("Emergency contact's phone."), "09876 543210"),
    Column(
        "impairment",
        True,
        _l("One of: %(values)s.", values=", ".join(member.value for member in ImpairmentCategory)),
        "sci",
    ),
    Column("condition", False, _l("Free text, up to 4,000 characters."), "Incomplete SCI, 2019"),
    Column(
        "sci_level",
        False,
        _l("Needed for a spinal-cord injury: C1-C8, T1-T12, L1-L5, S1-S5."),
        "T4",
    ),
    Column(
        "racing_class",
        True,
        _l("One of: %(values)s.", values=", ".join(member.value for member in RacingClass)),
        "T53",
    ),
    Column(
        "classification_status",
        True,
        _l(
            "N (new), R (review), FRD (review with a fixed review date), C (confirmed),"
            " CNC (classification not completed) or NE (not eligible)."
        ),
        "N",
    ),
    Column(
        "classification_review_on", False, _l("YYYY-MM-DD; needed when the status is R or FRD."), ""
    ),
    Column("enrolled_on", True, _l("YYYY-MM-DD, not before the date of birth."), "2025-01-10"),
    Column("therapist_email", False, _l("Email of a therapist or admin of this centre."), ""),
    Column("goal", False, _l("Free text."), "Push a full mile"),
    Column("goal_milestone", False, _l("For example: One mile."), "One mile"),
    Column("goal_target_on", False, _l("YYYY-MM-DD."), "2025-12-01"),
    Column("consent_data_processing", True, _l("yes or no; must be yes to enrol."), "yes"),
    Column("consent_media", False, _l("yes or no (blank means no)."), "no"),
    Column("consent_public_verification", False, _l("yes or no (blank means no)."), "no"),
    Column(
        "consent_recorded_on", True, _l("YYYY-MM-DD: when they gave these answers."), "2025-01-10"
    ),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = frozenset(column.name for column in COLUMNS if column.required)


def template_csv() -> str:
    """The header alone, so nothing in the template can be imported by mistake."""
    return write_csv(COLUMN_NAMES, [])


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: the file as a whole
    column: str | None  # a header name, or None for the whole row
    message: str
    letter: str | None = None

    @property
    def where(self) -> str:
        if self.line is None:
            return _("The file")
        if self.column is None:
            return _("Line %(line)s", line=self.line)
        if self.letter:
            return _(
                "Line %(line)s, column %(column)s (%(letter)s)",
                line=self.line,
                column=self.column,
                letter=self.letter,
            )
        return _("Line %(line)s, column %(column)s", line=self.line, column=self.column)


@dataclass
class ImportRejected(Exception):
    """Nothing was imported; ``errors`` says why, by line and column."""

    errors: list[RowError]
    rows_checked: int = 0
    more_errors: int = 0

    def __str__(self) -> str:
        count = len(self.errors) + self.more_errors
        return ngettext(
            "The file was not imported: %(num)s problem.",
            "The file was not imported: %(num)s problems.",
            count,
        )


@dataclass
class Row:
    line: int
    cells: dict[str, str]
    details: dict[str, Any] = field(default_factory=dict)
    consents: dict[ConsentKind, bool] = field(default_factory=dict)
    consent_recorded_on: date | None = None


# --- reading the file ---------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text, or ImportRejected saying what encoding problem it has."""
    try:
        return csvfiles.decode(data)
    except csvfiles.CsvFileError as error:
        raise ImportRejected([RowError(error.line, None, error.message)]) from None


def read_rows(text: str) -> tuple[list[str], list[Row]]:
    """The header and the data rows (with the line each starts on); header problems refuse.

    Read by ``core.csvfiles`` like every import: commas, semicolons or tabs.
    """
    header: list[str] | None = None
    rows: list[Row] = []
    errors: list[RowError] = []
    try:
        for record in csvfiles.records(text):
            cells = record.cells
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                _check_header(header, record.line)
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportRejected(
                    [
                        RowError(
                            None,
                            None,
                            ngettext(
                                "The file has more than %(num)s participant. Split it into "
                                "smaller files and import them one after the other.",
                                "The file has more than %(num)s participants. Split it into "
                                "smaller files and import them one after the other.",
                                MAX_ROWS,
                            ),
                        )
                    ]
                )
            extra = [cell for cell in cells[len(header) :] if cell.strip()]
            if extra:
                errors.append(
                    RowError(
                        record.line,
                        None,
                        _(
                            "This line has %(values)s values but the header has %(columns)s "
                            "columns. Check for a stray separator or an unquoted one inside a "
                            "value.",
                            values=len(cells),
                            columns=len(header),
                        ),
                    )
                )
                continue
            padded = [*cells, *([""] * (len(header) - len(cells)))]
            rows.append(Row(record.line, dict(zip(header, padded, strict=False))))
    except csvfiles.CsvFileError as error:
        raise ImportRejected([RowError(error.line, None, error.message)]) from None
    if header is None:
        raise ImportRejected([RowError(None, None, _("The file is empty."))])
    if errors:
        raise ImportRejected(errors, rows_checked=len(rows) + len(errors))
    if not rows:
        raise ImportRejected(
            [RowError(None, None, _("The file has a header but no participants under it."))]
        )
    return header, rows


def _check_header(header: list[str], line: int) -> None:
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        letter = column_letter(index)
        if not name:
            errors.append(
                RowError(
                    line, None, _("Column %(letter)s has no name in the header.", letter=letter)
                )
            )
        elif name not in COLUMN_NAMES:
            errors.append(
                RowError(
                    line,
                    name,
                    _("This is not a column we know. Use the names in the template's header."),
                    letter,
                )
            )
        elif name in seen:
            errors.append(
                RowError(
                    line,
                    name,
                    _(
                        "This column appears twice (also column %(letter)s).",
                        letter=column_letter(seen[name]),
                    ),
                    letter,
                )
            )
        seen.setdefault(name, index)
    for name in COLUMN_NAMES:
        if name in REQUIRED and name not in seen:
            errors.append(
                RowError(line, name, _("This required column is missing from the header."))
            )
    if errors:
        raise ImportRejected(errors)

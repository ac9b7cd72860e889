"""CSV files people open in spreadsheets: one way to write them, one way to read them back.

Writing: a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets skip before reading a formula) is prefixed with an apostrophe, so it stays text
(OWASP's advice on CSV injection). The file is UTF-8 with a byte-order mark, which Excel needs to
read accents right.

Reading (every importer: participants, sessions): UTF-8 with or without that mark, and the
columns separated by commas, semicolons (what a spreadsheet set to decimal commas saves) or tabs,
told apart by the header line. What cannot be read is a ``CsvFileError`` in words a person can
act on; each importer places it in its own list of problems.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from heartbeat.core.i18n import _, _l

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> str:
    """A value as CSV text that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float):
        value = value.value  # enums by their stored value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(header: Iterable[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------------

# The separators a spreadsheet saves, and how to name them to a person.
DELIMITERS = {",": _l("commas"), ";": _l("semicolons"), "\t": _l("tabs")}
# How much of the file is looked at to tell the separator: the header and a few rows.
SNIFF_CHARS = 64 * 1024
SNIFF_RECORDS = 20
SAVE_AS_UTF8 = _l(
    "In your spreadsheet choose \u201cSave as\u201d \u2192 \u201cCSV UTF-8 (comma delimited)\u201d "
    "and upload that file."
)


class CsvFileError(ValueError):
    """The file cannot be read as CSV; ``line`` is where, or None for the file as a whole."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Record:
    """One row of the file (blank rows are skipped) and the line it starts on."""

    line: int
    cells: list[str]


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark, and nothing else."""
    if not data.strip():
        raise CsvFileError(_("The file is empty."))
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _not_utf8(_("It is saved as UTF-32."))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _not_utf8(_("It is saved as UTF-16 (\u201cUnicode text\u201d)."))
    try:
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _not_utf8(
            _(
                "Line %(line)s has a character that is not UTF-8 (perhaps the file was saved as "
                "Windows-1252 or Latin-1).",
                line=line,
            )
        ) from None
    if "\x00" in text:
        raise _not_utf8(_("It contains NUL characters, so it is not a text file."))
    return text


def _not_utf8(why: str) -> CsvFileError:
    return CsvFileError(f"{_('The file is not UTF-8 text.')} {why} {SAVE_AS_UTF8}")


def _sample(text: str, delimiter: str) -> list[int]:
    """The widths of the first records read with ``delimiter``; empty when the header fails."""
    sample = text[:SNIFF_CHARS]
    rows = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=True)
    widths: list[int] = []
    try:
        for cells in itertools.islice(rows, SNIFF_RECORDS + 1):
            if any(cell.strip() for cell in cells):
                widths.append(len(cells))
    except csv.Error:
        pass  # a row this separator cannot read: judge by the rows before it
    if len(sample) < len(text) and len(widths) > 1:
        widths.pop()  # the sample may have cut the last row short
    return widths


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the header into columns.

    Column names hold no separators, so usually exactly one separator splits the header. When
    several do, the one whose rows all have the header's width wins; when that does not decide
    either, the file is refused rather than read wrongly. A header no separator splits is one
    column, read with commas: the importer then says which columns are missing.
    """
    splits: dict[str, list[int]] = {}
    for delimiter in DELIMITERS:
        widths = _sample(text, delimiter)
        if widths and widths[0] > 1:
            splits[delimiter] = widths
    if not splits:
        return ","
    if len(splits) == 1:
        return next(iter(splits))
    even = [d for d, widths in splits.items() if all(width == widths[0] for width in widths)]
    if len(even) == 1:
        return even[0]
    found = [str(DELIMITERS[d]) for d in splits]
    names = found[0]
    for name in found[1:]:
        names = _("%(first)s and %(second)s", first=names, second=name)
    raise CsvFileError(
        _(
            "The header line has both %(names)s, so it is not clear which one separates the "
            "columns. Use one separator only: %(advice)s",
            names=names,
            advice=str(SAVE_AS_UTF8),
        ),
        1,
    )


def records(text: str, delimiter: str | None = None) -> Iterator[Record]:
    """The file's non-blank rows, each with the line it starts on (a quoted value may span
    lines). The separator is detected unless given; a row that is not valid CSV (a quote left
    open, text after a closing quote) raises ``CsvFileError`` with its line.
    """
    if delimiter is None:
        delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvFileError(
                _("This line cannot be read as CSV (%(error)s).", error=error), line
            ) from None
        start, line = line, reader.line_num + 1
        if any(cell.strip() for cell in cells):
            yield Record(start, cells)


def read_csv(data: bytes) -> Iterator[Record]:
    """``decode`` then ``records``: the rows of an uploaded file, header first."""
    return records(decode(data))

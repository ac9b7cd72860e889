"""The one CSV reader every import uses: UTF-8 only, commas, semicolons or tabs told apart by the
header, quoted values kept whole, and a clear refusal when the separator cannot be told."""

from __future__ import annotations

import codecs

import pytest

from heartbeat.core.csvfiles import (
    SNIFF_CHARS,
    CsvFileError,
    decode,
    detect_delimiter,
    read_csv,
    records,
    write_csv,
)


def cells(text: str) -> list[list[str]]:
    return [record.cells for record in records(text)]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_each_separator_is_found_from_the_header(delimiter):
    text = delimiter.join(["name", "distance", "notes"]) + "\r\n"
    text += delimiter.join(["Ada", "12", '"said ""go"";\tthen, went"']) + "\r\n"
    assert detect_delimiter(text) == delimiter
    assert cells(text)[1] == ["Ada", "12", 'said "go";\tthen, went']


def test_separators_inside_quoted_header_names_do_not_count():
    assert detect_delimiter('"a,b";c;d\n1;2;3\n') == ";"


def test_a_header_split_two_ways_is_decided_by_the_rows_that_match_it():
    # Split by commas the header has 2 columns and the rows 3; by semicolons 2 everywhere.
    text = "a,b;c\n1;2\n3;4\n"
    assert detect_delimiter(text) == ";"


def test_a_header_split_two_ways_that_the_rows_cannot_settle_is_refused():
    with pytest.raises(CsvFileError) as caught:
        detect_delimiter("a,b;c\n1,2;3\n")
    assert caught.value.line == 1
    assert caught.value.message.startswith("The header line has both commas and semicolons")
    assert "CSV UTF-8" in caught.value.message


def test_a_single_column_is_read_with_commas_so_the_importer_can_name_what_is_missing():
    assert detect_delimiter("participant_id|date|kind\n1|2|3\n") == ","


def test_the_sample_for_detection_is_bounded_and_a_cut_last_row_is_ignored():
    long_row = "1;" + "x" * SNIFF_CHARS + "\n"
    assert detect_delimiter("a;b\n" + long_row) == ";"


def test_records_start_on_their_first_line_and_skip_blank_rows():
    text = 'a,b\r\n\r\n1,"two\r\nlines"\r\n,\r\n3,4\r\n'
    assert [(r.line, r.cells) for r in records(text)] == [
        (1, ["a", "b"]),
        (3, ["1", "two\r\nlines"]),
        (6, ["3", "4"]),
    ]


def test_a_broken_quote_is_refused_on_its_line():
    with pytest.raises(CsvFileError) as caught:
        cells('a,b\n1,2\n3,"four"x\n')
    assert caught.value.line == 3
    assert caught.value.message.startswith("This line cannot be read as CSV")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"  \n", "The file is empty."),
        ("a,b\nZo\u00eb,1\n".encode("latin-1"), "Line 2 has a character that is not UTF-8"),
        ("a,b\n".encode("utf-16"), "saved as UTF-16"),
        (codecs.BOM_UTF32_LE + b"a\x00\x00\x00", "saved as UTF-32"),
        (b"a,b\n\x00\x01", "NUL characters"),
    ],
    ids=["empty", "latin-1", "utf-16", "utf-32", "binary"],
)
def test_text_that_is_not_utf8_is_refused_with_what_to_do(data, words):
    with pytest.raises(CsvFileError) as caught:
        decode(data)
    assert words in caught.value.message and caught.value.line is None


def test_what_the_app_writes_it_reads_back_byte_order_mark_and_all():
    written = write_csv(["name", "note"], [["Zo\u00eb", "=1+1"], ["Ada", "a; b, c"]])
    assert [r.cells for r in read_csv(written.encode("utf-8"))] == [
        ["name", "note"],
        ["Zo\u00eb", "'=1+1"],
        ["Ada", "a; b, c"],
    ]

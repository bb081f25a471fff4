"""Reading uploaded files: by content not name, size limit, encodings, dates, formulas."""

from __future__ import annotations

import io
from datetime import date, time
from decimal import Decimal

import pytest

from imports.reading import MAX_BYTES, FileRefused, inspect_upload, numbered_rows
from imports.values import CellError, parse_date, parse_decimal, parse_time, parse_yes_no
from tests.imports.files import csv_bytes, xlsx_bytes


def rows_of(data: bytes) -> list[list[object]]:
    facts = inspect_upload(io.BytesIO(data), size=len(data))
    return [row for _n, row in numbered_rows(io.BytesIO(data), file_format=facts.file_format, encoding=facts.encoding)]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (csv_bytes([["Name", "Fee"], ["Siân Jones", "£20"]]), "utf-8-sig"),
        (csv_bytes([["Name", "Fee"], ["Siân Jones", "£20"]], bom=True), "utf-8-sig"),
        (csv_bytes([["Name", "Fee"], ["Siân Jones", "£20"]], encoding="cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252"],
)
def test_every_encoding_reads_the_pound_sign_and_accents(data, encoding):
    assert inspect_upload(io.BytesIO(data), size=len(data)).encoding == encoding
    assert rows_of(data) == [["Name", "Fee"], ["Siân Jones", "£20"]]


def test_a_file_pasted_together_from_utf8_and_windows_1252_lines_reads_both():
    data = "Name,Fee\r\nSiân Jones,£20\r\n".encode() + "Mo Green,£5\r\n".encode("cp1252")
    assert inspect_upload(io.BytesIO(data), size=len(data)).encoding == "cp1252"
    assert rows_of(data) == [["Name", "Fee"], ["Siân Jones", "£20"], ["Mo Green", "£5"]]


def test_a_quoted_cell_over_several_lines_stays_one_cell():
    data = csv_bytes([["Full name", "Postal address"], ["Sam", "1 High Street\nSouthampton"]])
    assert rows_of(data)[1] == ["Sam", "1 High Street\nSouthampton"]


def test_a_semicolon_separated_csv_is_read_too():
    assert rows_of(csv_bytes([["Name", "Fee"], ["Sam", "£5"]], delimiter=";"))[1] == ["Sam", "£5"]


def test_an_xlsx_is_recognised_by_content_whatever_its_name():
    data = xlsx_bytes([["Full name"], ["Sam"]])
    facts = inspect_upload(io.BytesIO(data), size=len(data))
    assert facts.file_format == "xlsx"
    assert rows_of(data) == [["Full name"], ["Sam"]]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << >> endobj\n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        b"PK\x03\x04" + b"\x00" * 60,  # a zip that is not a workbook
        b"MZ\x90\x00\x03\x00\x00\x00",
    ],
    ids=["pdf", "png", "zip", "exe"],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused_by_content(data):
    with pytest.raises(FileRefused, match="not one we can read"):
        inspect_upload(io.BytesIO(data), size=len(data))


def test_a_file_over_20_mb_is_refused_with_its_size():
    with pytest.raises(FileRefused, match=r"20\.0 MB\. The largest file you can import is 20 MB"):
        inspect_upload(io.BytesIO(b"a,b\n"), size=MAX_BYTES + 1)
    assert inspect_upload(io.BytesIO(b"a,b\n1,2\n"), size=MAX_BYTES).file_format == "csv"


def test_formulas_are_read_as_their_stored_value_never_evaluated():
    data = xlsx_bytes([["Full name", "Hours"], ["Sam", 2]], formulas={"B2": "=1+1", "A3": '=HYPERLINK("http://x")'})
    rows = rows_of(data)
    # openpyxl wrote no cached value, so the cells are empty: nothing is calculated.
    assert rows[1] == ["Sam"]
    assert len(rows) == 2  # the row holding only a formula is empty, so it is left out


def test_blank_rows_are_skipped_and_row_numbers_are_the_spreadsheets():
    data = csv_bytes([["Full name"], ["Sam"], [""], ["Ali"]])
    numbered = list(numbered_rows(io.BytesIO(data), file_format="csv", encoding="utf-8-sig"))
    assert [n for n, _row in numbered] == [1, 2, 4]


@pytest.mark.parametrize(
    "value",
    ["27/03/2025", "27-03-2025", "2025-03-27", "27 March 2025", "27 Mar 2025", "27th March 2025", 45743, "45743"],
)
def test_dates_the_ways_people_write_them(value):
    assert parse_date(value) == date(2025, 3, 27)


@pytest.mark.parametrize("value", ["31/02/2025", "March 27th", "07700900982", 12, "27 Marchember 2025"])
def test_a_cell_that_is_not_a_date_says_how_to_write_one(value):
    with pytest.raises(CellError, match="27/03/2025"):
        parse_date(value)


def test_times_numbers_and_yes_no():
    assert parse_time("2:30pm") == time(14, 30)
    assert parse_time("14.30") == time(14, 30)
    assert parse_time(0.5) == time(12, 0)
    assert parse_decimal("1.5") == Decimal("1.50")
    assert parse_yes_no("Y") is True
    assert parse_yes_no("did not attend") is False
    with pytest.raises(CellError):
        parse_time("25:00")
    with pytest.raises(CellError):
        parse_decimal("two")
    with pytest.raises(CellError):
        parse_yes_no("maybe")

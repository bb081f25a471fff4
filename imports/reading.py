"""Reading an uploaded spreadsheet: what it is (by its content), and its rows, streamed.

* CSV: read line by line through `csv.reader`, so a 50,000-row file is never held in memory.
  Each line is UTF-8 (with or without the byte-order mark Excel writes) or, when it is not valid
  UTF-8, Windows-1252 (the "CSV" Excel for Windows saves, where "£" is the single byte 0xA3):
  so a file put together from both kinds still reads right. `encoding` records which the whole
  file is, for information.
* Excel (.xlsx): openpyxl in read-only mode, values only. A formula is never evaluated: the cell's
  value is the one Excel stored when the file was last saved (or empty when it never was).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import filetype
import openpyxl

from core.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 60
CHUNK = 64 * 1024
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ACCEPTED = "a CSV file or an Excel workbook (.xlsx)"


class FileRefused(DomainError):
    """The file cannot be imported; the message says why in plain English."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class FileFacts:
    file_format: str  # "csv" or "xlsx"
    encoding: str  # for CSV
    size: int
    sha256: str


def _is_xlsx(handle: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                return False
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return XLSX_MAIN in types and b"vbaProject" not in types


def _csv_encoding(handle: IO[bytes]) -> str:
    """'utf-8-sig' when the whole file is UTF-8 (a BOM is dropped if there is one), else 'cp1252'."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def inspect_upload(handle: IO[bytes], *, size: int) -> FileFacts:
    """Decide what the file is by reading it (not its name). Raises FileRefused."""
    if size > MAX_BYTES:
        megabytes = size / (1024 * 1024)
        raise FileRefused(
            f"The file is {megabytes:.1f} MB. The largest file you can import is 20 MB: "
            "split it into smaller files (for example one per year) and import each one."
        )
    if size == 0:
        raise FileRefused("The file is empty. Choose a file with a header row and at least one row below it.")
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    handle.seek(0)
    head = handle.read(8192)
    handle.seek(0)
    if head.startswith(b"PK\x03\x04"):
        if _is_xlsx(handle):
            handle.seek(0)
            return FileFacts("xlsx", "", size, digest.hexdigest())
        raise FileRefused(f"This file is not one we can read. Choose {ACCEPTED}.")
    if b"\x00" in head or filetype.guess(head) is not None:
        raise FileRefused(
            f"This file is not one we can read. Choose {ACCEPTED}. "
            "In Excel, use File, Save as, and choose \u201cCSV UTF-8\u201d or \u201cExcel Workbook\u201d."
        )
    encoding = _csv_encoding(handle)
    handle.seek(0)
    return FileFacts("csv", encoding, size, digest.hexdigest())


def _decoded_lines(handle: IO[bytes]) -> Iterator[str]:
    """Each line as text: UTF-8 (a leading byte-order mark dropped), or Windows-1252 for a line that
    is not valid UTF-8, so a file pasted together from both still reads "£" and "Siân" right."""
    first = True
    for line in handle:
        raw = line.removeprefix(codecs.BOM_UTF8) if first else line
        first = False
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("cp1252", errors="replace")


def _csv_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    lines = _decoded_lines(handle)
    head = list(itertools.islice(lines, 20))
    try:
        dialect: Any = csv.Sniffer().sniff("".join(head), delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(itertools.chain(head, lines), dialect):
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise FileRefused(f"This CSV file cannot be read ({exc}). Save it again from your spreadsheet.") from exc


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(f"This Excel workbook cannot be read. Save it again from Excel, or as {ACCEPTED}.") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            yield cells
    finally:
        workbook.close()


def _blank(row: list[Any]) -> bool:
    return not any(cell is not None and str(cell).strip() for cell in row)


def numbered_rows(handle: IO[bytes], *, file_format: str, encoding: str = "") -> Iterator[tuple[int, list[Any]]]:
    """(row number as the spreadsheet shows it, cells) for every row that is not blank, header
    included (the first row that is not blank), streamed."""
    handle.seek(0)
    rows = _xlsx_rows(handle) if file_format == "xlsx" else _csv_rows(handle)
    for number, row in enumerate(rows, start=1):
        if not _blank(row):
            yield number, row


def header_row(handle: IO[bytes], *, file_format: str, encoding: str = "") -> list[Any]:
    for _number, row in numbered_rows(handle, file_format=file_format, encoding=encoding):
        return row
    return []

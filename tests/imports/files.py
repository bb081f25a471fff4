"""Building spreadsheet files for the import tests (CSV in any encoding, real .xlsx workbooks)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, User
from imports import services
from imports.models import ImportBatch

PARTNER_HEADER = ["Full name", "Email address", "Phone number", "Postcode", "Date joined"]


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8", bom: bool = False, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list[Any]], *, formulas: dict[str, str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell, formula in (formulas or {}).items():
        sheet[cell] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(
    data: bytes, *, actor: User, organisation: Organisation, kind: str = "partners", name: str = "partners.csv"
) -> ImportBatch:
    return services.import_upload(
        actor=actor, organisation=organisation, kind=kind, upload=SimpleUploadedFile(name, data)
    )


def import_now(batch: ImportBatch, *, actor: User) -> ImportBatch:
    services.import_confirm(actor=actor, batch=batch, run=False)
    result = services.import_run(batch_id=batch.pk)
    assert result is not None
    return result

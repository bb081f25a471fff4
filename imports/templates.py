"""Downloadable templates: a header row and one example row (CSV), and for Excel a second sheet
explaining each column in plain English."""

from __future__ import annotations

import csv
import io

import openpyxl
from openpyxl.styles import Alignment, Font

from imports.kinds import columns_for
from imports.models import ImportKind


def template_csv(kind: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = columns_for(kind)
    writer.writerow([c.heading for c in columns])
    writer.writerow([c.example for c in columns])
    return "\ufeff" + buffer.getvalue()


def template_xlsx(kind: str) -> bytes:
    columns = columns_for(kind)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(ImportKind(kind).label)[:31]
    sheet.append([c.heading for c in columns])
    sheet.append([c.example for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(14, len(column.heading) + 4)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("What each column means")
    guide.append(["Column", "Must it be filled in?", "What to write", "Example"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        guide.append([column.heading, "Yes" if column.required else "No", column.explanation, column.example])
    guide.append([])
    guide.append(
        ["Keep one row per record, and the headings in the first row. Delete the example row before importing."]
    )
    guide.column_dimensions["A"].width = 36
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 30
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

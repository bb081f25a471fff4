"""Turn a report's stored indicator values into its HTML page, its CSV and its PDF.

One template (`reports/_report_body.html`) draws the page in the portal, the downloadable HTML
file and the PDF (WeasyPrint), so the three always show the same figures. The CSV is written
from the same display text."""

from __future__ import annotations

import csv
import io
from typing import Any

import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from core.storage import private_storage
from reports.charts import bar_chart, trend_chart
from reports.comparison import HEADLINE_KEYS
from reports.formatting import display_value
from reports.indicator_base import PERIOD_HEADINGS, PERIODS

CSV_HEADER = [
    "Scope",
    "Quarter",
    "Priority",
    "Table",
    "Indicator",
    "This quarter",
    "Previous quarter",
    "Same quarter last year",
]


COMPARISON_HEADING = "Comparing AHSNs"


def report_storage() -> Storage:
    return private_storage()


def _chart_svg(section_key: str, chart: dict[str, Any]) -> str:
    chart_id = f"chart-{slugify(section_key)}-{slugify(chart['key'])}"
    if chart["kind"] == "trend":
        return trend_chart(chart_id=chart_id, title=chart["title"], labels=chart["labels"], values=chart["values"])
    return bar_chart(chart_id=chart_id, title=chart["title"], labels=chart["labels"], values=chart["values"])


def headline_figures(indicators: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline indicators with their three period values and the section they come from."""
    found = {
        row["key"]: {**row, "section": section["key"]}
        for section in indicators.get("sections", [])
        for row in section.get("indicators", [])
    }
    return [found[key] for key in HEADLINE_KEYS if key in found]


def report_context(indicators: dict[str, Any], narrative: dict[str, str] | None = None) -> dict[str, Any]:
    """Sections ready for the template: each table with the chart that draws it, trend charts
    with their own four-quarter table, and the lead's narrative; the headline figures first."""
    narrative = narrative or {}
    periods = indicators.get("periods", {})
    period_columns = [(PERIOD_HEADINGS[p], periods.get(p, "")) for p in PERIODS]
    sections = []
    for section in indicators.get("sections", []):
        charts_by_table = {chart["table"]: chart for chart in section.get("charts", []) if chart.get("table")}
        tables = []
        for table in section.get("tables", []):
            chart = charts_by_table.get(table["caption"])
            rows = [
                {
                    **row,
                    "cells": [
                        {"heading": heading, "period": period, "value": row["display"][p]}
                        for p, (heading, period) in zip(PERIODS, period_columns, strict=True)
                    ],
                }
                for row in table["rows"]
            ]
            svg = _chart_svg(section["key"], chart) if chart else ""
            tables.append({**table, "rows": rows, "chart_svg": mark_safe(svg)})  # noqa: S308 - every text in it is escaped
        trends = [
            {
                **chart,
                "svg": mark_safe(_chart_svg(section["key"], chart)),  # noqa: S308 - built from escaped text
                "pairs": list(zip(chart["labels"], _trend_cells(chart), strict=True)),
                "value_heading": "Amount" if chart.get("unit") == "money" else "Number",
            }
            for chart in section.get("charts", [])
            if chart["kind"] == "trend"
        ]
        sections.append(
            {
                **section,
                "tables": tables,
                "trends": trends,
                "narrative": narrative.get(section["key"], ""),
            }
        )
    return {
        "data": indicators,
        "sections": sections,
        "period_columns": period_columns,
        "periods": PERIODS,
        "headlines": headline_figures(indicators),
        "comparison": indicators.get("comparison", []),
    }


def _trend_cells(chart: dict[str, Any]) -> list[Any]:
    """The trend table's figures, written like the indicator tables (versions compiled before
    charts carried a unit show their numbers as they were stored)."""
    unit = chart.get("unit")
    if unit is None:
        return list(chart["values"])
    return [display_value(value, unit) for value in chart["values"]]


def render_document(*, report: Any, indicators: dict[str, Any], narrative: dict[str, str]) -> str:
    """The standalone HTML document (downloaded file and PDF source)."""
    context = {**report_context(indicators, narrative), "report": report}
    return render_to_string("reports/report_document.html", context)


def render_csv(indicators: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    scope = indicators["scope"]["name"]
    quarter = indicators["quarter"]
    for section in indicators.get("sections", []):
        priority = f"{section['number']} {section['title']}".strip()
        for row in section.get("indicators", []):
            writer.writerow(
                _safe([scope, quarter, priority, row["table"], row["label"], *[row["display"][p] for p in PERIODS]])
            )
        for question in section.get("equality", []):
            for label, count in question["rows"]:
                writer.writerow(
                    _safe(
                        [
                            scope,
                            quarter,
                            priority,
                            "Equality monitoring",
                            f"{question['question']}: {label}",
                            count,
                            "",
                            "",
                        ]
                    )
                )
    for table in indicators.get("comparison", []):
        for row in table["rows"]:
            writer.writerow(
                _safe(
                    [
                        scope,
                        quarter,
                        COMPARISON_HEADING,
                        f"{table['label']}, by AHSN",
                        row["organisation"],
                        row["display"],
                        "",
                        "",
                    ]
                )
            )
    return out.getvalue()


def _safe(cells: list[str]) -> list[str]:
    """Stop a spreadsheet reading a cell as a formula."""
    return [f"'{cell}" if cell and cell[0] in "=+-@\t\r" else cell for cell in cells]


def render_pdf(html: str) -> bytes:
    return bytes(weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def file_stem(report: Any) -> str:
    quarter = report.financial_quarter
    return f"reports/{slugify(report.scope.short_name) or report.scope_id}/{quarter.slug}/version-{report.version}"


def download_name(report: Any, extension: str) -> str:
    quarter = report.financial_quarter
    return f"{slugify(report.scope.short_name)}-{quarter.slug}-v{report.version}.{extension}"


def write_files(
    *, report: Any, indicators: dict[str, Any], narrative: dict[str, str], published: bool = False
) -> dict[str, str]:
    """Render and store the three files; returns the stored names by field."""
    storage = report_storage()
    stem = file_stem(report)
    suffix = "-published" if published else ""
    html = render_document(report=report, indicators=indicators, narrative=narrative)
    names = {
        "html_file": storage.save(f"{stem}/report{suffix}.html", ContentFile(html.encode("utf-8"))),
        "csv_file": storage.save(f"{stem}/report{suffix}.csv", ContentFile(render_csv(indicators).encode("utf-8"))),
        "pdf_file": storage.save(f"{stem}/report{suffix}.pdf", ContentFile(render_pdf(html))),
    }
    return names

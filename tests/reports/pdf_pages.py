"""Read a report's PDF page by page as it is laid out: which lines end a page, which page a
heading is on. The stored HTML file (the PDF's source) is laid out by WeasyPrint exactly as
`reports.rendering.render_pdf` lays it out; pypdf's text (test_services) cannot say which
element a line belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import weasyprint
from django.conf import settings
from weasyprint.formatting_structure import boxes

from reports.models import QuarterlyReport
from reports.rendering import report_storage


@dataclass
class Page:
    number: int
    text: str  # the page's words in reading order, single-spaced
    lines: list[tuple[str, str]] = field(default_factory=list)  # (element tag, text) of each line of the body


def _text(box: Any) -> str:
    return "".join(b.text for b in box.descendants() if isinstance(b, boxes.TextBox))


def pdf_pages(report: QuarterlyReport) -> list[Page]:
    with report_storage().open(report.pdf_file, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    with report_storage().open(report.html_file, "rb") as handle:
        html = handle.read().decode()
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    pages = []
    for number, page in enumerate(document.pages, start=1):
        # A line that ends in a hyphen ("co-" then "production") continues the same word.
        lines = [_text(line) for line in page._page_box.descendants() if isinstance(line, boxes.LineBox)]  # noqa: SLF001 -- WeasyPrint exposes laid-out boxes only here
        words = "".join(line if line.endswith("-") else line + " " for line in lines)
        body_lines = []
        for child in page._page_box.children:  # noqa: SLF001 -- WeasyPrint exposes laid-out boxes only here
            if isinstance(child, boxes.MarginBox):
                continue
            body_lines += [
                (line.element_tag, _text(line)) for line in child.descendants() if isinstance(line, boxes.LineBox)
            ]
        pages.append(Page(number=number, text=" ".join(words.split()), lines=body_lines))
    return pages

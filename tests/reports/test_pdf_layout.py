"""The PDF a head of involvement hands to their board reads like a statistical publication:
headline figures first, contents with page numbers, no heading or table title stranded at the
foot of a page."""

from __future__ import annotations

import re

import pytest

from tests.reports.pdf_pages import pdf_pages
from tests.reports.test_services import compile_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(dataset, wessex, lead, django_capture_on_commit_callbacks):
    return pdf_pages(compile_now(wessex, lead, django_capture_on_commit_callbacks))


def test_the_first_page_gives_the_headline_figures_with_their_comparisons(pages):
    first = pages[0].text
    assert "Headline figures, 2026/27 Q2" in first
    assert "Involvement activities 3 Previous quarter: 1 Same quarter last year: 1" in first
    assert "Share at co-design or co-production 66.7% Previous quarter: 0%" in first
    assert "Lay partners who took part 2" in first
    assert "Total paid £87.50" in first
    assert "Median days to payment 15 days Previous quarter: No data" in first


def test_the_contents_give_the_page_each_section_starts_on(pages):
    entries = re.findall(r"((?:\d\. )?[A-Z][a-z]+(?: [a-z]+)*)\.+ (\d+)", pages[0].text)
    assert [title for title, _page in entries] == [
        "1. Visible leadership",
        "2. Diverse perspectives",
        "3. Continuous improvement",
        "4. Evidence of change",
        "Payments to lay partners",
    ]
    for title, number in entries:
        starts = [page.number for page in pages if ("h2", title) in page.lines]
        assert starts == [int(number)], title


def test_no_heading_or_table_title_is_left_at_the_foot_of_a_page(pages):
    for page in pages[:-1]:
        tag, text = page.lines[-1]
        assert tag not in {"h2", "h3", "h4", "caption"}, f"page {page.number} ends with {tag} {text!r}"
        assert tag != "th" or page.lines[-2][0] != "caption", f"page {page.number} ends with a table's headings"


def test_every_page_carries_the_report_title_and_its_number(pages):
    total = len(pages)
    assert total > 1
    for page in pages[1:]:
        assert page.text.endswith(
            f"Wessex AHSN: quarterly priority-progress report, 2026/27 Q2 Page {page.number} of {total}"
        )

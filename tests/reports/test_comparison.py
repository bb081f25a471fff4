"""Comparing AHSNs: the network report's headline figures with one row per AHSN, small numbers
suppressed, on a hand-built dataset where the answers are known; never in an AHSN's report."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation
from reports import services
from reports.comparison import compare_ahsns
from reports.formatting import suppressed_display
from reports.indicators import Scope, Window, compile_indicators
from reports.models import QuarterlyReport
from tests.accounts.factories import UserFactory
from tests.reports import factories as f
from tests.reports.conftest import QUARTER
from tests.reports.test_services import pdf_text

pytestmark = pytest.mark.django_db

HEADLINES = [
    "Involvement activities",
    "Share at co-design or co-production",
    "Lay partners who took part",
    "Outcomes recorded",
    "Total paid",
    "Median days to payment",
]


def tables(indicators: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        table["label"]: {row["organisation"]: row["display"] for row in table["rows"]}
        for table in indicators["comparison"]
    }


def test_each_headline_figure_has_a_row_per_ahsn_with_small_numbers_suppressed(compared, network):
    data = tables(compile_indicators(organisation=network, quarter=QUARTER))
    assert list(data) == HEADLINES
    ahsns = list(Organisation.objects.filter(kind="ahsn").order_by("name").values_list("name", flat=True))
    assert len(ahsns) == 15
    for label in HEADLINES:
        assert list(data[label]) == ahsns, label
        assert "The AHSN Network" not in data[label]

    def row(name: str) -> list[str]:
        return [data[label][name] for label in HEADLINES]

    assert row("Wessex AHSN") == ["6", "50%", "5", "5", "£100.00", "6 days"]
    assert row("Yorkshire & Humber AHSN") == ["<5", "Suppressed", "<5", "0", "Suppressed", "Suppressed"]
    assert row("Oxford AHSN") == ["0", "No data", "0", "0", "£0.00", "No data"]


def test_the_network_figures_are_the_sum_of_the_rows_where_they_add_up(compared, network):
    """The comparison counts what the network's own figure counts (same querysets)."""
    data = compile_indicators(organisation=network, quarter=QUARTER)
    network_rows = {row["key"]: row for section in data["sections"] for row in section["indicators"]}
    assert network_rows["activities.total"]["values"]["this"] == 6 + 2
    assert network_rows["outcomes.total"]["values"]["this"] == 5
    # A lay partner who took part with both AHSNs is one person to the network, one to each AHSN.
    assert network_rows["partners.involved"]["values"]["this"] == 5
    assert network_rows["payments.total"]["values"]["this"] == "130.00"


def test_an_ahsn_report_never_holds_other_ahsns_figures(compared, wessex, yorkshire):
    for scope in (wessex, yorkshire):
        assert "comparison" not in compile_indicators(organisation=scope, quarter=QUARTER)
    assert compare_ahsns(Scope(wessex), Window(QUARTER)) == {}


def _spread_over_every_ahsn(rows_each: int) -> None:
    clerk = UserFactory()
    for n, org in enumerate(Organisation.objects.filter(kind="ahsn")):
        prog = f.programme(org, f"Programme {n}", created=date(2025, 1, 10))
        for i in range(rows_each):
            act = f.activity(org, prog, day=date(2026, 7, 1 + i), level="co_design")
            who = f.partner(org, f"Partner {n}-{i}", joined=date(2026, 1, 1))
            part = f.took_part(act, who)
            f.outcome(org, act=act, status="changed", decided=date(2026, 8, 1 + i))
            submitted = f.at(date(2026, 7, 1 + i))
            f.claim(
                org,
                who,
                by=clerk,
                status="paid",
                submitted=submitted,
                paid=submitted + timedelta(days=3),
                lines=[("fee", "10.00", part)],
            )


def test_the_comparison_costs_the_same_queries_for_fifteen_ahsns(network):
    scope, window = Scope(network), Window(QUARTER)
    with CaptureQueriesContext(connection) as empty:
        compare_ahsns(scope, window)
    _spread_over_every_ahsn(rows_each=8)
    with CaptureQueriesContext(connection) as full:
        raw = compare_ahsns(scope, window)
    # The AHSNs, then one GROUP BY organisation query each for activities, lay partners,
    # outcomes, money paid and days to payment.
    assert len(full.captured_queries) == len(empty.captured_queries) == 6
    assert all(len(by_org) == 15 for by_org in raw["cells"].values())
    assert all(value == (8, 8) for value in raw["cells"]["activities.total"].values())


# --- The network report's page, CSV and PDF --------------------------------------------------------


def _compile(scope, actor, capture) -> QuarterlyReport:
    with capture(execute=True):
        report = services.report_compile_request(scope=scope, quarter=QUARTER, actor=actor)
    report.refresh_from_db()
    return report


def _page_tables(html: str) -> dict[str, dict[str, str]]:
    found = {}
    for caption, table in re.findall(
        r'data-comparison="[^"]+">\s*<caption[^>]*>(.*?), by AHSN</caption>(.*?)</table>', html, re.S
    ):
        body = re.sub(r'<span class="nhsuk-table-responsive__heading" aria-hidden="true">.*?</span> </span>', "", table)
        rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', body, re.S)
        found[unescape(caption)] = {unescape(name.strip()): unescape(value.strip()) for name, value in rows}
    return found


def test_the_network_report_shows_the_comparison_in_the_page_the_csv_and_the_pdf(
    compared, network, network_admin, admin_client_portal, django_capture_on_commit_callbacks
):
    report = _compile(network, network_admin, django_capture_on_commit_callbacks)
    html = admin_client_portal.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert 'href="#section-comparison">Comparing AHSNs</a>' in html
    page = _page_tables(html)
    assert list(page) == HEADLINES
    assert page["Share at co-design or co-production"]["Wessex AHSN"] == "50%"
    assert page["Share at co-design or co-production"]["Yorkshire & Humber AHSN"] == "Suppressed"
    assert page["Involvement activities"]["Yorkshire & Humber AHSN"] == "<5"

    response = admin_client_portal.get(reverse("reports:report_download", args=[report.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    csv_tables: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["Priority"] == "Comparing AHSNs":
            csv_tables.setdefault(row["Table"].removesuffix(", by AHSN"), {})[row["Indicator"]] = row["This quarter"]
    assert csv_tables == page

    text = pdf_text(report)
    assert "Comparing AHSNs" in text
    assert "Involvement activities, by AHSN" in text
    assert "Median days to payment, by AHSN" in text


def test_an_ahsn_lead_sees_no_other_ahsns_figures(
    compared, wessex, lead, lead_client, network, network_admin, django_capture_on_commit_callbacks
):
    network_report = _compile(network, network_admin, django_capture_on_commit_callbacks)
    own = _compile(wessex, lead, django_capture_on_commit_callbacks)
    html = lead_client.get(reverse("reports:report_detail", args=[own.pk])).content.decode()
    assert "Comparing AHSNs" not in html and "by AHSN" not in html
    assert "Yorkshire &amp; Humber AHSN" not in html and "Oxford AHSN" not in html
    response = lead_client.get(reverse("reports:report_download", args=[own.pk, "csv"]))
    assert "Comparing AHSNs" not in b"".join(response.streaming_content).decode()
    assert "Comparing AHSNs" not in pdf_text(own)
    # The network report, where the comparison lives, is not theirs to open in any format.
    assert lead_client.get(reverse("reports:report_detail", args=[network_report.pk])).status_code == 404
    for fmt in ("pdf", "csv", "html"):
        assert lead_client.get(reverse("reports:report_download", args=[network_report.pk, fmt])).status_code == 404


@pytest.mark.parametrize(
    ("value", "unit", "base", "shown"),
    [
        (0, "count", 0, "0"),
        (1, "count", 1, "<5"),
        (4, "count", 4, "<5"),
        (5, "count", 5, "5"),
        (1234, "count", 1234, "1,234"),
        (75.0, "percent", 4, "Suppressed"),
        (75.0, "percent", 5, "75%"),
        (None, "percent", None, "No data"),
        ("80.00", "money", 4, "Suppressed"),
        ("1234.50", "money", 5, "£1,234.50"),
        (None, "money", None, "£0.00"),
        (6.5, "days", 3, "Suppressed"),
        (6.5, "days", 12, "6.5 days"),
    ],
)
def test_the_small_number_rule_at_its_edges(value, unit, base, shown):
    assert suppressed_display(value, unit, base=base) == shown

"""The report pages: who may see and do what, and what they see."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import Organisation, Role
from core.quarters import FinancialQuarter
from partners.models import EqualityMonitoring
from reports import services
from reports.models import QuarterlyReport, ReportStatus
from tests.accounts.factories import MembershipFactory, UserFactory, with_totp
from tests.conftest import client_for
from tests.reports import factories as f
from tests.reports.conftest import QUARTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def wessex_report(dataset, wessex, lead, django_capture_on_commit_callbacks) -> QuarterlyReport:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead)
    report.refresh_from_db()
    return report


@pytest.fixture
def network_report(network, network_admin, django_capture_on_commit_callbacks) -> QuarterlyReport:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_compile_request(scope=network, quarter=QUARTER, actor=network_admin)
    report.refresh_from_db()
    return report


def url(name: str, report: QuarterlyReport, *extra: str) -> str:
    return reverse(f"reports:{name}", args=[report.pk, *extra])


# --- The list --------------------------------------------------------------------------------------


def test_a_lead_sees_their_ahsn_reports_only(lead_client, wessex_report, network_report, yorkshire, outsider):
    services.report_compile_request(scope=yorkshire, quarter=QUARTER, actor=outsider, run=False)
    page = lead_client.get(reverse("reports:report_list"))
    assert page.status_code == 200
    reports = list(page.context["page_obj"])
    assert reports == [wessex_report]
    assert "Latest" in page.content.decode()


def test_a_network_admin_sees_every_report_and_the_network_roll_up(admin_client_portal, wessex_report, network_report):
    page = admin_client_portal.get(reverse("reports:report_list"))
    assert set(page.context["page_obj"]) == {wessex_report, network_report}
    filtered = admin_client_portal.get(reverse("reports:report_list"), {"scope": network_report.scope_id})
    assert list(filtered.context["page_obj"]) == [network_report]


def test_staff_cannot_open_reports(staff_client):
    assert staff_client.get(reverse("reports:report_list")).status_code == 403
    assert staff_client.get(reverse("reports:report_compile")).status_code == 403


def test_the_list_is_empty_until_a_report_is_compiled(lead_client):
    page = lead_client.get(reverse("reports:report_list"))
    assert "There are no reports yet" in page.content.decode()


def test_the_list_costs_the_same_queries_with_many_reports(
    admin_client_portal, network_admin, django_assert_max_num_queries
):
    for scope in Organisation.objects.all():
        for offset in range(4):
            for _version in range(2):
                report = services.report_compile_request(
                    scope=scope, quarter=QUARTER - offset, actor=network_admin, run=False
                )
                QuarterlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.READY)
    assert QuarterlyReport.objects.count() == 128
    with django_assert_max_num_queries(12):
        page = admin_client_portal.get(reverse("reports:report_list"), {"page": 2})
    assert page.status_code == 200
    assert len(page.context["page_obj"]) == 25


# --- One report ------------------------------------------------------------------------------------


def test_the_lead_reads_their_report(lead_client, wessex_report):
    page = lead_client.get(url("report_detail", wessex_report))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quarterly priority-progress report, 2026/27 Q2" in html
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert 'role="img"' in html
    assert html.count("<h1") == 1


def test_staff_get_403_and_outsiders_404_on_a_report(staff_client, outsider_client, wessex_report):
    for name, extra in [
        ("report_detail", ()),
        ("report_progress", ()),
        ("report_download", ("pdf",)),
        ("report_narrative", ()),
        ("report_publish", ()),
    ]:
        assert staff_client.get(url(name, wessex_report, *extra)).status_code == 403, name
        assert outsider_client.get(url(name, wessex_report, *extra)).status_code == 404, name
    assert staff_client.post(url("report_recompile", wessex_report)).status_code == 403
    assert outsider_client.post(url("report_recompile", wessex_report)).status_code == 404


def test_a_lead_cannot_open_the_network_roll_up(lead_client, admin_client_portal, network_report):
    assert lead_client.get(url("report_detail", network_report)).status_code == 404
    assert admin_client_portal.get(url("report_detail", network_report)).status_code == 200


def test_downloads(lead_client, wessex_report):
    pdf = lead_client.get(url("report_download", wessex_report, "pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert 'filename="wessex-2026-27-Q2-v1.pdf"' in pdf["Content-Disposition"]
    assert lead_client.get(url("report_download", wessex_report, "docx")).status_code == 404


def test_the_csv_matches_the_figures_on_the_page(lead_client, wessex_report):
    html = lead_client.get(url("report_detail", wessex_report)).content.decode()
    page_rows = {}
    for _key, row in re.findall(r'<tr class="nhsuk-table__row" data-indicator="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        label = unescape(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1).strip())
        # On a phone each figure follows its column's heading, hidden from screen readers.
        body = re.sub(r'<span class="nhsuk-table-responsive__heading" aria-hidden="true">.*?</span> </span>', "", row)
        cells = [unescape(c.strip()) for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
        page_rows[label] = cells
    response = lead_client.get(url("report_download", wessex_report, "csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    indicator_rows = [r for r in rows if r["Table"] != "Equality monitoring"]
    assert len(indicator_rows) == len(page_rows) > 40
    for row in indicator_rows:
        assert row["Scope"] == "Wessex AHSN"
        assert row["Quarter"] == "2026/27 Q2"
        cells = [row["This quarter"], row["Previous quarter"], row["Same quarter last year"]]
        assert page_rows[row["Indicator"]] == cells, row["Indicator"]
    share = next(r for r in rows if r["Indicator"] == "Share at co-design or co-production")
    assert (share["Priority"], share["This quarter"]) == ("1 Visible leadership", "66.7%")


def test_the_report_page_costs_a_fixed_number_of_queries(lead_client, wessex_report, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert lead_client.get(url("report_detail", wessex_report)).status_code == 200


def test_progress_while_compiling(lead_client, wessex, lead):
    report = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    page = lead_client.get(url("report_detail", report))
    html = page.content.decode()
    assert "Compiling the report" in html
    assert "core/progress.js" in html
    assert "Check again" in html
    data = lead_client.get(url("report_progress", report)).json()
    assert data == {
        "status": "compiling",
        "progress": 0,
        "message": "Waiting to start",
        "url": f"/reports/{report.pk}/",
    }


# --- Compiling from the page -----------------------------------------------------------------------


def test_compile_now_runs_in_the_background_and_shows_the_new_version(
    lead_client, wessex, dataset, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(reverse("reports:report_compile"), {"scope": wessex.pk, "quarter": QUARTER.slug})
    report = QuarterlyReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("report_detail", report)
    assert report.status == ReportStatus.READY


def test_a_lead_cannot_compile_another_ahsn_report(lead_client, yorkshire):
    response = lead_client.post(reverse("reports:report_compile"), {"scope": yorkshire.pk, "quarter": QUARTER.slug})
    assert response.status_code == 200
    assert "Choose an organisation whose reports you can compile" in response.content.decode()
    assert not QuarterlyReport.objects.exists()


def test_a_future_quarter_cannot_be_chosen(lead_client, wessex):
    future = FinancialQuarter.current().next
    response = lead_client.post(reverse("reports:report_compile"), {"scope": wessex.pk, "quarter": future.slug})
    html = response.content.decode()
    assert "Choose one of the quarters in the list" in html
    assert "<title>Error: " in html
    assert not QuarterlyReport.objects.exists()


def test_compiling_while_a_compile_runs_is_refused_clearly(lead_client, wessex, lead):
    services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    response = lead_client.post(reverse("reports:report_compile"), {"scope": wessex.pk, "quarter": QUARTER.slug})
    assert "is already being compiled" in response.content.decode()
    assert QuarterlyReport.objects.count() == 1


def test_compile_again_makes_version_two(lead_client, wessex_report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(url("report_recompile", wessex_report))
    new = QuarterlyReport.objects.get(version=2)
    assert response["Location"] == url("report_detail", new)
    old_page = lead_client.get(url("report_detail", wessex_report)).content.decode()
    assert "the latest is" in old_page and "version 2" in old_page


# --- Narrative and publishing -----------------------------------------------------------------------


def test_a_lead_adds_a_narrative_and_publishes(lead_client, wessex_report):
    response = lead_client.post(url("report_narrative", wessex_report), {"theme_1": "Involvement is now routine."})
    assert response.status_code == 302
    page = lead_client.get(url("report_detail", wessex_report)).content.decode()
    assert "Involvement is now routine." in page
    confirm = lead_client.get(url("report_publish", wessex_report))
    assert "You cannot change a published version" in confirm.content.decode()
    lead_client.post(url("report_publish", wessex_report))
    wessex_report.refresh_from_db()
    assert wessex_report.is_published
    page = lead_client.get(url("report_detail", wessex_report)).content.decode()
    assert "Published" in page
    assert "Add a narrative" not in page and "Change the narrative" not in page


def test_a_too_long_narrative_keeps_what_was_typed(lead_client, wessex_report):
    text = "Long " * 500
    response = lead_client.post(url("report_narrative", wessex_report), {"theme_2": text})
    html = response.content.decode()
    assert "Keep the narrative to 2000 characters" in html
    assert "Long Long Long" in html


def test_staff_cannot_publish(staff_client, wessex_report):
    assert staff_client.post(url("report_publish", wessex_report)).status_code == 403
    assert staff_client.post(url("report_narrative", wessex_report), {"theme_1": "x"}).status_code == 403
    wessex_report.refresh_from_db()
    assert not wessex_report.is_published


def test_the_home_page_lists_the_latest_reports(lead_client, wessex_report):
    page = lead_client.get("/")
    assert "Wessex report, 2026/27 Q2 (version 1)" in page.content.decode()


def test_client_for_another_lead_at_the_same_ahsn_sees_the_report(wessex, wessex_report):
    other = with_totp(UserFactory())
    MembershipFactory(user=other, organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    assert client_for(other).get(url("report_detail", wessex_report)).status_code == 200


def test_the_equality_tables_on_the_page_and_in_the_csv_show_the_same_suppressed_counts(
    lead_client, wessex, lead, django_capture_on_commit_callbacks
):
    for ethnicity, count in {"white": 7, "asian": 4, "black": 5}.items():
        for n in range(count):
            person = f.partner(wessex, f"{ethnicity} {n}", joined=date(2026, 1, 1))
            EqualityMonitoring.objects.create(partner=person, ethnicity=ethnicity)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead)
    html = lead_client.get(url("report_detail", report)).content.decode()
    block = re.search(r"<caption[^>]*>Ethnic group</caption>(.*?)</table>", html, re.S).group(1)
    page_cells = {
        unescape(label.strip()): unescape(count.strip())
        for label, count in re.findall(r"<th scope=\"row\"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", block, re.S)
    }
    # 4 is suppressed; 5 is the next smallest, so it is hidden; 7 is shown.
    assert page_cells["Asian, Asian British or Asian Welsh"] == "<5"
    assert page_cells["Black, Black British, Black Welsh, Caribbean or African"] == "hidden"
    assert page_cells["White"] == "7"
    response = lead_client.get(url("report_download", report, "csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    csv_cells = {
        r["Indicator"].removeprefix("Ethnic group: "): r["This quarter"]
        for r in rows
        if r["Table"] == "Equality monitoring" and r["Indicator"].startswith("Ethnic group: ")
    }
    assert csv_cells == page_cells


def test_a_malformed_quarter_cannot_be_compiled_from_the_page(lead_client, wessex):
    response = lead_client.post(reverse("reports:report_compile"), {"scope": wessex.pk, "quarter": "2026-27-Q9"})
    assert response.status_code == 200
    assert "Choose one of the quarters in the list" in response.content.decode()
    assert not QuarterlyReport.objects.exists()


def test_a_malformed_quarter_in_the_list_filter_says_so(lead_client, wessex_report):
    page = lead_client.get(reverse("reports:report_list"), {"quarter": "2026/28 Q2"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "is not a financial year" in html
    assert "Showing every quarter instead." in html
    assert 'aria-describedby="filter-quarter-error"' in html
    assert list(page.context["page_obj"]) == [wessex_report]


def test_a_lead_cannot_open_another_ahsn_report_or_its_files(outsider_client, lead_client, wessex_report):
    """The Yorkshire lead gets "page not found" for everything about the Wessex report."""
    for fmt in ("pdf", "csv", "html"):
        assert outsider_client.get(url("report_download", wessex_report, fmt)).status_code == 404
    assert outsider_client.get(url("report_detail", wessex_report)).status_code == 404
    assert outsider_client.post(url("report_publish", wessex_report)).status_code == 404
    assert outsider_client.post(url("report_narrative", wessex_report), {"theme_1": "x"}).status_code == 404
    assert wessex_report not in outsider_client.get(reverse("reports:report_list")).context["page_obj"]
    wessex_report.refresh_from_db()
    assert (wessex_report.is_published, wessex_report.narrative) == (False, {})


def test_the_payments_trend_table_shows_pounds(lead_client, wessex_report):
    html = lead_client.get(url("report_detail", wessex_report)).content.decode()
    block = re.search(
        r"<caption[^>]*>Involvement payments and expenses paid \(pounds\), last four quarters</caption>(.*?)</table>",
        html,
        re.S,
    ).group(1)
    assert ">Amount</th>" in block
    assert "£87.50" in block and "£0.00" in block

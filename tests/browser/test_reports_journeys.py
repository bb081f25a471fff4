"""A network admin compiles the network's quarterly report, reads it and downloads the PDF;
a lead adds a narrative and publishes their AHSN's report. axe checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.quarters import FinancialQuarter
from reports.models import QuarterlyReport
from reports.services import report_compile_request
from reports.tasks import compile_report
from tests.accounts.test_sign_in_and_mfa import SECRET
from tests.browser.conftest import assert_accessible, sign_in
from tests.reports.conftest import QUARTER, compared, dataset  # noqa: F401 - the fixtures, with known figures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_network_admin_compiles_the_network_report_and_downloads_the_pdf(page, network_admin, network):
    sign_in(page, network_admin.email, totp_secret=SECRET)
    page.goto("/reports/")
    assert_accessible(page)
    assert page.get_by_text("There are no reports yet").is_visible()

    page.get_by_role("link", name="Compile a report").click()
    assert_accessible(page)
    page.get_by_label("Report for").select_option(label=network.name)
    # Tests run Celery eagerly, so the compile happens inside this request: allow it time.
    with page.expect_navigation(url=re.compile(r".*/reports/\d+/$"), timeout=60_000):
        page.get_by_role("button", name="Compile now").click(timeout=60_000)
    quarter = FinancialQuarter.last_completed()
    assert page.get_by_role("heading", level=1).inner_text() == f"Quarterly priority-progress report, {quarter.label}"
    assert page.get_by_text("Figures count the records of every AHSN and the network.").is_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report as a PDF").click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.suggested_filename == f"network-{quarter.slug}-v1.pdf"

    page.goto("/reports/")
    # The scope's name is the visible text; the quarter and version are visually hidden, and
    # Chromium puts a space before the hidden part when it names the link.
    link = page.get_by_role("link", name=re.compile(r"version 1$")).filter(has_text=network.name)
    assert link.is_visible()
    assert link.text_content() == f"{network.name}, {quarter.label}, version 1"
    assert_accessible(page)

    # A quarter typed into the address that is not a quarter: the filter says so, accessibly.
    page.goto("/reports/?quarter=2026/28+Q2")
    assert page.get_by_text("is not a financial year").is_visible()
    assert_accessible(page)


def test_compile_progress_page_is_accessible(page, network_admin, network):
    report = report_compile_request(
        scope=network, quarter=FinancialQuarter.last_completed(), actor=network_admin, run=False
    )
    sign_in(page, network_admin.email, totp_secret=SECRET)
    page.goto(f"/reports/{report.pk}/")
    assert page.get_by_role("heading", name="Compiling the report").is_visible()
    assert_accessible(page)
    # The page asks for progress and reloads itself when the compile is over.
    QuarterlyReport.objects.filter(pk=report.pk).update(
        status="failed", error="The compile stopped before it finished."
    )
    page.get_by_text("This version could not be compiled").wait_for(timeout=10_000)
    assert_accessible(page)


def test_lead_adds_a_narrative_and_publishes_on_a_phone(phone_page, lead, wessex):
    page = phone_page
    sign_in(page, lead.email, totp_secret=SECRET)
    page.goto("/reports/compile/")
    # Tests run Celery eagerly, so the compile happens inside this request: allow it time.
    with page.expect_navigation(url=re.compile(r".*/reports/\d+/$"), timeout=60_000):
        page.get_by_role("button", name="Compile now").click(timeout=60_000)
    assert_accessible(page)
    page.get_by_role("link", name="Add a narrative").click()
    assert_accessible(page)
    page.get_by_label("1. Visible leadership").fill("Every programme now plans involvement from the start.")
    page.get_by_role("button", name="Save narrative").click()
    # The narrative page sends us back to the report: wait for it rather than race the redirect.
    expect(page.get_by_text("Every programme now plans involvement from the start.")).to_be_visible()
    page.get_by_role("link", name="Publish to the network").click()
    assert_accessible(page)
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Publish to the network").click(timeout=60_000)
    expect(page.get_by_text("is published to the network")).to_be_visible()
    assert_accessible(page)


@pytest.mark.usefixtures("dataset")
def test_the_report_reads_like_a_statistical_publication_on_a_wide_screen_and_a_phone(page, wessex, lead):
    report = report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    compile_report(report.pk)
    sign_in(page, lead.email, totp_secret=SECRET)
    page.goto(f"/reports/{report.pk}/")
    assert_accessible(page)  # also: no word broken in a table, no sideways scrolling at 320px

    # Headline figures come before the first section, each with its comparisons.
    headlines = page.get_by_role("region", name="Headline figures, 2026/27 Q2")
    first_section = page.get_by_role("heading", name="1. Visible leadership", level=2)
    assert headlines.bounding_box()["y"] < first_section.bounding_box()["y"]
    activities = headlines.locator(".report-headline").filter(has_text="Involvement activities")
    assert activities.inner_text().split("\n") == [
        "Involvement activities",
        "3",
        "Previous quarter: 1",
        "Same quarter last year: 1",
    ]
    assert (
        page.get_by_role("navigation", name="Contents").get_by_role("link", name="4. Evidence of change").is_visible()
    )

    # A table runs the full width, the indicator names get the room, the chart sits below it.
    ladder = page.get_by_role("table", name="Activities by level on the ladder of co-production")
    table = ladder.bounding_box()
    main = page.locator("main").bounding_box()
    name_column = ladder.get_by_role("columnheader", name="Indicator").bounding_box()
    assert table["width"] >= main["width"] - 40
    assert name_column["width"] >= 0.4 * table["width"]
    chart = page.locator("figure").filter(has=page.get_by_role("img", name=re.compile("ladder of co-production")))
    assert chart.bounding_box()["y"] >= table["y"] + table["height"]

    # Scrolled into a long table, its column headings stay in view.
    reach = page.get_by_role("table", name="Activities reaching seldom-heard groups")
    reach.get_by_role("row", name=re.compile("^Older people")).scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    heading = reach.get_by_role("columnheader", name=re.compile("^This quarter"))
    page.wait_for_function("el => Math.abs(el.getBoundingClientRect().top) < 2", arg=heading.element_handle())

    # On a phone each indicator is a small card: its name, then each figure after its heading.
    page.set_viewport_size({"width": 375, "height": 667})
    page.reload()
    assert_accessible(page)
    row = page.locator('[data-indicator="activities.total"]')
    assert row.inner_text().split("\n") == [
        "Involvement activities",
        "This quarter (2026/27 Q2)",
        "3",
        "Previous quarter (2026/27 Q1)",
        "1",
        "Same quarter last year (2025/26 Q2)",
        "1",
    ]
    # Each figure sits on one line beside its heading.
    for cell in row.get_by_role("cell").all():
        heading = cell.locator(".nhsuk-table-responsive__heading").bounding_box()
        assert heading["height"] < 30 and abs(cell.bounding_box()["y"] - heading["y"]) < 20


@pytest.mark.usefixtures("compared")
def test_the_head_of_involvement_compares_the_ahsns_in_the_network_report(page, network, network_admin):
    report = report_compile_request(scope=network, quarter=QUARTER, actor=network_admin, run=False)
    compile_report(report.pk)
    sign_in(page, network_admin.email, totp_secret=SECRET)
    page.goto(f"/reports/{report.pk}/")
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Comparing AHSNs").click()
    expect(page.get_by_role("heading", name="Comparing AHSNs", level=2)).to_be_in_viewport()
    assert_accessible(page)  # also: no sideways scrolling at 320px
    share = page.get_by_role("table", name="Share at co-design or co-production, by AHSN")
    assert share.get_by_role("row", name=re.compile("^Wessex AHSN")).get_by_role("cell").inner_text() == "50%"
    yorkshire = share.get_by_role("row", name=re.compile("^Yorkshire & Humber AHSN"))
    assert yorkshire.get_by_role("cell").inner_text() == "Suppressed"
    activities = page.get_by_role("table", name="Involvement activities, by AHSN")
    assert activities.get_by_role("row").count() == 1 + 15
    page.screenshot(path="/tmp/compare-1280.png", full_page=False)

    # On a phone each AHSN is a small card: its name, then the figure after its heading.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert_accessible(page)
    row = page.get_by_role("table", name="Total paid, by AHSN").get_by_role("row", name=re.compile("^Wessex AHSN"))
    row.scroll_into_view_if_needed()
    assert row.inner_text().split("\n") == ["Wessex AHSN", "This quarter (2026/27 Q2)", "£100.00"]
    page.screenshot(path="/tmp/compare-360.png", full_page=False)

"""Compiling, versions, the compile lock, narrative, publishing and the quarterly schedule."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from pypdf import PdfReader

from accounts.models import Organisation, Role
from core.models import Notification
from core.quarters import FinancialQuarter
from partners.models import EqualityMonitoring
from reports import services
from reports.models import QuarterlyReport, ReportStatus
from reports.rendering import report_storage
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.reports import factories as f
from tests.reports.conftest import QUARTER

pytestmark = pytest.mark.django_db


def compile_now(scope, actor, capture, quarter=QUARTER) -> QuarterlyReport:
    with capture(execute=True):
        report = services.report_compile_request(scope=scope, quarter=quarter, actor=actor)
    report.refresh_from_db()
    return report


def pdf_text(report: QuarterlyReport) -> str:
    """The PDF's text as a reader's PDF viewer extracts it (pypdf: no system tool needed)."""
    with report_storage().open(report.pdf_file, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_compile_makes_a_ready_version_with_three_files(dataset, wessex, lead, django_capture_on_commit_callbacks):
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.READY
    assert report.version == 1
    assert report.compiled_by == lead
    assert report.finished_at is not None
    assert report.indicators["quarter"] == "2026/27 Q2"
    for name in (report.html_file, report.csv_file, report.pdf_file):
        assert report_storage().exists(name)


def test_pdf_text_contains_the_key_figures(dataset, wessex, lead, django_capture_on_commit_callbacks):
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    text = pdf_text(report)
    assert "Wessex AHSN: quarterly priority-progress report, 2026/27 Q2" in text
    assert "Active programmes 2 2 2" in text
    assert "Share of active programmes with involvement 50% 50% 50%" in text
    assert "66.7% 0% 0%" in text  # share at co-design or co-production
    assert "Lay partners who took part 2 0 0" in text
    assert "Outcomes recorded 3 0 0" in text
    assert "I would take part again (mean score) 5.0 No data No data" in text
    assert "People said the form was too long" in text
    assert "Hidden example" not in text  # not marked shareable
    assert "Total paid £87.50 £0.00 £0.00" in text
    assert "Median days to payment 15 days No data No data" in text
    assert "Claims submitted 4 0 0" in text


def test_the_pdf_shows_suppressed_equality_counts_not_the_numbers(wessex, lead, django_capture_on_commit_callbacks):
    for ethnicity, count in {"white": 8, "asian": 4, "black": 6}.items():
        for n in range(count):
            person = f.partner(wessex, f"{ethnicity} {n}", joined=date(2026, 1, 1))
            EqualityMonitoring.objects.create(partner=person, ethnicity=ethnicity)
    text = pdf_text(compile_now(wessex, lead, django_capture_on_commit_callbacks))
    ethnic = text[text.index("Ethnic group Answer") : text.index("Religion or belief")]
    ethnic = re.sub(r"Page \d+", "", ethnic)
    # Long labels wrap, so the cells are read as words: the 4 and the 6 are nowhere in the table.
    assert "<5" in ethnic.split() and "hidden" in ethnic.split()
    assert "White 8" in ethnic
    assert "4" not in ethnic.split() and "6" not in ethnic.split()


def test_recompiling_makes_a_new_version_and_leaves_the_old_one_alone(
    dataset, wessex, lead, django_capture_on_commit_callbacks
):
    first = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    dataset["activities"][0].__class__.objects.filter(pk=dataset["activities"][2].pk).update(level="co_design")
    second = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    first_again = QuarterlyReport.objects.get(pk=first.pk)
    assert second.version == 2
    assert first_again.indicators == first.indicators
    assert first_again.pdf_file == first.pdf_file != second.pdf_file

    def codesign(report: QuarterlyReport) -> int:
        rows = {r["key"]: r for s in report.indicators["sections"] for r in s["indicators"]}
        return rows["ladder.co_design"]["values"]["this"]

    assert (codesign(first_again), codesign(second)) == (1, 2)


def test_a_second_compile_of_the_same_scope_is_refused_while_one_runs(wessex, lead, network_admin):
    running = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    with pytest.raises(services.ReportError, match="already being compiled"):
        services.report_compile_request(scope=wessex, quarter=QUARTER, actor=network_admin, run=False)
    assert QuarterlyReport.objects.filter(scope=wessex, quarter=QUARTER.label).count() == 1
    assert running.status == ReportStatus.COMPILING


def test_another_scope_or_quarter_can_compile_at_the_same_time(wessex, yorkshire, lead, network_admin):
    services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    services.report_compile_request(scope=yorkshire, quarter=QUARTER, actor=network_admin, run=False)
    services.report_compile_request(scope=wessex, quarter=QUARTER.previous, actor=lead, run=False)
    assert QuarterlyReport.objects.filter(status=ReportStatus.COMPILING).count() == 3


def test_a_lost_compile_does_not_block_the_scope_for_ever(wessex, lead):
    lost = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    QuarterlyReport.objects.filter(pk=lost.pk).update(started_at=timezone.now() - timedelta(hours=1))
    new = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    lost.refresh_from_db()
    assert lost.status == ReportStatus.FAILED
    assert "stopped before it finished" in lost.error
    assert new.version == 2


@pytest.mark.parametrize("text", ["2026/27 Q5", "2026 Q1", "next quarter", "2026/28 Q1"])
def test_a_malformed_quarter_is_refused(wessex, lead, text):
    with pytest.raises(services.ReportError):
        services.report_compile_request(scope=wessex, quarter=text, actor=lead, run=False)
    assert not QuarterlyReport.objects.exists()


def test_a_future_quarter_is_refused(wessex, lead):
    future = FinancialQuarter.current().next
    with pytest.raises(services.ReportError, match="has not started yet"):
        services.report_compile_request(scope=wessex, quarter=future, actor=lead, run=False)


def test_the_current_quarter_can_be_compiled_so_far(wessex, lead, django_capture_on_commit_callbacks):
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks, quarter=FinancialQuarter.current())
    assert report.status == ReportStatus.READY


def test_compiling_twice_in_the_worker_does_nothing_the_second_time(
    dataset, wessex, lead, django_capture_on_commit_callbacks
):
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    again = services.report_compile(report_id=report.pk)
    assert again is not None
    assert (again.status, again.pdf_file, again.finished_at) == (report.status, report.pdf_file, report.finished_at)


def test_a_failed_compile_says_so_and_frees_the_lock(wessex, lead, monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "write_files", broken)
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.FAILED
    assert "could not be compiled" in report.error
    monkeypatch.undo()
    again = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    assert (again.version, again.status) == (2, ReportStatus.READY)


def test_leads_of_the_scope_and_network_admins_are_told_when_it_is_ready(
    wessex, lead, outsider, network_admin, staff, django_capture_on_commit_callbacks
):
    second_lead = UserFactory()
    MembershipFactory(user=second_lead, organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    told = set(
        Notification.objects.filter(kind="reports.report_ready", subject_id=str(report.pk)).values_list(
            "user__email", flat=True
        )
    )
    assert told == {lead.email, second_lead.email, network_admin.email}
    notification = Notification.objects.get(kind="reports.report_ready", user=lead)
    assert notification.title == "The Wessex report for 2026/27 Q2 is ready"
    assert notification.url == f"/reports/{report.pk}/"


def test_the_network_report_tells_network_admins_only(network, lead, network_admin, django_capture_on_commit_callbacks):
    compile_now(network, network_admin, django_capture_on_commit_callbacks)
    told = list(Notification.objects.filter(kind="reports.report_ready").values_list("user__email", flat=True))
    assert told == [network_admin.email]


def test_narrative_then_publish_freezes_the_version(dataset, wessex, lead, django_capture_on_commit_callbacks):
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    unpublished_pdf = report.pdf_file
    services.report_set_narrative(
        report=report, narrative={"1": "Every programme now plans involvement from the start."}, actor=lead
    )
    published = services.report_publish(report=report, actor=lead)
    assert published.published_at is not None
    assert published.pdf_file != unpublished_pdf
    assert "Every programme now plans involvement from the start." in pdf_text(published)
    with pytest.raises(services.ReportError, match="published"):
        services.report_set_narrative(report=published, narrative={"1": "Changed later"}, actor=lead)
    with pytest.raises(services.ReportError, match="published"):
        services.report_publish(report=published, actor=lead)


def test_a_narrative_that_is_too_long_is_refused(wessex, lead, django_capture_on_commit_callbacks):
    report = compile_now(wessex, lead, django_capture_on_commit_callbacks)
    with pytest.raises(services.ReportError, match="too long"):
        services.report_set_narrative(report=report, narrative={"2": "x" * 2001}, actor=lead)


def test_a_compiling_report_cannot_be_published(wessex, lead):
    report = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    with pytest.raises(services.ReportError, match="finished compiling"):
        services.report_publish(report=report, actor=lead)


def test_the_schedule_waits_for_the_first_working_day(wessex, django_capture_on_commit_callbacks):
    # 2021/22 Q3 ended on Friday 31 December 2021: nothing on Saturday 1 January, all on Monday 3 January.
    with django_capture_on_commit_callbacks():
        assert services.compile_due_reports(today=date(2022, 1, 1)) == []
        assert len(services.compile_due_reports(today=date(2022, 1, 3))) == 16


def test_the_schedule_compiles_every_ahsn_and_the_network_once(wessex, network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        started = services.compile_due_reports(today=date(2027, 1, 1))
    assert len(started) == len(queued) == Organisation.objects.count() == 16
    assert {r.quarter for r in started} == {"2026/27 Q3"}
    assert all(r.compiled_by is None for r in started)
    # The beat firing again later that week, while they compile or once they are ready, adds nothing.
    assert services.compile_due_reports(today=date(2027, 1, 4)) == []
    QuarterlyReport.objects.update(status=ReportStatus.READY)
    assert services.compile_due_reports(today=date(2027, 1, 5)) == []
    assert QuarterlyReport.objects.count() == 16


def test_the_beat_schedule_exists():
    task = PeriodicTask.objects.get(task="reports.tasks.compile_quarterly_reports")
    assert task.enabled
    assert (task.crontab.month_of_year, task.crontab.day_of_week, task.crontab.day_of_month) == (
        "1,4,7,10",
        "1-5",
        "1-7",
    )

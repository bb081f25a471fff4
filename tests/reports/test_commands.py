"""`manage.py compile_quarterly_reports` and `manage.py generate_bench_data`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.quarters import FinancialQuarter
from involvement.models import Activity, Participation
from payments.models import Claim
from reports.indicators import compile_indicators
from reports.models import QuarterlyReport, ReportStatus
from reports.services import report_compile_request
from tests.reports.conftest import QUARTER

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_compile_one_ahsn_prints_where_the_files_are(dataset, wessex):
    output = run("compile_quarterly_reports", "--quarter", "2026/27-Q2", "--ahsn", "Wessex")
    report = QuarterlyReport.objects.get(scope=wessex, quarter=QUARTER.label)
    assert report.status == ReportStatus.READY
    assert report.compiled_by is None
    assert "Wessex 2026/27 Q2 version 1:" in output
    paths = [line.strip() for line in output.splitlines()[1:]]
    assert [Path(p).suffix for p in paths] == [".pdf", ".csv", ".html"]
    # The names in the private store (object storage here; a folder's paths with make run's).
    assert paths == [report.pdf_file, report.csv_file, report.html_file]
    assert all(storages["private"].exists(p) for p in paths)
    with storages["private"].open(paths[0]) as pdf:
        assert pdf.read(4) == b"%PDF"


def test_compile_the_network_roll_up(network):
    output = run("compile_quarterly_reports", "--quarter", "2026/27 Q2", "--ahsn", "network")
    assert "Network 2026/27 Q2 version 1:" in output


def test_a_malformed_quarter_is_an_error():
    with pytest.raises(CommandError, match="is not a quarter"):
        run("compile_quarterly_reports", "--quarter", "2026-Q2")


def test_a_future_quarter_is_an_error():
    with pytest.raises(CommandError, match="has not started yet"):
        run("compile_quarterly_reports", "--quarter", "2030/31-Q1")


def test_an_unknown_ahsn_is_an_error():
    with pytest.raises(CommandError, match='There is no AHSN called "Atlantis"'):
        run("compile_quarterly_reports", "--quarter", "2026/27-Q2", "--ahsn", "Atlantis")


def test_a_running_compile_is_reported_not_duplicated(wessex, lead):
    report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    with pytest.raises(CommandError, match="could not be compiled"):
        run("compile_quarterly_reports", "--quarter", "2026/27-Q2", "--ahsn", "Wessex")
    assert QuarterlyReport.objects.filter(scope=wessex).count() == 1


def test_generate_bench_data_small_then_the_query_count_does_not_grow_with_the_data(network):
    quarter = FinancialQuarter.last_completed()
    output = run("generate_bench_data", "--scale", "small")
    assert "Built 20 programmes" in output
    assert (Activity.objects.count(), Participation.objects.count(), Claim.objects.count()) == (200, 1000, 300)
    with CaptureQueriesContext(connection) as small:
        at_small = compile_indicators(organisation=network, quarter=quarter)
    run("generate_bench_data", "--scale", "small", "--multiplier", "2", "--seed", "7")
    assert Activity.objects.count() == 600
    with CaptureQueriesContext(connection) as triple:
        at_triple = compile_indicators(organisation=network, quarter=quarter)
    # The network report also compares the AHSNs: 6 more queries, whatever the data (test_comparison).
    assert len(small.captured_queries) == len(triple.captured_queries) < 48

    def total(data):
        rows = {r["key"]: r for s in data["sections"] for r in s["indicators"]}
        return rows["activities.total"]["values"]["this"]

    assert total(at_triple) > total(at_small) > 0

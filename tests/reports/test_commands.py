"""`manage.py compile_quarterly_reports` and `manage.py generate_bench_data`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reports.models import QuarterlyReport, ReportStatus
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
    assert all(Path(p).is_file() for p in paths)
    assert Path(paths[0]).read_bytes().startswith(b"%PDF")


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
    from reports.services import report_compile_request

    report_compile_request(scope=wessex, quarter=QUARTER, actor=lead, run=False)
    with pytest.raises(CommandError, match="could not be compiled"):
        run("compile_quarterly_reports", "--quarter", "2026/27-Q2", "--ahsn", "Wessex")
    assert QuarterlyReport.objects.filter(scope=wessex).count() == 1

"""Outside a transaction the sections are counted on several connections sharing one snapshot:
the figures must be exactly those of counting them one after another."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from reports import services
from reports.indicators import compile_indicators
from reports.models import QuarterlyReport
from tests.reports.conftest import QUARTER

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_parallel_counting_gives_the_same_figures(dataset, wessex, network):
    for scope in (wessex, network):
        together = compile_indicators(organisation=scope, quarter=QUARTER, workers=3)
        one_by_one = compile_indicators(organisation=scope, quarter=QUARTER, workers=1)
        assert together == one_by_one
    rows = {r["key"]: r for s in together["sections"] for r in s["indicators"]}
    assert rows["activities.total"]["values"]["this"] == 4


def test_two_compiles_of_the_same_scope_started_at_the_same_moment_make_one_version(wessex, lead, network_admin):
    """Two requests racing (two threads, two connections): one starts a version, the other is
    refused with a clear message; never two "compiling" versions."""

    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def request(name: str, actor) -> None:
        try:
            start.wait()
            results[name] = services.report_compile_request(scope=wessex, quarter=QUARTER, actor=actor, run=False)
        except services.ReportError as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=request, args=(name, actor)) for name, actor in (("a", lead), ("b", network_admin))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [r for r in results.values() if isinstance(r, services.ReportError)]
    started = [r for r in results.values() if isinstance(r, QuarterlyReport)]
    assert (len(started), len(refused)) == (1, 1)
    assert "is already being compiled" in str(refused[0])
    assert list(QuarterlyReport.objects.filter(scope=wessex).values_list("version", "status")) == [(1, "compiling")]

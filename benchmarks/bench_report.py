"""Time compiling the network's quarterly report on a network-sized database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ahsn_bench python benchmarks/bench_report.py
    python benchmarks/bench_report.py --generate      # build the data first when the database has none
    python benchmarks/bench_report.py --quarter 2026/27-Q2

Prints the seconds and the number of database queries for: the indicators alone, and the whole
compile (indicators, charts, HTML, CSV and PDF). Run it against a database of its own: it adds
report versions (and, with --generate, the bench rows) to whatever DATABASE_URL points at.
Target: the network report compiles in under 10 seconds on a 2-core machine, and the query count
does not grow with the data."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahsn_portal.settings.local")
django.setup()  # the portal's modules below import models, which need Django set up first

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from core.quarters import FinancialQuarter  # noqa: E402
from involvement.models import Activity, Participation  # noqa: E402
from payments.models import Claim  # noqa: E402
from reports.indicators import compile_indicators  # noqa: E402
from reports.services import report_compile, report_compile_request  # noqa: E402


class QueryCounter:
    """Counts the queries of every database connection, in every thread.

    The compile counts its sections on several connections at once (worker threads), so
    `CaptureQueriesContext(connection)`, which sees only this thread's connection, would miss
    most of them. This wrapper is installed on this thread's connection and on every connection
    opened while it is active."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        with self._lock:
            self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    counter = QueryCounter()

    def install(sender: Any, connection: Any, **kwargs: Any) -> None:
        if counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(counter)

    connection_created.connect(install, weak=False)
    connection.execute_wrappers.append(counter)
    try:
        yield counter
    finally:
        connection_created.disconnect(install)
        for wrapper in connections.all(initialized_only=True):
            if counter in wrapper.execute_wrappers:
                wrapper.execute_wrappers.remove(counter)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quarter", default="", help="Default: the last quarter that has ended.")
    parser.add_argument(
        "--generate", action="store_true", help="Run generate_bench_data first, unless the database has activities."
    )
    parser.add_argument("--scale", default="network", choices=["network", "small"])
    args = parser.parse_args()

    if args.generate:
        existing = Activity.objects.count()
        if existing:
            print(f"Reusing the {existing:,} activities already here (drop this database to build afresh).")
        else:
            started = time.perf_counter()
            call_command("generate_bench_data", scale=args.scale)
            print(f"Built the {args.scale} data in {time.perf_counter() - started:.0f} s.")
    quarter = FinancialQuarter.parse(args.quarter) if args.quarter else FinancialQuarter.last_completed()
    network = Organisation.objects.get(kind=Organisation.Kind.NETWORK)
    print(
        f"Data: {Activity.objects.count():,} activities, {Participation.objects.count():,} participations, "
        f"{Claim.objects.count():,} claims. Quarter: {quarter.label}. CPUs: {os.cpu_count()}."
    )

    # Queries are counted on every connection: the worker threads' as well as this one's.
    with count_queries() as queries:
        started = time.perf_counter()
        compile_indicators(organisation=network, quarter=quarter)
        indicators_seconds = time.perf_counter() - started
    print(f"Indicators only:  {indicators_seconds:6.2f} s, {queries.count} queries (all connections)")

    with count_queries() as queries:
        started = time.perf_counter()
        report = report_compile_request(scope=network, quarter=quarter, actor=None, run=False)
        report = report_compile(report_id=report.pk) or report
        total_seconds = time.perf_counter() - started
    print(
        f"Whole compile:    {total_seconds:6.2f} s, {queries.count} queries (all connections) "
        f"(version {report.version}, status {report.status})"
    )
    target = 10.0
    verdict = "within" if total_seconds < target else "OVER"
    print(f"Target: under {target:.0f} s on 2 cores -> {verdict} target.")
    return 0 if report.status == "ready" else 1


if __name__ == "__main__":
    raise SystemExit(main())

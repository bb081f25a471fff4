"""The shared cache: Redis, failing open to this process's memory when Redis does not answer.

Every web worker must see the same cache, or allauth's sign-in lock-out and its record of used
TOTP codes are counted per worker (wrong passwords after the lock-out are checked again, and one
code signs in once per worker). Redis gives that. When Redis is down, signing in must still work:
each operation then goes to a per-process memory cache (so the lock-out and the used codes are,
for that while, per worker again), a warning is logged once, and Redis is tried again after
`RETRY_AFTER` seconds. Nothing is copied back when Redis returns: the entries are short-lived.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    RETRY_AFTER = 5.0  # seconds during which a Redis that failed is not asked again

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.fallback = LocMemCache(
            f"fail-open-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}}
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, operation: str, error: Exception) -> None:
        with self._lock:
            first = not self.redis_down
            self._down_until = time.monotonic() + self.RETRY_AFTER
        if first:
            logger.warning(
                "cache: Redis did not answer; using this process's memory (sign-in lock-outs count per worker)",
                extra={"operation": operation, "error": f"{type(error).__name__}: {error}"[:200]},
            )

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_down:
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except UNAVAILABLE as error:
                self._failed(operation, error)
        return getattr(self.fallback, operation)(*args, **kwargs)

    # Every operation RedisCache implements; the rest of BaseCache (get_or_set, decr, the async
    # versions…) is built on these.
    def add(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._call("add", *args, **kwargs))

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._call("touch", *args, **kwargs))

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._call("delete", *args, **kwargs))

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        found: dict[str, Any] = self._call("get_many", *args, **kwargs)
        return found

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._call("has_key", *args, **kwargs))

    def incr(self, *args: Any, **kwargs: Any) -> int:
        value: int = self._call("incr", *args, **kwargs)
        return value

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        failed: list[str] = self._call("set_many", *args, **kwargs)
        return failed

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        self._call("delete_many", *args, **kwargs)

    def clear(self) -> None:
        self._call("clear")

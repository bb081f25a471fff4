"""Django's PostgreSQL backend, with a pool check that clears out every dead connection at once.

Django hands psycopg's pool `check=ConnectionPool.check_connection` (CONN_HEALTH_CHECKS), so each
connection is tested as it is handed out. After a database restart every idle connection in the
pool is dead, and psycopg tests them one at a time, waiting 0, 1, 2, 4… seconds between failures:
with four idle connections the next request waits longer than the pool's timeout and fails. Here,
when one check fails, the rest of the idle connections are checked straight away (`pool.check()`,
one round trip each) and replaced in the background, so the next request waits only for a fresh
connection. Everything else is Django's backend (ENGINE "core.postgresql").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg import Connection
from psycopg_pool import ConnectionPool


def pool_check(pool_holder: dict[str, ConnectionPool]) -> Any:
    def check(conn: Connection[Any]) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            pool = pool_holder.get("pool")
            if pool is not None:
                pool.check()  # the others are most likely dead too (a restart): test them all now
            raise

    return check


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> ConnectionPool | None:
        """As Django's, except for the check function (see the module's docstring)."""
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not pool_options:
            return None
        pools: dict[str, ConnectionPool] = self._connection_pools  # type: ignore[attr-defined]  # Django's, per process
        if self.alias not in pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            if pool_options is True:
                pool_options = {}
            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # Django sets it properly later, as its own backend does
            holder: dict[str, ConnectionPool] = {}
            pool = ConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,  # type: ignore[attr-defined]
                check=pool_check(holder) if self.settings_dict["CONN_HEALTH_CHECKS"] else None,
                **pool_options,
            )
            holder["pool"] = pool
            pools.setdefault(self.alias, pool)
        return pools[self.alias]

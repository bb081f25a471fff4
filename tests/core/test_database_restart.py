"""A PostgreSQL restart costs users nothing, and /healthz answers quickly while it is down.

The test starts its own PostgreSQL (embedded, as `make run` uses) and its own Redis, migrates a
database, and serves the portal with gunicorn and production settings (the connection pool
included). Then it restarts and stops PostgreSQL under the running server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.core.servers import (
    PortalServer,
    Postgres,
    RedisServer,
    browser_session,
    manage,
    server_env,
    sign_in,
    wait_for,
)

EMAIL = "sam.patel@example.org"
PASSWORD = "correct-horse-battery"
CREATE_PERSON = f"""
from allauth.account.models import EmailAddress
from accounts.models import User
user = User.objects.create_user(email="{EMAIL}", password="{PASSWORD}", full_name="Sam Patel")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
# A signed-in person without a second step (staff have one since the Trust work; a code can be used
# only once, and these tests sign in again and again): an account with no role at an AHSN yet.
"""


@pytest.fixture(scope="module")
def portal_on_own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PortalServer, Postgres]]:
    """Set up once for the module (migrating takes a while); each test leaves PostgreSQL running."""
    tmp_path = tmp_path_factory.mktemp("portal")
    postgres = Postgres().start()
    redis = RedisServer(tmp_path / "redis").start()
    server = None
    try:
        env = server_env(database_url=postgres.create_database("portal"), redis_url=redis.url(0))
        for command in (["migrate", "--noinput", "-v", "0"], ["shell", "-c", CREATE_PERSON]):
            done = manage(*command, env=env)
            assert done.returncode == 0, done.stdout + done.stderr
        server = PortalServer(env, tmp_path / "gunicorn.log").start()
        yield server, postgres
    finally:
        if server is not None:
            server.stop()
        redis.stop()
        postgres.close()


def _signs_in(server: PortalServer) -> list[int]:
    """Status codes of a sign-in and the home page it leads to."""
    session = browser_session()
    signed_in = sign_in(server.url, EMAIL, PASSWORD, session)
    home = session.get(f"{server.url}/notifications/", allow_redirects=False, timeout=10)  # "/" is public
    return [signed_in.status_code, home.status_code]


def test_sign_in_works_straight_after_a_database_restart(portal_on_own_postgres) -> None:
    server, postgres = portal_on_own_postgres
    assert _signs_in(server) == [302, 200]
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200

    postgres.restart()  # every connection in the pool is now dead

    after = [_signs_in(server) for _ in range(3)]
    assert after == [[302, 200]] * 3, f"{after}; log: {server.log.read_text()[-3000:]}"

    postgres.restart()
    # The load balancer's next health check does not take the worker out of service either.
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
    assert _signs_in(server) == [302, 200]


def test_healthz_answers_503_quickly_while_the_database_is_down(portal_on_own_postgres) -> None:
    server, postgres = portal_on_own_postgres
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200

    postgres.stop()
    # A load balancer must hear "unavailable" before its own timeout, not wait for the pool's.
    response = requests.get(f"{server.url}/healthz", timeout=5)
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"

    postgres.start()
    # Back without restarting the portal: the pool replaces the dead connections by itself.
    wait_for(lambda: _signs_in(server) == [302, 200], seconds=60, what="signing in after the database came back")

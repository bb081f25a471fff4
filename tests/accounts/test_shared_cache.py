"""The sign-in lock-out and the record of used TOTP codes hold across web workers.

Two portal servers (gunicorn, production settings) share one Redis that the test starts, as two
workers or two machines behind a load balancer do. Sign-in attempts alternate between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import connection

from accounts.models import Role
from tests.accounts.factories import MembershipFactory, UserFactory, with_totp
from tests.accounts.test_sign_in_and_mfa import current_code
from tests.core.servers import PortalServer, RedisServer, browser_session, database_url, post_form, server_env, sign_in

# The servers read what this test writes: it must commit (and put the reference rows back after).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WRONG = "The email address and/or password you specified are not correct."
LOCKED = "Too many failed login attempts. Try again later."


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def two_workers(redis_server: RedisServer, tmp_path: Path) -> Iterator[list[PortalServer]]:
    env = server_env(
        database_url=database_url(connection.settings_dict), redis_url=redis_server.url(0), LOG_LEVEL="INFO"
    )
    servers: list[PortalServer] = []
    try:
        for n in (1, 2):
            servers.append(PortalServer(env, tmp_path / f"worker{n}.log").start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def _outcome(response: requests.Response) -> str:
    if response.status_code == 302:
        return "signed in"
    if LOCKED in response.text:
        return "locked"
    if WRONG in response.text:
        return "wrong password"
    return f"HTTP {response.status_code}"


def test_wrong_passwords_across_two_workers_are_locked_out_from_the_sixth(two_workers) -> None:
    user = UserFactory(email="sam.patel@example.org")
    MembershipFactory(user=user, role=Role.STAFF)
    outcomes = [
        _outcome(sign_in(two_workers[attempt % 2].url, user.email, f"wrong-{attempt}")) for attempt in range(12)
    ]
    # Five failures per five minutes for one account (settings.ACCOUNT_RATE_LIMITS), counted once
    # for the whole portal: not five per worker.
    assert outcomes == ["wrong password"] * 5 + ["locked"] * 7, outcomes
    # Locked on both workers, also for the right password, until the lock-out ends.
    assert [_outcome(sign_in(server.url, user.email, "correct-horse-battery")) for server in two_workers] == [
        "locked",
        "locked",
    ]


def test_one_authenticator_code_signs_in_once_across_two_workers(two_workers) -> None:
    lead = with_totp(UserFactory(email="priya.shah@example.org"))
    MembershipFactory(user=lead, role=Role.INVOLVEMENT_LEAD)
    code = current_code()

    results = []
    for server in [*two_workers, two_workers[0]]:
        session = browser_session()
        assert sign_in(server.url, lead.email, "correct-horse-battery", session).status_code == 302
        step_two = post_form(session, f"{server.url}/accounts/2fa/authenticate/", {"code": code})
        results.append("signed in" if step_two.status_code == 302 else "refused")
    assert results == ["signed in", "refused", "refused"]


def test_signing_in_still_works_when_redis_is_down(redis_server, two_workers) -> None:
    user = UserFactory(email="tom.evans@example.org")
    MembershipFactory(user=user, role=Role.STAFF)
    redis_server.stop()

    session = browser_session()
    assert _outcome(sign_in(two_workers[0].url, user.email, "correct-horse-battery", session)) == "signed in"
    # Staff sign in with a second step; its "code already used" record falls back to the worker too.
    post_form(session, f"{two_workers[0].url}/accounts/2fa/authenticate/", {"code": current_code()})
    # A page only a signed-in person sees ("/" is the public home page for anyone).
    assert session.get(f"{two_workers[0].url}/notifications/", allow_redirects=False, timeout=10).status_code == 200
    # Wrong passwords are still counted, by the worker itself while Redis is away.
    outcomes = [_outcome(sign_in(two_workers[1].url, user.email, f"wrong-{n}")) for n in range(6)]
    assert outcomes == ["wrong password"] * 5 + ["locked"]
    assert "cache: Redis did not answer" in two_workers[0].log.read_text()

"""Shared fixtures: the insider / read-only / outsider pattern every view test uses.

* `lead`      — involvement lead at Wessex (can change things there);
* `staff`     — staff member at Wessex (can see, cannot manage the team);
  every one of them has the test TOTP authenticator (tests.accounts.factories.TEST_TOTP_SECRET);
* `outsider`  — involvement lead at Yorkshire & Humber (sees nothing at Wessex);
* `network_admin` — network admin (sees every AHSN).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Organisation, Role, User
from tests.accounts.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rate limits (the public join page's, sign-in lock-out)
    counted by earlier tests in the same process must not refuse this one."""

    cache.clear()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def wessex(db) -> Organisation:
    return Organisation.objects.get(short_name="Wessex")


@pytest.fixture
def yorkshire(db) -> Organisation:
    return Organisation.objects.get(short_name="Y&H AHSN")


@pytest.fixture
def network(db) -> Organisation:
    return Organisation.objects.get(short_name="Network")


def _member(organisation: Organisation, role: str, email: str) -> User:
    """A member of staff with the test authenticator: every staff role signs in with a second step."""
    user = UserFactory(email=email)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def lead(wessex) -> User:
    return _member(wessex, Role.INVOLVEMENT_LEAD, "lead@wessex.example.org")


@pytest.fixture
def staff(wessex) -> User:
    return _member(wessex, Role.STAFF, "staff@wessex.example.org")


@pytest.fixture
def finance(wessex) -> User:
    return _member(wessex, Role.FINANCE, "finance@wessex.example.org")


@pytest.fixture
def outsider(yorkshire) -> User:
    return _member(yorkshire, Role.INVOLVEMENT_LEAD, "lead@yorkshire.example.org")


@pytest.fixture
def network_admin(network) -> User:
    return _member(network, Role.NETWORK_ADMIN, "admin@network.example.org")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lead_client(lead) -> Client:
    return client_for(lead)


@pytest.fixture
def staff_client(staff) -> Client:
    return client_for(staff)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return client_for(outsider)


@pytest.fixture
def admin_client_portal(network_admin) -> Client:
    return client_for(network_admin)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (browser tests, concurrency tests) flush the database afterwards.
    Ask pytest-django for a serialized rollback in each of them, so the reference rows the data
    migrations made (organisations, strategy priorities, rate cards, schedules) come back and the
    next test starts from the same place."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        marker = item.get_closest_marker("django_db")
        transactional = (
            "transactional_db" in names or "live_server" in names or bool(marker and marker.kwargs.get("transaction"))
        )
        if not transactional:
            continue
        if marker is not None:
            if not marker.kwargs.get("serialized_rollback"):
                kwargs = {**marker.kwargs, "serialized_rollback": True}
                item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
        elif "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")
    # The broker-outage tests start a real Celery worker, which leaves kombu's connection pools of
    # the process closed; later tests that queue tasks from threads then fail with "Acquire on
    # closed pool". Until that is isolated, they run last.
    last = [item for item in items if "test_broker_outage" in str(item.fspath)]
    if last:
        items[:] = [item for item in items if item not in last] + last

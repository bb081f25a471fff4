"""Shared fixtures: the insider / read-only / outsider pattern every view test uses.

* `lead`      — involvement lead at Wessex (can change things there);
* `staff`     — staff member at Wessex (can see, cannot manage the team);
  every one of them has the test TOTP authenticator (tests.accounts.factories.TEST_TOTP_SECRET);
* `outsider`  — involvement lead at Yorkshire & Humber (sees nothing at Wessex);
* `network_admin` — network admin (sees every AHSN).
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Organisation, Role, User
from ahsn_portal.settings.base import private_storage_settings
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.core.servers import ObjectStore

# Every test keeps its files in real S3-compatible object storage, as production does: the
# bucket that TEST_STORAGE_URL names (s3+http://key:secret@host:port/bucket), or else a SeaweedFS
# server the suite starts on ports and in a folder of its own, and stops at the end.
_object_store: ObjectStore | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Start the object store as pytest starts, so it comes up while the database is created."""
    global _object_store  # noqa: PLW0603 - one object store for the whole pytest process
    if not os.environ.get("TEST_STORAGE_URL") and _object_store is None:
        _object_store = ObjectStore().start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _object_store  # noqa: PLW0603 - one object store for the whole pytest process
    if _object_store is not None:
        _object_store.stop()
        _object_store = None


@pytest.fixture(scope="session")
def object_store() -> ObjectStore | None:
    """The SeaweedFS server the suite started (None when TEST_STORAGE_URL names a store)."""
    return _object_store.wait() if _object_store is not None else None


@pytest.fixture(scope="session")
def storage_url(object_store: ObjectStore | None) -> str:
    """STORAGE_URL of the tests' bucket, without a prefix."""
    return os.environ.get("TEST_STORAGE_URL") or object_store.url()  # type: ignore[union-attr]


def storage_url_with_prefix(url: str, prefix: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'prefix': prefix})}"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rate limits (the public join page's, sign-in lock-out)
    counted by earlier tests in the same process must not refuse this one."""

    cache.clear()


@pytest.fixture
def test_storage_url(storage_url: str) -> str:
    """A STORAGE_URL for this test alone: the tests' bucket, under a folder of the test's own."""
    return storage_url_with_prefix(storage_url, f"tests/{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _private_storage(settings, test_storage_url: str) -> None:
    """Receipts, papers and report files go to the object store, each test in its own folder."""
    settings.STORAGES = {**settings.STORAGES, "private": private_storage_settings(test_storage_url, "")}


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

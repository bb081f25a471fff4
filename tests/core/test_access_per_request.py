"""A network admin's organisations are read once per request, however often a page asks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, User
from core.access import visible_organisation_ids
from core.user_cache import forget

pytestmark = pytest.mark.django_db


def test_a_network_admin_s_organisations_are_read_once_per_user_object(network_admin: User, wessex, yorkshire) -> None:
    with CaptureQueriesContext(connection) as first:
        every = visible_organisation_ids(network_admin)
    with CaptureQueriesContext(connection) as again:
        assert visible_organisation_ids(network_admin) == every
        assert visible_organisation_ids(network_admin, roles=None) == every
    assert {wessex.id, yorkshire.id} <= every
    assert len(again.captured_queries) == 0
    assert len(first.captured_queries) >= 1


def test_changing_the_answer_one_caller_was_given_does_not_change_the_next(network_admin: User, wessex) -> None:
    ids = visible_organisation_ids(network_admin)
    ids.discard(wessex.id)
    assert wessex.id in visible_organisation_ids(network_admin)


def test_a_new_organisation_is_seen_by_the_next_request(network_admin: User) -> None:
    before = visible_organisation_ids(network_admin)
    added = Organisation.objects.create(name="Kent Surrey Sussex", short_name="KSS", kind=Organisation.Kind.AHSN)
    assert added.id not in visible_organisation_ids(network_admin)  # the same request: the answer it had
    forget(network_admin)  # a new request loads a new user object, with nothing kept
    assert visible_organisation_ids(network_admin) == before | {added.id}

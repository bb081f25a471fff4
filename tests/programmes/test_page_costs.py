"""What the programme pages leave out to stay cheap, and that the page is still right."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.involvement.factories import ActivityFactory
from tests.programmes.factories import PlannedInvolvementFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _get(client, programme) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("programmes:programme_detail", args=[programme.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_the_activity_count_comes_with_the_cached_sums_and_moves_with_them(staff_client, wessex) -> None:
    programme = ProgrammeFactory(organisation=wessex)
    ActivityFactory.create_batch(25, organisation=wessex, programme=programme)
    _get(staff_client, programme)  # the sums are cached
    page, _ = _get(staff_client, programme)
    assert "?page=2" not in page  # 25 fit on one page
    ActivityFactory(organisation=wessex, programme=programme)
    page, _ = _get(staff_client, programme)
    assert "?page=2" in page  # the 26th moved the version: counted again


def test_a_programme_without_a_plan_skips_the_plan_rule(staff_client, wessex) -> None:
    bare = ProgrammeFactory(organisation=wessex)
    planned = ProgrammeFactory(organisation=wessex)
    PlannedInvolvementFactory(programme=planned, description="Co-design the <first> screens")
    for programme in (bare, planned):
        _get(staff_client, programme)  # the sums are cached
    bare_page, bare_queries = _get(staff_client, bare)
    planned_page, planned_queries = _get(staff_client, planned)
    assert "There is no planned involvement for this programme yet." in bare_page
    assert "Co-design the &lt;first&gt; screens" in planned_page
    assert "Not started" in planned_page or "Late" in planned_page
    assert planned_queries == bare_queries + 1 <= 13

"""The involvement plan pages: staff of the owning AHSN add, change and remove lines (audited);
read-only roles and staff of AHSNs it is shared with only look; other AHSNs get a 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from core.models import AuditEntry
from core.quarters import FinancialQuarter
from programmes.models import PlannedInvolvement, ProgrammeType
from tests.conftest import client_for
from tests.programmes.factories import PlannedInvolvementFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(wessex):
    return ProgrammeFactory(
        organisation=wessex, name="Digital front door", involvement_plan="Young people shape it from the start."
    )


def _post(**overrides):
    quarter = FinancialQuarter.current()
    data = {
        "stage": "design",
        "level": "co_production",
        "seldom_heard_groups": ["young", "mental_health"],
        "quarter": quarter.slug,
        "description": "Young people's design sprint",
    }
    data.update(overrides)
    return data


def test_staff_add_a_line_to_the_plan(staff_client, programme):
    response = staff_client.post(reverse("programmes:plan_item_create", args=[programme.pk]), _post())
    assert response.status_code == 302
    line = PlannedInvolvement.objects.get(programme=programme)
    quarter = FinancialQuarter.current()
    assert (line.stage, line.level, line.seldom_heard_groups) == ("design", "co_production", ["young", "mental_health"])
    assert (line.period_start, line.period_end) == (quarter.start, quarter.end)
    entry = AuditEntry.objects.get(action="programmes.planned_involvement.added", target_id=str(line.pk))
    assert entry.data["quarter"] == quarter.label
    page = staff_client.get(reverse("programmes:programme_plan", args=[programme.pk])).content.decode()
    assert "Co-production at the design stage" in page
    assert "Not started" in page


def test_a_line_needs_a_stage_level_and_quarter(staff_client, programme):
    response = staff_client.post(
        reverse("programmes:plan_item_create", args=[programme.pk]), _post(stage="", level="", quarter="1999-00-Q1")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in page
    assert "Choose the innovation stage" in page
    assert "Choose the level on the ladder of co-production" in page
    assert "Choose the quarter you plan to do it by" in page
    assert not PlannedInvolvement.objects.exists()


def test_staff_change_and_remove_a_line(staff_client, programme):
    line = PlannedInvolvementFactory(programme=programme, quarter=FinancialQuarter(2025, 1))
    edit = reverse("programmes:plan_item_edit", args=[programme.pk, line.pk])
    assert "April to June 2025" in staff_client.get(edit).content.decode()  # an old quarter stays choosable
    response = staff_client.post(edit, _post(level="engagement", quarter="2025-26-Q1", seldom_heard_groups=[]))
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.level, line.seldom_heard_groups, line.period_start) == ("engagement", [], date(2025, 4, 1))
    changed = AuditEntry.objects.get(action="programmes.planned_involvement.updated").data["changed"]
    assert changed["level"] == "engagement"

    remove = reverse("programmes:plan_item_remove", args=[programme.pk, line.pk])
    assert "Remove this planned involvement?" in staff_client.get(remove).content.decode()
    assert staff_client.post(remove).status_code == 302
    assert not PlannedInvolvement.objects.exists()
    assert AuditEntry.objects.filter(action="programmes.planned_involvement.removed", target_id=str(line.pk)).exists()


def test_another_ahsn_gets_not_found(outsider_client, programme):
    line = PlannedInvolvementFactory(programme=programme)
    urls = [
        reverse("programmes:programme_plan", args=[programme.pk]),
        reverse("programmes:plan_item_create", args=[programme.pk]),
        reverse("programmes:plan_item_edit", args=[programme.pk, line.pk]),
        reverse("programmes:plan_item_remove", args=[programme.pk, line.pk]),
    ]
    for url in urls:
        assert outsider_client.get(url).status_code == 404, url
    assert outsider_client.post(urls[3]).status_code == 404
    assert PlannedInvolvement.objects.filter(pk=line.pk).exists()


def test_a_line_of_another_programme_is_not_found(staff_client, programme, wessex):
    other = PlannedInvolvementFactory(programme=ProgrammeFactory(organisation=wessex))
    url = reverse("programmes:plan_item_edit", args=[programme.pk, other.pk])
    assert staff_client.get(url).status_code == 404


def test_read_only_roles_and_sharing_ahsns_only_look(finance, outsider, programme, yorkshire):
    line = PlannedInvolvementFactory(programme=programme)
    programme.programme_type = ProgrammeType.NATIONAL
    programme.save()
    programme.shared_with.add(yorkshire)
    for user in (finance, outsider):
        client = client_for(user)
        page = client.get(reverse("programmes:programme_plan", args=[programme.pk]))
        assert page.status_code == 200
        assert "Add planned involvement" not in page.content.decode()
        assert client.get(reverse("programmes:plan_item_create", args=[programme.pk])).status_code == 403
        assert client.post(reverse("programmes:plan_item_remove", args=[programme.pk, line.pk])).status_code == 403
    assert PlannedInvolvement.objects.filter(pk=line.pk).exists()


def test_the_programme_page_shows_the_plan_against_delivery(staff_client, programme):
    PlannedInvolvementFactory(programme=programme, quarter=FinancialQuarter(2024, 1), level="co_production")
    page = staff_client.get(reverse("programmes:programme_detail", args=[programme.pk])).content.decode()
    assert "Young people shape it from the start." in page  # the free text stays as the introduction
    assert "Co-production at the design stage" in page
    assert "nhsuk-tag--red" in page and "Late" in page
    assert reverse("programmes:programme_plan", args=[programme.pk]) in page


def test_the_programme_page_with_100_planned_lines_costs_a_fixed_number_of_queries(
    staff_client, programme, django_assert_max_num_queries
):
    url = reverse("programmes:programme_detail", args=[programme.pk])
    PlannedInvolvementFactory(programme=programme)
    with django_assert_max_num_queries(40) as one:
        staff_client.get(url)
    PlannedInvolvementFactory.create_batch(99, programme=programme, seldom_heard_groups=["carers"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = staff_client.get(url)
    assert response.content.decode().count("nhsuk-tag--") >= 100

"""Pages cost a fixed number of queries whatever the data size (thousands of rows here)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from involvement.models import Activity, ActivityStatus, Feedback, Outcome, Participation
from partners.models import LayPartner, PartnerLink
from programmes.models import StrategyPriority
from tests.conftest import client_for
from tests.involvement.factories import LayPartnerFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

ACTIVITIES = 2000
PARTNERS = 60
# Home pages gather sections from several apps, each at a fixed number of queries: the partner's
# counts one each for the lay co-chair's "notes waiting for you", the case studies' "May we quote
# you?" and "Opportunities to take part"; the staff home one each for "Draft case studies" and
# "Development sessions with requests waiting".
PARTNER_HOME_BUDGET = 17
STAFF_HOME_BUDGET = 11


def _bulk(wessex, programme, partner=None):
    now = timezone.now()
    activities = Activity.objects.bulk_create(
        [
            Activity(
                organisation=wessex,
                programme=programme,
                title=f"Session {i}",
                starts_at=now - timedelta(days=i % 400 - 30, hours=i % 7),
                ends_at=now - timedelta(days=i % 400 - 30, hours=i % 7) + timedelta(hours=2),
                format="online",
                method=["workshop", "focus_group", "survey"][i % 3],
                level=["informing", "consultation", "co_design", "co_production"][i % 4],
                status=ActivityStatus.COMPLETED if i % 400 >= 30 else ActivityStatus.PLANNED,
                seldom_heard_groups=["older"],
            )
            for i in range(ACTIVITIES)
        ]
    )
    priority = StrategyPriority.objects.get(code="2.1")
    Activity.priorities.through.objects.bulk_create(
        [Activity.priorities.through(activity=a, strategypriority=priority) for a in activities[::2]]
    )
    people = LayPartner.objects.bulk_create(
        [LayPartner(full_name=f"Partner {i}", reference=f"LP-B{i:07d}") for i in range(PARTNERS)]
    )
    PartnerLink.objects.bulk_create(
        [PartnerLink(partner=p, organisation=wessex, joined_on=timezone.localdate()) for p in people]
    )
    rows = [
        Participation(activity=a, partner=people[(i + k) % PARTNERS], attended=True, hours=Decimal("2"))
        for i, a in enumerate(activities)
        for k in range(3)
    ]
    if partner is not None:
        rows += [Participation(activity=a, partner=partner, attended=True, hours=Decimal("1")) for a in activities]
    participations = Participation.objects.bulk_create(rows)
    Outcome.objects.bulk_create(
        [
            Outcome(
                organisation=wessex,
                activity=a,
                what_we_heard="heard",
                what_we_did="did",
                status="changed",
                decided_on=timezone.localdate(),
            )
            for a in activities[:500]
        ]
    )
    Feedback.objects.bulk_create(
        [
            Feedback(
                participation=p,
                listened_to=4,
                role_clear=4,
                support_right=5,
                take_part_again=4,
                comments="ok" if i % 5 == 0 else "",
                submitted_at=timezone.now(),
            )
            for i, p in enumerate(participations[:3000])
        ]
    )
    return activities


def _count(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_activity_list_budget(staff_client, wessex, django_assert_max_num_queries):
    programme = ProgrammeFactory(organisation=wessex)
    _bulk(wessex, programme)
    url = reverse("involvement:activity_list")
    with django_assert_max_num_queries(12):
        staff_client.get(url)
    filtered = {"level": "co_design", "method": "workshop", "priority": StrategyPriority.objects.get(code="2.1").pk}
    with django_assert_max_num_queries(12):
        response = staff_client.get(url, {**filtered, "page": "2"})
    assert response.status_code == 200


def test_activity_export_budget(staff_client, wessex, django_assert_max_num_queries):
    _bulk(wessex, ProgrammeFactory(organisation=wessex))
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("involvement:activity_export"))
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == ACTIVITIES + 1


def test_programme_page_budget(staff_client, wessex, django_assert_max_num_queries):
    programme = ProgrammeFactory(organisation=wessex)
    _bulk(wessex, programme)
    url = reverse("programmes:programme_detail", args=[programme.pk])
    # The first view sums the programme (and reads its version, and its latest outcomes by id).
    with django_assert_max_num_queries(22):
        response = staff_client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(13):  # then the sums come from the cache until something changes
        assert staff_client.get(url).status_code == 200


def test_activity_page_budget(staff_client, wessex, django_assert_max_num_queries):
    activities = _bulk(wessex, ProgrammeFactory(organisation=wessex))
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("involvement:activity_detail", args=[activities[0].pk]))
    assert response.status_code == 200


def test_what_i_have_been_part_of_budget(wessex, django_assert_max_num_queries):
    partner = LayPartnerFactory()
    _bulk(wessex, ProgrammeFactory(organisation=wessex), partner=partner)
    client = client_for(partner.user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("involvement:my_involvement"))
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("involvement:my_outcomes"), {"page": "3"}).status_code == 200


def test_programme_list_budget(staff_client, wessex, django_assert_max_num_queries):
    for i in range(300):
        ProgrammeFactory(organisation=wessex, name=f"Programme {i:03d}")
    _bulk(wessex, ProgrammeFactory(organisation=wessex))
    with django_assert_max_num_queries(9):
        response = staff_client.get(reverse("programmes:programme_list"), {"involvement": "yes", "page": "2"})
    assert response.status_code == 200


def test_the_page_cost_does_not_grow_with_rows(staff_client, wessex):
    """Same page, ten rows against two thousand: the same number of queries."""
    programme = ProgrammeFactory(organisation=wessex)
    small = Activity.objects.bulk_create(
        [
            Activity(
                organisation=wessex,
                programme=programme,
                title=f"S{i}",
                starts_at=timezone.now(),
                ends_at=timezone.now() + timedelta(hours=1),
                format="online",
                method="survey",
                level="informing",
            )
            for i in range(10)
        ]
    )
    assert small
    url = reverse("involvement:activity_list")
    few = _count(staff_client, url)
    _bulk(wessex, programme)
    many = _count(staff_client, url)
    assert many == few


def test_partner_home_page_budget(wessex, django_assert_max_num_queries):
    """The lay partner's home page ("Coming up", "You said, we did", "Feedback you can still give")
    with 2,000 activities of theirs, 500 outcomes and 3,000 pieces of feedback."""
    partner = LayPartnerFactory()
    client = client_for(partner.user)
    url = reverse("partners:home")
    few = _count(client, url)
    _bulk(wessex, ProgrammeFactory(organisation=wessex), partner=partner)
    with django_assert_max_num_queries(PARTNER_HOME_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    assert "You said, we did" in response.content.decode()
    assert _count(client, url) == few


def test_staff_home_page_budget(staff_client, wessex, django_assert_max_num_queries):
    """The staff home page's "Activities this week" and "Completed activities with no outcome yet"."""
    url = reverse("core:dashboard")
    few = _count(staff_client, url)
    _bulk(wessex, ProgrammeFactory(organisation=wessex))
    with django_assert_max_num_queries(STAFF_HOME_BUDGET):
        response = staff_client.get(url)
    assert "Completed activities with no outcome yet" in response.content.decode()
    assert _count(staff_client, url) == few

"""An activity with hundreds of people: its page and its attendance page show fifty at a time,
the counts by what was recorded cover everyone, and the query count does not grow with them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from involvement import selectors
from involvement.models import ActivityStatus, Participation
from partners.models import LayPartner, PartnerLink
from tests.involvement.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _people(activity, count, *, attended=None):
    partners = LayPartner.objects.bulk_create(
        [LayPartner(full_name=f"Person {i:04d}", reference=f"LP-P{activity.pk}{i:05d}") for i in range(count)]
    )
    PartnerLink.objects.bulk_create(
        [PartnerLink(partner=p, organisation=activity.organisation, joined_on=timezone.localdate()) for p in partners]
    )
    return Participation.objects.bulk_create(
        [
            Participation(
                activity=activity,
                partner=p,
                expected_hours=Decimal("2"),
                attended=attended(i) if attended else None,
                hours=Decimal("2") if attended and attended(i) else None,
            )
            for i, p in enumerate(partners)
        ]
    )


def _names(html: str) -> list[str]:
    """The people listed, in order (a name shows twice in a row when it has a "Remove" link)."""
    return list(dict.fromkeys(re.findall(r"Person \d{4}", html)))


def _page(client, activity, page=None, name="involvement:activity_detail"):
    url = reverse(name, args=[activity.pk])
    response = client.get(url, {"page": page} if page else {})
    assert response.status_code == 200
    return response.content.decode()


def test_the_activity_page_shows_fifty_people_at_a_time_and_counts_everyone(staff_client, wessex):
    activity = ActivityFactory(organisation=wessex, status=ActivityStatus.COMPLETED)
    _people(activity, 120, attended=lambda i: [True, False, None][i % 3])

    first = _page(staff_client, activity)
    assert _names(first) == [f"Person {i:04d}" for i in range(50)]
    assert "120 lay partners: 40 attended, 40 did not attend, 40 not recorded yet." in first
    assert 'aria-label="Pagination"' in first
    assert "Lay partners taking part, 1 to 50 of 120" in first

    last = _page(staff_client, activity, page=3)
    assert _names(last) == [f"Person {i:04d}" for i in range(100, 120)]
    assert "120 lay partners: 40 attended" in last


def test_a_small_activity_has_no_page_links(staff_client, wessex):
    activity = ActivityFactory(organisation=wessex)
    _people(activity, 3)
    html = _page(staff_client, activity)
    assert len(_names(html)) == 3
    assert "3 lay partners: 3 not recorded yet." in html
    assert 'aria-label="Pagination"' not in html


def test_the_main_step_counts_people_on_every_page(staff_client, wessex):
    """Only someone on page 3 has nothing recorded: the page still asks for attendance."""
    activity = ActivityFactory(organisation=wessex, status=ActivityStatus.COMPLETED)
    _people(activity, 120, attended=lambda i: None if i == 110 else True)
    html = _page(staff_client, activity)
    group = re.search(r'<div class="nhsuk-button-group">(.*?)</div>', html, re.S)
    assert group is not None
    assert re.search(r'class="nhsuk-button"[^>]*>\s*Record attendance', group.group(1))


def test_counts_are_computed_in_sql(wessex):
    activity = ActivityFactory(organisation=wessex)
    _people(activity, 7, attended=lambda i: i % 2 == 0)
    with CaptureQueriesContext(connection) as ctx:
        counts = selectors.participant_counts(activity)
    assert len(ctx.captured_queries) == 1
    assert (counts.total, counts.attended, counts.did_not_attend, counts.not_recorded) == (7, 4, 3, 0)


def test_activity_page_queries_do_not_grow_with_participants(staff_client, wessex):
    small = ActivityFactory(organisation=wessex)
    _people(small, 3)
    big = ActivityFactory(organisation=wessex)
    _people(big, 400, attended=lambda i: i % 2 == 0)

    def count(activity, page=None):
        with CaptureQueriesContext(connection) as ctx:
            _page(staff_client, activity, page)
        return len(ctx.captured_queries)

    count(small)  # warm the session and caches
    assert count(big) == count(small)
    assert count(big, page=5) == count(small)


def test_attendance_is_recorded_for_the_people_on_the_page(staff_client, wessex):
    activity = ActivityFactory(organisation=wessex)
    people = _people(activity, 70)
    html = _page(staff_client, activity, page=2, name="involvement:attendance")
    shown = _names(html)
    assert shown == [f"Person {i:04d}" for i in range(50, 70)]
    assert "saving records the people on this page" in html

    data = {}
    for p in people[50:]:
        data |= {f"p{p.pk}-participation": p.pk, f"p{p.pk}-attended": "yes", f"p{p.pk}-hours": "1.5"}
    url = reverse("involvement:attendance", args=[activity.pk]) + "?page=2"
    response = staff_client.post(url, data)
    assert response.status_code == 302

    recorded = Participation.objects.filter(activity=activity, attended=True)
    assert set(recorded.values_list("pk", flat=True)) == {p.pk for p in people[50:]}
    assert set(recorded.values_list("hours", flat=True)) == {Decimal("1.5")}
    assert Participation.objects.filter(activity=activity, attended__isnull=True).count() == 50
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.COMPLETED
    after = _page(staff_client, activity)
    assert "70 lay partners: 20 attended, 50 not recorded yet." in after


def test_outsider_cannot_see_the_pages(outsider_client, wessex):
    activity = ActivityFactory(organisation=wessex)
    _people(activity, 60)
    for name in ("involvement:activity_detail", "involvement:attendance"):
        response = outsider_client.get(reverse(name, args=[activity.pk]), {"page": 2})
        assert response.status_code == 404

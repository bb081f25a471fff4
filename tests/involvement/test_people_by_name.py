"""The staff activity page lists people by their full name from the (activity, name) index: the
name kept on each participation follows the partner, however the participation or the name is
written (migration 0011's triggers)."""

from __future__ import annotations

import pytest
from django.db import connection

from involvement import selectors
from involvement.models import Participation
from partners.models import LayPartner
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.partners.factories import LayPartnerFactory

pytestmark = pytest.mark.django_db


def _names_on_the_page(activity) -> list[str]:  # type: ignore[no-untyped-def]
    counts = selectors.participant_counts(activity)
    page = selectors.activity_participants_page(activity, 1, counts=counts)
    return [p.partner.full_name for p in page.object_list]


def test_people_are_listed_by_name_and_follow_a_change_of_name(wessex):
    activity = ActivityFactory(organisation=wessex)
    zoe, adam, maya = (LayPartnerFactory(full_name=name) for name in ("Zoe Quinn", "Adam Berry", "Maya Patel"))
    for partner in (zoe, adam, maya):
        ParticipationFactory(activity=activity, partner=partner)
    assert _names_on_the_page(activity) == ["Adam Berry", "Maya Patel", "Zoe Quinn"]

    adam.full_name = "Yusuf Berry"  # a change of name, saved as the profile form saves it
    adam.save()
    LayPartner.objects.filter(pk=maya.pk).update(full_name="Aaliyah Patel")  # a bulk write (forgetting someone)
    assert _names_on_the_page(activity) == ["Aaliyah Patel", "Yusuf Berry", "Zoe Quinn"]
    assert set(Participation.objects.filter(activity=activity).values_list("partner_sort_name", flat=True)) == {
        "Aaliyah Patel",
        "Yusuf Berry",
        "Zoe Quinn",
    }


def test_a_participation_takes_its_partners_name_however_it_is_written(wessex):
    activity = ActivityFactory(organisation=wessex)
    first, second, third = (LayPartnerFactory(full_name=f"Person {n}") for n in (1, 2, 3))
    made = ParticipationFactory(activity=activity, partner=first)
    (bulk,) = Participation.objects.bulk_create([Participation(activity=activity, partner=second)])
    with connection.cursor() as cursor:  # as an import or the bench data's COPY writes rows
        cursor.execute(
            "INSERT INTO involvement_participation (activity_id, partner_id, role, expected_hours, from_history,"
            " response, apology_reason, created_at, updated_at) VALUES (%s, %s, '', 0, false, '', '', now(), now())",
            [activity.pk, third.pk],
        )
    names = dict(Participation.objects.filter(activity=activity).values_list("partner_id", "partner_sort_name"))
    assert names == {first.pk: "Person 1", second.pk: "Person 2", third.pk: "Person 3"}
    made.partner_sort_name = "Somebody else"  # a stale copy saved back is put right
    made.save()
    made.refresh_from_db()
    assert made.partner_sort_name == "Person 1" and bulk.pk


def test_a_page_of_people_is_read_from_the_name_index(wessex):
    activity = ActivityFactory(organisation=wessex)
    for n in range(3):
        ParticipationFactory(activity=activity, partner=LayPartnerFactory(full_name=f"Person {n}"))
    with connection.cursor() as cursor:
        # A handful of rows, so the planner would sort them: with sorting priced out, only an index
        # in this order can give them (without one, the plan still sorts).
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off")
        ordered = Participation.objects.filter(activity=activity).order_by("partner_sort_name", "id").values("pk")[:50]
        sql, params = ordered.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "participation_by_name" in plan and "Sort" not in plan


def test_each_page_of_people_is_its_own_fifty_by_name(wessex, django_assert_max_num_queries):
    activity = ActivityFactory(organisation=wessex)
    partners = LayPartner.objects.bulk_create(
        LayPartner(reference=f"LP-P{n:04d}", full_name=f"Person {n:03d}", email=f"p{n}@example.org") for n in range(55)
    )
    Participation.objects.bulk_create(Participation(activity=activity, partner=p) for p in reversed(partners))
    counts = selectors.participant_counts(activity)
    names = {}
    for number in ("1", "2", "abc", "99"):
        with django_assert_max_num_queries(1):  # the page's ids are chosen inside the query of its facts
            page = selectors.activity_participants_page(activity, number, counts=counts)
        names[number] = [p.partner.full_name for p in page.object_list]
    assert names["1"] == names["abc"] == [f"Person {n:03d}" for n in range(50)]
    assert names["2"] == names["99"] == [f"Person {n:03d}" for n in range(50, 55)]

"""core.prepared: a query built once, run with new values, answers as the queryset built afresh
would, and a page built from prepared queries follows the clock (nothing of one run is frozen in)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import BigIntegerField, DateTimeField, JSONField, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.prepared import Prepared, PreparedList
from involvement.models import Activity
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.payments.factories import participation_for, partner_at

pytestmark = pytest.mark.django_db


def _since(slots):  # type: ignore[no-untyped-def]
    return (
        Activity.objects.filter(organisation_id=slots.organisation, starts_at__gte=slots.since)
        .order_by("starts_at", "pk")
        .values_list("pk", "title", "starts_at")
    )


def test_rows_are_the_querysets_for_each_set_of_values(wessex, yorkshire, django_assert_num_queries):
    now = timezone.now()
    for org in (wessex, yorkshire):
        for days in (-3, 1, 4):
            ActivityFactory(organisation=org, title=f"{org.short_name} {days}", starts_at=now + timedelta(days=days))
    built = []
    prepared = Prepared(
        lambda slots: built.append(1) or _since(slots), organisation=BigIntegerField(), since=DateTimeField()
    )
    answers = set()
    for org in (wessex, yorkshire):
        for since in (now - timedelta(days=5), now, now + timedelta(days=2)):
            with django_assert_num_queries(1):
                rows = prepared.rows(organisation=org.pk, since=since)
            assert rows == list(prepared.queryset(organisation=org.pk, since=since))
            answers.add(tuple(rows))
    assert len(answers) == 6  # every set of values gave its own answer
    assert len(built) == 1 + 6  # built once to prepare, and once for each comparison


def test_columns_are_converted_as_the_orm_converts_them(wessex):
    activity = ActivityFactory(organisation=wessex)
    prepared = Prepared(
        lambda slots: Activity.objects.filter(pk=slots.pk).values_list(
            Value({"ways": ["online"]}, output_field=JSONField())
        ),
        pk=BigIntegerField(),
    )
    assert prepared.rows(pk=activity.pk) == [({"ways": ["online"]},)] == list(prepared.queryset(pk=activity.pk))


def test_values_must_match_the_slots(wessex):
    prepared = Prepared(_since, organisation=BigIntegerField(), since=DateTimeField())
    with pytest.raises(TypeError, match="expected values for"):
        prepared.rows(organisation=wessex.pk)
    with pytest.raises(TypeError, match="expected values for"):
        prepared.rows(organisation=wessex.pk, since=timezone.now(), extra=1)
    unused = Prepared(_since, organisation=BigIntegerField(), since=DateTimeField(), today=DateTimeField())
    with pytest.raises(ValueError, match="slots declared"):
        unused.rows(organisation=wessex.pk, since=timezone.now(), today=timezone.now())


def test_a_count_counts_the_ids_of_what_is_counted_and_stops_where_it_is_told(
    wessex, yorkshire, django_assert_num_queries
):
    now = timezone.now()
    for days in range(7):
        ActivityFactory(organisation=wessex, starts_at=now + timedelta(days=days))
    ActivityFactory(organisation=yorkshire, starts_at=now)

    def chosen(slots):  # type: ignore[no-untyped-def]
        return Activity.objects.filter(organisation_id=slots.organisation, starts_at__gte=slots.since)

    lean = Prepared(
        lambda slots: chosen(slots).order_by("-starts_at").values_list("pk", "title"),
        chosen,
        organisation=BigIntegerField(),
        since=DateTimeField(),
    )
    whole = Prepared(
        lambda slots: chosen(slots).order_by("-starts_at").values_list("pk", "title"),
        organisation=BigIntegerField(),
        since=DateTimeField(),
    )
    for prepared in (lean, whole):
        assert prepared.count(organisation=wessex.pk, since=now - timedelta(days=1)) == 7
        assert prepared.count(organisation=wessex.pk, since=now + timedelta(days=5)) == 2
        assert prepared.count(organisation=yorkshire.pk, since=now - timedelta(days=1)) == 1
        with django_assert_num_queries(1):
            assert prepared.count(at_most=4, organisation=wessex.pk, since=now - timedelta(days=1)) == 4
        listed = PreparedList(prepared, at_most=4, organisation=wessex.pk, since=now - timedelta(days=1))
        assert len(listed) == 4
        assert listed[0:3] == prepared.rows(organisation=wessex.pk, since=now - timedelta(days=1))[:3]
    with CaptureQueriesContext(connection) as counted:
        lean.count(organisation=wessex.pk, since=now)
    (sql,) = [q["sql"] for q in counted.captured_queries]
    assert "ORDER BY" not in sql and "title" not in sql  # the ids of what is counted, in no order


def test_the_partner_home_follows_the_clock(wessex):
    """Each section of the partner's home is a prepared query: days later, what has passed is gone."""
    partner = partner_at(wessex, full_name="Amina Khan")
    participation_for(partner, starts_at=timezone.now() - timedelta(days=80), title="Recent panel")
    start = timezone.now() + timedelta(days=2)
    ParticipationFactory(
        partner=partner,
        activity=ActivityFactory(
            organisation=wessex, title="Next panel", starts_at=start, ends_at=start + timedelta(hours=1)
        ),
    )
    home = client_for(partner.user).get("/partners/me/").content.decode()
    assert "1 activity you have taken part in" in home
    assert "Next panel" in home.split("Coming up")[1].split("</section>")[0]
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        later = client_for(partner.user).get("/partners/me/").content.decode()  # a session of that day
    assert "There is nothing new to claim for at the moment." in later  # 90 days to claim have passed
    assert "Next panel" not in later.split("Coming up")[1].split("</section>")[0]


def test_the_staff_home_follows_the_clock(lead, wessex):
    """ "Activities this week" is a prepared query: a week later, last week's activity has gone."""
    now = timezone.now()
    ActivityFactory(
        organisation=wessex, title="Panel today", status="planned", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    home = client_for(lead).get("/").content.decode()
    assert "Panel today" in home.split("Activities this week")[1].split("</section>")[0]
    with time_machine.travel(now + timedelta(days=7)):
        later = client_for(lead).get("/").content.decode()
    assert "Panel today" not in later.split("Activities this week")[1].split("</section>")[0]

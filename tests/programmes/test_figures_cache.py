"""The programme page's sums are cached under a version the database moves on whenever the rows
behind them change: every kind of change shows on the next view, by whatever path it was made."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from involvement.models import Activity, Feedback, Outcome, Participation, ProgrammeFiguresVersion
from partners.models import LayPartner
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(wessex):
    return ProgrammeFactory(organisation=wessex, name="Digital front door")


def _page(client, programme) -> str:
    return " ".join(client.get(reverse("programmes:programme_detail", args=[programme.pk])).content.decode().split())


def _version(programme) -> int:
    row = ProgrammeFiguresVersion.objects.filter(programme_id=programme.pk).first()
    return row.version if row else 0


def _hours(page: str) -> str:
    return page.split("Hours given by lay partners</dt>")[1].split("</dd>")[0].split(">")[-1].strip()


def test_bulk_updates_and_deletes_show_at_once(staff_client, programme, django_assert_max_num_queries):
    activity = ActivityFactory(programme=programme, organisation=programme.organisation, status="completed")
    ParticipationFactory.create_batch(2, activity=activity, attended=True, hours=Decimal("3"))
    assert _hours(_page(staff_client, programme)) == "6"
    # A QuerySet.update() sends no signal: the trigger still moves the version on.
    Participation.objects.filter(activity=activity).update(hours=Decimal("5"))
    assert _hours(_page(staff_client, programme)) == "10"
    Participation.objects.filter(activity=activity).delete()
    assert _hours(_page(staff_client, programme)) == "0"


def test_an_unchanged_programme_is_read_from_the_cache(staff_client, programme, django_assert_max_num_queries):
    activity = ActivityFactory(programme=programme, organisation=programme.organisation, status="completed")
    ParticipationFactory.create_batch(3, activity=activity, attended=True, hours=Decimal("1"))
    first = _page(staff_client, programme)
    version = _version(programme)
    with django_assert_max_num_queries(13) as queries:  # the sums (7 queries) are not run again
        again = _page(staff_client, programme)
    assert again == first
    assert _version(programme) == version
    assert not any("SUM(" in q["sql"] for q in queries.captured_queries)


def test_each_kind_of_change_moves_the_version(programme, wessex):
    activity = ActivityFactory(programme=programme, organisation=wessex)
    versions = [_version(programme)]

    def moved() -> bool:
        versions.append(_version(programme))
        return versions[-1] > versions[-2]

    participation = ParticipationFactory(activity=activity, attended=True, hours=Decimal("2"))
    assert moved()
    Activity.objects.filter(pk=activity.pk).update(public_participants_count=4)
    assert moved()
    Feedback.objects.create(
        participation=participation,
        listened_to=5,
        role_clear=4,
        support_right=4,
        take_part_again=5,
        comments="Good",
        submitted_at=timezone.now(),
    )
    assert moved()
    Outcome.objects.create(
        organisation=wessex,
        activity=activity,
        what_we_heard="a",
        what_we_did="b",
        status="considered",
        decided_on=timezone.localdate(),
    )
    assert moved()
    LayPartner.objects.filter(pk=participation.partner_id).update(full_name="New Name")
    assert moved()
    LayPartner.objects.filter(pk=participation.partner_id).update(pronouns="they/them")  # not shown on the page
    assert not moved()
    # Moving an activity to another programme changes both.
    other = ProgrammeFactory(organisation=wessex)
    other_before = _version(other)
    Activity.objects.filter(pk=activity.pk).update(programme=other)
    assert moved()
    assert _version(other) > other_before


def test_a_partner_forgotten_disappears_from_the_page(staff_client, programme):
    partner = LayPartnerFactory(full_name="Wendy Wessex")
    ParticipationFactory(
        activity=ActivityFactory(programme=programme, organisation=programme.organisation, status="completed"),
        partner=partner,
        attended=True,
        hours=Decimal("2"),
    )
    assert "Wendy Wessex" in _page(staff_client, programme)
    LayPartner.objects.filter(pk=partner.pk).update(anonymised=True, full_name="Former partner")
    page = _page(staff_client, programme)
    assert "Wendy Wessex" not in page

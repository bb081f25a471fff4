from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from involvement import services
from involvement.selectors import completed_without_outcome
from partners.sections import home_sections_for, profile_sections_for
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def test_partner_home_page_sections(partner, wessex, staff):
    start = timezone.now() + timedelta(days=2)
    ParticipationFactory(
        partner=partner,
        activity=ActivityFactory(
            organisation=wessex, title="Patient panel", starts_at=start, ends_at=start + timedelta(hours=1)
        ),
    )
    past = ParticipationFactory(partner=partner, attended=True, hours=Decimal("2"))
    services.outcome_record(
        actor=staff,
        activity=past.activity,
        what_we_heard="Parking was hard",
        what_we_did="We booked a venue with parking",
        status="changed",
        decided_on=timezone.localdate(),
    )
    sections = {s.title: s for s in home_sections_for(partner)}
    assert [i["text"] for i in sections["Coming up"].items] == ["Patient panel"]
    assert "We booked a venue with parking" in sections["You said, we did"].items[0]["text"]
    assert sections["Feedback you can still give"].items[0]["text"] == f"Tell us how {past.activity.title} went"


def test_staff_see_what_a_partner_took_part_in_only_at_their_ahsn(partner, wessex, yorkshire):
    ParticipationFactory(partner=partner, activity=ActivityFactory(organisation=wessex, title="Wessex panel"))
    section = next(
        s for s in profile_sections_for(partner, {yorkshire.pk}, None) if s.title == "What they have taken part in"
    )
    assert section.items == []
    section = next(
        s for s in profile_sections_for(partner, {wessex.pk}, None) if s.title == "What they have taken part in"
    )
    assert [i["text"] for i in section.items] == ["Wessex panel"]


def test_staff_home_page_shows_this_week_and_missing_outcomes(staff_client, finance, wessex):
    ActivityFactory(organisation=wessex, title="Needs an outcome", status="completed")
    ActivityFactory(
        organisation=wessex,
        title="Happening now",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    page = staff_client.get("/").content.decode()
    assert "Completed activities with no outcome yet" in page
    assert "Needs an outcome" in page
    assert "Activities this week" in page
    assert "Happening now" in page
    assert "Completed activities with no outcome yet" not in client_for(finance).get("/").content.decode()


def test_the_partner_home_page_and_staff_partner_page_show_involvement(partner, partner_client, staff_client, wessex):
    ParticipationFactory(partner=partner, activity=ActivityFactory(organisation=wessex, title="Wessex panel"))
    home = partner_client.get(reverse("partners:home")).content.decode()
    assert "Coming up" in home
    assert "You said, we did" in home
    detail = staff_client.get(reverse("partners:partner_detail", args=[partner.pk])).content.decode()
    assert "What they have taken part in" in detail
    assert "Wessex panel" in detail


def test_forum_meetings_are_not_listed_as_missing_an_outcome(wessex):
    ActivityFactory(
        organisation=wessex, title="Forum meeting", status="completed", method="forum_meeting", programme=None
    )
    workshop = ActivityFactory(organisation=wessex, title="Workshop", status="completed")
    assert list(completed_without_outcome(organisation_ids=[wessex.pk])) == [workshop]

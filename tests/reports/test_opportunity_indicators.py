"""Opportunities in the quarterly report, on a hand-built dataset where the answers are known.

Wessex, 2026/27 Q2 (July to September 2026):

* published: A (opened 1 July), B (opened 10 August) in Q2; C opened in Q1 (1 May) -> Q2 2, Q1 1;
* A filled on 11 July (10 days), B filled on 30 August (20 days) -> median 15 days in Q2;
* interest recorded in Q2 from 7 people (one of them on two opportunities), in Q1 from 1;
* chosen in Q2: 6 people; 2 had taken part before (attended activity earlier), 4 new;
  5 of the 6 belong to a seldom-heard group, 1 answered only "prefer not to say" -> 83.3%;
* a Yorkshire opportunity opened in Q2 counts only for the network.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from involvement.models import Participation
from opportunities.models import Interest, InterestStatus
from reports.indicators import compile_indicators
from tests.involvement.factories import ActivityFactory, LayPartnerFactory
from tests.opportunities.factories import OpportunityFactory
from tests.partners.factories import EqualityFactory
from tests.reports.conftest import QUARTER
from tests.reports.test_indicators import values

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=LONDON)


def _interest(opportunity, partner, created, *, selected_on=None):
    interest = Interest.objects.create(
        opportunity=opportunity,
        partner=partner,
        status=InterestStatus.SELECTED if selected_on else InterestStatus.INTERESTED,
        decided_at=selected_on,
    )
    Interest.objects.filter(pk=interest.pk).update(created_at=created)
    return interest


@pytest.fixture
def opportunities_dataset(wessex, yorkshire):
    a = OpportunityFactory(state="filled", opened_at=at(2026, 7, 1), filled_at=at(2026, 7, 11))
    b = OpportunityFactory(state="filled", opened_at=at(2026, 8, 10), filled_at=at(2026, 8, 30))
    c = OpportunityFactory(state="open", opened_at=at(2026, 5, 1))
    OpportunityFactory(state="open", opened_at=at(2026, 8, 1), organisation=yorkshire)
    people = [LayPartnerFactory() for _ in range(8)]
    for number, person in enumerate(people[:6]):
        _interest(a if number < 3 else b, person, at(2026, 7, 2), selected_on=at(2026, 7, 20))
    for person in people[:5]:
        EqualityFactory(partner=person, seldom_heard_groups=["carers"])
    EqualityFactory(partner=people[5], seldom_heard_groups=["prefer_not_to_say"])
    _interest(b, people[6], at(2026, 8, 12))
    _interest(a, people[6], at(2026, 7, 3))
    _interest(c, people[7], at(2026, 5, 2))
    earlier = ActivityFactory(starts_at=at(2026, 6, 1))
    later = ActivityFactory(starts_at=at(2026, 9, 1))
    Participation.objects.create(activity=earlier, partner=people[0], attended=True)
    Participation.objects.create(activity=earlier, partner=people[1], attended=True)
    Participation.objects.create(activity=later, partner=people[2], attended=True)  # after being chosen


def test_opportunity_indicators(opportunities_dataset, wessex):
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    assert values(data, "opportunities.published")[:2] == (2, 1)
    assert values(data, "opportunities.days_to_filled")[0] == 15.0
    assert values(data, "opportunities.people_interested")[:2] == (7, 1)
    assert values(data, "opportunities.selected")[0] == 6
    assert values(data, "opportunities.selected_new")[0] == 4
    assert values(data, "opportunities.selected_seldom_heard_share")[0] == 83.3
    section_keys = {section["key"]: [row["key"] for row in section["indicators"]] for section in data["sections"]}
    assert "opportunities.published" in section_keys["1"]
    assert "opportunities.selected_new" in section_keys["2"]


def test_small_seldom_heard_counts_are_suppressed(wessex):
    opportunity = OpportunityFactory(state="open", opened_at=at(2026, 7, 1))
    for number in range(3):
        person = LayPartnerFactory()
        EqualityFactory(partner=person, seldom_heard_groups=["carers"] if number < 2 else [])
        _interest(opportunity, person, at(2026, 7, 2), selected_on=at(2026, 7, 20))
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    row = next(
        r for s in data["sections"] for r in s["indicators"] if r["key"] == "opportunities.selected_seldom_heard_share"
    )
    assert row["values"]["this"] == "<5" and row["display"]["this"] == "<5"


def test_network_counts_every_ahsn(opportunities_dataset, network):
    data = compile_indicators(organisation=network, quarter=QUARTER)
    assert values(data, "opportunities.published")[0] == 3

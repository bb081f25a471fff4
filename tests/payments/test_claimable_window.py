"""The reminder sweeps read only recently ended activities (`last_day_between`, served by the
`activity_ends` index): that window must never leave out a participation the exact rule keeps,
whatever each AHSN's deadline, around the edges of its last day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from involvement.models import Participation
from payments import selectors
from payments.models import RateCard
from tests.payments.factories import participation_for, partner_at

pytestmark = pytest.mark.django_db


def _ended(partner, days_ago: int, hours: int = 0) -> Participation:
    ends = timezone.now() - timedelta(days=days_ago, hours=hours)
    return participation_for(partner, starts_at=ends - timedelta(hours=2), ends_at=ends)


@pytest.fixture
def people(wessex, yorkshire):
    # Wessex keeps the default 90 days to claim; Yorkshire gives 30.
    RateCard.objects.filter(organisation=yorkshire).update(claim_deadline_days=30)
    rows = []
    for organisation, deadline in ((wessex, 90), (yorkshire, 30)):
        partner = partner_at(organisation)
        for days in (0, 1, deadline - 2, deadline - 1, deadline, deadline + 1, deadline + 2, 200):
            for hours in (0, 13):
                rows.append(_ended(partner, days, hours))
    return rows


def test_everyone_s_claimable_participations_match_each_partner_s(people):
    everyone = set(selectors.claimable_participations().values_list("pk", flat=True))
    partners = {p.partner for p in people}
    each = set().union(
        *(set(selectors.claimable_participations(partner=p).values_list("pk", flat=True)) for p in partners)
    )
    assert everyone == each
    assert everyone, "some are claimable"
    assert len(everyone) < len(people), "and some are too old"


@pytest.mark.parametrize("ahead", [0, 5, 14, 60])
def test_the_window_keeps_every_last_day_inside_it(people, ahead):
    today = timezone.localdate()
    until = today + timedelta(days=ahead)
    facts = selectors.with_claim_facts(Participation.objects.all(), today=today)
    exact = set(facts.filter(last_day__gte=today, last_day__lte=until).values_list("pk", flat=True))
    windowed = set(
        facts.filter(
            selectors.last_day_between(first=today, last=until), last_day__gte=today, last_day__lte=until
        ).values_list("pk", flat=True)
    )
    assert windowed == exact


def test_the_window_reads_no_old_activities(people):
    today = timezone.localdate()
    kept = set(Participation.objects.filter(selectors.last_day_between(first=today)).values_list("pk", flat=True))
    old = {p.pk for p in people if (timezone.now() - p.activity.ends_at).days >= 150}
    assert kept and not kept & old

from __future__ import annotations

import io

import pytest

from accounts import demo as accounts_demo
from partners import demo
from partners.models import EqualityMonitoring, LayPartner, PartnerApplication, PartnerLink
from partners.selectors import equality_aggregates

pytestmark = pytest.mark.django_db


def _seed() -> dict:
    out = io.StringIO()
    context = accounts_demo.seed(out)
    context.update(demo.seed(out, context))
    return context


def test_demo_partners_are_varied_and_seeding_twice_adds_nothing(wessex, yorkshire):
    context = _seed()
    counts = (LayPartner.objects.count(), PartnerLink.objects.count(), PartnerApplication.objects.count())
    assert counts[0] >= 30
    _seed()
    assert (LayPartner.objects.count(), PartnerLink.objects.count(), PartnerApplication.objects.count()) == counts
    assert EqualityMonitoring.objects.count() >= 20

    partner1 = context["partners"]["partner1"]
    assert partner1.user.email == "partner1@demo.ahsn.test"
    assert set(partner1.links.values_list("organisation__short_name", flat=True)) == {"Wessex"}
    assert set(context["partners"]["partner2"].links.values_list("organisation__short_name", flat=True)) == {
        "Wessex",
        "Y&H AHSN",
    }
    arthur = context["partners"]["arthur"]
    assert arthur.user is None and arthur.email == "" and arthur.is_assisted_digital
    assert PartnerApplication.objects.pending().filter(organisation=wessex).exists()
    # Some aggregate cells are shown, some are suppressed.
    cells = [count for rows in equality_aggregates([wessex.pk]).values() for _label, count in rows]
    assert "<5" in cells
    assert any(c.isdigit() and int(c) >= 5 for c in cells)

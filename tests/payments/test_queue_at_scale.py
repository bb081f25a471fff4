"""The claims queue at network scale: it opens on what needs the reader's action, totals are worked
out for the page shown, the count stops at a cap, and a long programme list becomes a search box."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from core import paginator
from payments.models import Claim, ClaimStatus
from programmes import lookups
from tests.conftest import client_for
from tests.payments.factories import partner_at
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def _claim(org, partner, status: str, reference: str, *amounts: str) -> Claim:
    claim = Claim.objects.create(
        organisation=org,
        partner=partner,
        payment_choice="pay",
        created_by=partner.user,
        status=status,
        submitted_at=timezone.now(),
        reference=reference,
    )
    for amount in amounts:
        claim.lines.create(kind="parking", amount=Decimal(amount))
    return claim


@pytest.fixture
def claims(wessex) -> dict[str, Claim]:
    partner = partner_at(wessex)
    return {
        status: _claim(wessex, partner, status, f"CLM-7{n:05d}", "3.00", "2.50")
        for n, status in enumerate(
            [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.RETURNED]
        )
    }


def test_a_lead_opens_the_queue_on_claims_waiting_for_approval(lead, claims) -> None:
    page = client_for(lead).get("/payments/claims/").content.decode()
    assert claims[ClaimStatus.SUBMITTED].reference in page
    for status in (ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.RETURNED):
        assert claims[status].reference not in page
    assert '<strong aria-current="page">Waiting for approval</strong>' in page
    assert "£5.50" in page


def test_finance_opens_the_queue_on_approved_claims_not_yet_paid(finance, claims) -> None:
    page = client_for(finance).get("/payments/claims/").content.decode()
    assert claims[ClaimStatus.APPROVED].reference in page
    assert claims[ClaimStatus.SUBMITTED].reference not in page
    assert claims[ClaimStatus.PAID].reference not in page


def test_every_other_state_is_one_click_away(lead, claims) -> None:
    client = client_for(lead)
    page = client.get("/payments/claims/").content.decode()
    assert 'href="?status=paid"' in page and 'href="?status=all"' in page
    assert claims[ClaimStatus.PAID].reference in client.get("/payments/claims/?status=paid").content.decode()
    everything = client.get("/payments/claims/?status=all").content.decode()
    assert all(claim.reference in everything for claim in claims.values())


def test_totals_are_right_on_each_row(lead, wessex) -> None:
    partner = partner_at(wessex)
    _claim(wessex, partner, ClaimStatus.SUBMITTED, "CLM-800001", "10.00", "0.25")
    _claim(wessex, partner, ClaimStatus.SUBMITTED, "CLM-800002")
    page = client_for(lead).get("/payments/claims/").content.decode()
    assert "£10.25" in page and "£0.00" in page


def test_the_count_stops_at_the_cap(lead, claims, monkeypatch) -> None:
    monkeypatch.setattr(paginator, "CAP", 2)
    page = client_for(lead).get("/payments/claims/?status=all").content.decode()
    assert "More than 2 claims" in page


def test_many_programmes_make_the_filter_a_search_box(lead, wessex, monkeypatch) -> None:
    monkeypatch.setattr(lookups, "MAX_OPTIONS", 1)
    ProgrammeFactory(organisation=wessex, name="Heart failure at home")
    ProgrammeFactory(organisation=wessex, name="Asthma in schools")
    client = client_for(lead)
    page = client.get("/payments/claims/").content.decode()
    assert '<select name="programme"' not in page
    assert 'name="programme"' in page and "Type part of the programme" in page
    assert client.get("/payments/claims/?status=all&programme=asthma").status_code == 200


def test_few_programmes_stay_a_menu(lead, wessex) -> None:
    ProgrammeFactory(organisation=wessex, name="Heart failure at home")
    page = client_for(lead).get("/payments/claims/").content.decode()
    assert '<select name="programme"' in page or 'name="programme" id' in page
    assert "Heart failure at home</option>" in page

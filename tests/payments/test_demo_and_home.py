"""Demo data and the home-page sections payments adds."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from payments import services
from payments.models import Claim, ClaimStatus, Receipt
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_claims_in_every_state_once():
    call_command("seed_demo", stdout=io.StringIO())
    counts = {status: Claim.objects.filter(status=status).count() for status in ClaimStatus.values}
    assert all(counts.values()), counts
    assert Receipt.objects.exists()
    total = Claim.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Claim.objects.count() == total


def test_partner_home_shows_what_they_can_claim_and_their_claims(partner, participation, wessex):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    page = client_for(partner.user).get("/", follow=True).content.decode()
    assert "You can claim for" in page and "1 activity you have taken part in" in page
    assert claim.reference in page


def test_lead_and_finance_dashboards(partner, participation, wessex, lead, finance):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    services.claim_add_fee_line(claim=claim, participation=participation, actor=partner.user)
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    assert claim.reference in client_for(lead).get("/").content.decode()
    assert "Approved claims to pay" in client_for(finance).get("/").content.decode()
    services.claim_approve(claim=claim, actor=lead)
    assert claim.reference in client_for(finance).get("/").content.decode()

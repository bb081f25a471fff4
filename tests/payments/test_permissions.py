"""Who may do what with a claim: the answers of payments.permissions, the one home of these rules
that the claim pages, the services and the selectors all ask."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from payments import permissions, services
from tests.payments.factories import assisted_partner_at, draft_claim, submitted_claim


@pytest.fixture
def claim(partner, wessex, participation):
    return submitted_claim(partner, wessex, participation)


def test_the_claimant_reads_and_changes_their_own_claim_but_never_decides_it(partner, wessex):
    claim = draft_claim(partner, wessex)
    assert permissions.is_claimant(partner.user, claim)
    assert permissions.can_read_claim(partner.user, claim)
    assert permissions.can_edit_claim(partner.user, claim)
    assert not permissions.can_decide_claim(partner.user, claim)


def test_a_lead_decides_a_claim_sent_by_a_partner_but_cannot_change_it(claim, lead):
    assert permissions.can_read_claim(lead, claim)
    assert permissions.can_decide_claim(lead, claim)
    assert not permissions.is_claim_editor(lead, claim)


def test_a_sent_claim_can_no_longer_be_edited_even_by_its_claimant(claim, partner):
    assert permissions.is_claim_editor(partner.user, claim)
    assert not permissions.can_edit_claim(partner.user, claim)


def test_plain_staff_and_finance_see_only_what_their_role_allows(claim, staff, finance):
    assert not permissions.can_read_claim(staff, claim)  # the partner is not supported by staff
    assert permissions.can_read_claim(finance, claim)
    assert not permissions.can_decide_claim(finance, claim)
    assert permissions.can_pay(finance, claim.organisation_id)
    assert not permissions.can_pay(staff, claim.organisation_id)


def test_a_lead_who_prepared_a_claim_for_a_partner_supported_by_staff_cannot_approve_it(wessex, lead, staff):
    supported = assisted_partner_at(wessex)
    claim = services.claim_start(partner=supported, organisation=wessex, actor=lead)
    assert permissions.can_edit_claim(lead, claim)
    assert permissions.can_edit_claim(staff, claim)
    assert permissions.can_read_claim(staff, claim)
    assert not permissions.can_decide_claim(lead, claim)


def test_outsiders_and_visitors_may_do_nothing(claim, outsider):
    for somebody in (outsider, AnonymousUser()):
        assert not permissions.can_read_claim(somebody, claim)
        assert not permissions.is_claim_editor(somebody, claim)
        assert not permissions.can_decide_claim(somebody, claim)
        assert permissions.partner_of(somebody) is None

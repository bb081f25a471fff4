"""Two involvement leads press Approve on the same claim at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from core.models import AuditEntry
from payments import services
from payments.models import Claim, ClaimStatus
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.payments.factories import participation_for, partner_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_approvals_one_wins_one_is_told(wessex):
    partner = partner_at(wessex)
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    services.claim_add_fee_line(claim=claim, participation=participation_for(partner), actor=partner.user)
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    leads = []
    for _ in range(2):
        user = UserFactory()
        MembershipFactory(user=user, organisation=wessex, role="involvement_lead")
        leads.append(user)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(lead):
        try:
            barrier.wait()
            services.claim_approve(claim=Claim.objects.get(pk=claim.pk), actor=lead)
            outcomes.append("approved")
        except services.ClaimError as exc:
            outcomes.append(f"refused: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(lead,)) for lead in leads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(o.split(":")[0] for o in outcomes) == ["approved", "refused"]
    refusal = next(o for o in outcomes if o.startswith("refused"))
    assert "already approved" in refusal
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_by in leads
    assert AuditEntry.objects.filter(action="payments.claim.approved", target_id=str(claim.pk)).count() == 1

"""Two involvement leads press Approve on the same claim at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from core.models import AuditEntry
from payments import services
from payments.models import Claim, ClaimStatus, PaymentBatch
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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_return_and_a_payment_at_the_same_moment_never_pay_a_returned_claim(wessex):
    """Whichever wins, the claim ends either paid (and the return is refused) or returned (and
    nothing is paid): never returned with a payment, never paid twice."""

    partner = partner_at(wessex)
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    services.claim_add_fee_line(claim=claim, participation=participation_for(partner), actor=partner.user)
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    lead, finance = UserFactory(), UserFactory()
    MembershipFactory(user=lead, organisation=wessex, role="involvement_lead")
    MembershipFactory(user=finance, organisation=wessex, role="finance")
    services.claim_approve(claim=claim, actor=lead)
    batch = services.batch_create(organisation=wessex, actor=finance)

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name, action):
        try:
            barrier.wait()
            action()
            outcomes[name] = "done"
        except services.ClaimError as exc:
            outcomes[name] = f"refused: {exc}"
        finally:
            connections.close_all()

    def give_back():
        services.claim_return(claim=Claim.objects.get(pk=claim.pk), actor=lead, reason="Wrong hours")

    def pay():
        services.batch_mark_paid(
            batch=PaymentBatch.objects.get(pk=batch.pk), actor=finance, expected_claim_ids=[claim.pk]
        )

    threads = [threading.Thread(target=run, args=a) for a in (("return", give_back), ("pay", pay))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    claim.refresh_from_db()
    batch.refresh_from_db()
    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["done", "refused"]
    if claim.status == ClaimStatus.PAID:
        assert outcomes["return"].startswith("refused: This claim is paid")
        assert batch.paid_at is not None
    else:
        assert claim.status == ClaimStatus.RETURNED and claim.paid_at is None and batch.paid_at is None
        assert "Nothing has been marked paid" in outcomes["pay"]
    assert AuditEntry.objects.filter(action="payments.claim.paid", target_id=str(claim.pk)).count() == (
        1 if claim.status == ClaimStatus.PAID else 0
    )

"""Claims through their life: lines, receipts, every state change, the rules on who may do what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.choices import PaymentPreference
from core.models import AuditEntry, Notification
from payments import services
from payments.models import ClaimLine, ClaimStatus, RateCard
from payments.services import ClaimError
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.payments.factories import (
    assisted_partner_at,
    big_upload,
    draft_claim,
    participation_for,
    partner_at,
    pdf_bytes,
    submitted_claim,
    upload,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_every_organisation_has_default_rates_from_the_data_migration(wessex, yorkshire):
    card = RateCard.objects.get(organisation=wessex)
    assert (card.hourly_rate, card.half_day_rate, card.full_day_rate) == (
        Decimal("25.00"),
        Decimal("75.00"),
        Decimal("150.00"),
    )
    assert card.mileage_rate_per_mile == Decimal("0.45") and card.claim_deadline_days == 90
    assert card.expense_rules.get(category="taxi").receipt_required
    assert RateCard.objects.filter(organisation=yorkshire).count() == 1


def test_fee_line_is_worked_out_from_the_hours_and_stores_the_rate(partner, wessex, participation):
    claim = draft_claim(partner, wessex)
    line = services.claim_add_fee_line(claim=claim, participation=participation, actor=partner.user)
    assert line.amount == Decimal("75.00")
    assert line.rate_used == Decimal("25.00")
    assert line.rule_used == "3 hours \N{MULTIPLICATION SIGN} £25.00 an hour"
    assert line.rate_card.organisation == wessex
    assert claim.reference.startswith("CLM-")


def test_new_rates_never_change_an_existing_line(partner, wessex, participation, lead):
    claim = draft_claim(partner, wessex)
    line = services.claim_add_fee_line(claim=claim, participation=participation, actor=partner.user)
    services.rate_card_create(
        organisation=wessex,
        actor=lead,
        effective_from=TODAY() - timedelta(days=30),
        hourly_rate=Decimal("30"),
        half_day_rate=Decimal("90"),
        half_day_hours=Decimal("3.5"),
        full_day_rate=Decimal("180"),
        full_day_hours=Decimal("7"),
        mileage_rate_per_mile=Decimal("0.50"),
        claim_deadline_days=60,
        rules=[],
    )
    line.refresh_from_db()
    assert line.amount == Decimal("75.00")
    # A new participation after the change uses the new card.
    later = participation_for(partner, hours="3")
    new_line = services.claim_add_fee_line(claim=claim, participation=later, actor=partner.user)
    assert new_line.amount == Decimal("90.00")


def test_a_participation_can_be_claimed_only_once(partner, wessex, participation):
    first = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=first, participation=participation, actor=partner.user)
    second = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match="already been claimed"):
        services.claim_add_fee_line(claim=second, participation=participation, actor=partner.user)


def test_the_database_refuses_a_second_live_line_on_one_participation(partner, wessex, participation):
    claim = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=claim, participation=participation, actor=partner.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.create(claim=claim, kind="fee", participation=participation, amount=Decimal("1.00"))


def test_withdrawing_frees_the_participation_for_a_new_claim(partner, wessex, participation):
    first = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=first, participation=participation, actor=partner.user)
    services.claim_withdraw(claim=first, actor=partner.user)
    second = draft_claim(partner, wessex)
    line = services.claim_add_fee_line(claim=second, participation=participation, actor=partner.user)
    assert line.amount == Decimal("75.00")
    assert first.lines.count() == 1  # the withdrawn claim keeps its record


def test_claim_past_the_deadline_is_refused(partner, wessex):
    old = participation_for(partner, starts_at=timezone.now() - timedelta(days=100))
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match="The last day to claim"):
        services.claim_add_fee_line(claim=claim, participation=old, actor=partner.user)


@pytest.mark.parametrize("preference", [PaymentPreference.EXPENSES_ONLY, PaymentPreference.DECLINE])
def test_expenses_only_and_decline_claims_carry_no_fee(wessex, preference):
    partner = partner_at(wessex, payment_preference=preference)
    participation = participation_for(partner)
    claim = draft_claim(partner, wessex)
    assert claim.payment_choice == preference
    with pytest.raises(ClaimError):
        services.claim_add_fee_line(claim=claim, participation=participation, actor=partner.user)
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="mileage", miles="10", expense_date=TODAY()
    )
    assert line.amount == Decimal("4.50")


def test_mileage_is_miles_times_the_rate(partner, wessex):
    claim = draft_claim(partner, wessex)
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="mileage", miles="23.5", expense_date=TODAY()
    )
    assert line.amount == Decimal("10.58")  # 23.5 x 0.45 = 10.575, half-up
    assert line.rule_used == "23.5 miles \N{MULTIPLICATION SIGN} £0.45 a mile"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.345", "no more than 2 numbers after the point"),
        ("-5", "more than £0"),
        ("0", "more than £0"),
        ("abc", "must be an amount of money"),
        ("99999999", "£5,000.00 or less"),
        ("120.00", "up to £100.00"),  # the taxi cap on the default card
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(partner, wessex, amount, message):
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match=message):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="taxi", amount=amount, reason="No buses", expense_date=TODAY()
        )
    assert claim.lines.count() == 0


def test_taxi_needs_a_reason_and_other_needs_a_description(partner, wessex):
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match="why you needed a taxi"):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="taxi", amount="10", expense_date=TODAY()
        )
    with pytest.raises(ClaimError, match="what the expense was for"):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="other", amount="10", expense_date=TODAY()
        )


def test_submit_needs_the_declaration_and_required_receipts(partner, wessex):
    claim = draft_claim(partner, wessex)
    line = services.claim_add_expense_line(
        claim=claim,
        actor=partner.user,
        category="taxi",
        amount="18.40",
        reason="I use a wheelchair",
        expense_date=TODAY(),
    )
    with pytest.raises(ClaimError, match="Confirm"):
        services.claim_submit(claim=claim, actor=partner.user, declaration=False)
    with pytest.raises(ClaimError, match="Add a receipt for: taxi"):
        services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    services.receipt_add(line=line, uploaded=upload(), actor=partner.user)
    claim = services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    assert claim.status == ClaimStatus.SUBMITTED


def test_parking_under_the_threshold_needs_no_receipt(partner, wessex):
    claim = draft_claim(partner, wessex)
    services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="parking", amount="4.00", expense_date=TODAY()
    )
    assert services.claim_submit(claim=claim, actor=partner.user, declaration=True).status == "submitted"


def test_receipts_are_checked_by_content_and_size(partner, wessex, settings):
    claim = draft_claim(partner, wessex)
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="taxi", amount="10", reason="Late finish", expense_date=TODAY()
    )
    with pytest.raises(ClaimError, match="photo \\(JPEG or PNG\\) or a PDF"):
        services.receipt_add(
            line=line,
            uploaded=upload("receipt.pdf", b"<html><body>hi</body></html>", "application/pdf"),
            actor=partner.user,
        )
    with pytest.raises(ClaimError, match="smaller than 10MB"):
        services.receipt_add(line=line, uploaded=big_upload(50 * 1024 * 1024), actor=partner.user)
    receipt = services.receipt_add(
        line=line, uploaded=upload("scan.bin", pdf_bytes(), "application/octet-stream"), actor=partner.user
    )
    assert receipt.content_type == "application/pdf"
    assert line.receipts.count() == 1
    # Stored in the private storage, outside MEDIA_ROOT, and the stored name says nothing of the upload's.

    assert receipt.file.storage.location == storages["private"].location
    assert not receipt.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "scan" not in receipt.file.name


def test_return_then_resubmit_then_approve(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    services.claim_return(claim=claim, actor=lead, reason="Please add your parking receipt")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED and claim.return_reason == "Please add your parking receipt"
    services.claim_resubmit(claim=claim, actor=partner.user, declaration=True)
    services.claim_return(claim=claim, actor=lead, reason="One more thing")
    services.claim_resubmit(claim=claim, actor=partner.user, declaration=True)
    services.claim_approve(claim=claim, actor=lead)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_by == lead
    returned = Notification.objects.filter(kind="payments.claim_returned", subject_id=str(claim.pk))
    assert returned.count() == 2  # the second return is told too
    actions = list(
        AuditEntry.objects.filter(target_type="payments.claim", target_id=str(claim.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions.count("payments.claim.returned") == 2 and "payments.claim.approved" in actions


def test_only_a_lead_of_the_claims_ahsn_approves(partner, wessex, participation, staff, outsider, finance):
    claim = submitted_claim(partner, wessex, participation)
    for user in (staff, outsider, finance, partner.user):
        with pytest.raises(ClaimError):
            services.claim_approve(claim=claim, actor=user)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_nobody_approves_a_claim_they_prepared(wessex, lead):
    partner = assisted_partner_at(wessex)
    participation = participation_for(partner)
    claim = services.claim_start(partner=partner, organisation=wessex, actor=lead)
    services.claim_add_fee_line(claim=claim, participation=participation, actor=lead)
    services.claim_submit(claim=claim, actor=lead, declaration=True)
    with pytest.raises(ClaimError, match="you made or prepared"):
        services.claim_approve(claim=claim, actor=lead)
    entry = AuditEntry.objects.get(action="payments.claim.submitted", target_id=str(claim.pk))
    assert entry.actor == lead and entry.on_behalf_of == partner.reference
    other_lead = UserFactory()
    MembershipFactory(user=other_lead, organisation=wessex, role="involvement_lead")
    assert services.claim_approve(claim=claim, actor=other_lead).status == ClaimStatus.APPROVED


def test_staff_cannot_prepare_for_a_partner_who_has_a_login(partner, wessex, staff):
    with pytest.raises(ClaimError, match="supported by staff"):
        services.claim_start(partner=partner, organisation=wessex, actor=staff)


def test_reject_needs_a_reason_and_frees_the_participation(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    with pytest.raises(ClaimError, match="why"):
        services.claim_reject(claim=claim, actor=lead, reason="  ")
    services.claim_reject(claim=claim, actor=lead, reason="This was a training session for staff")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    again = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=again, participation=participation, actor=partner.user)


def test_submitted_claims_cannot_be_changed_or_withdrawn(partner, wessex, participation):
    claim = submitted_claim(partner, wessex, participation)
    with pytest.raises(ClaimError, match="cannot be changed"):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="parking", amount="3", expense_date=TODAY()
        )
    with pytest.raises(ClaimError, match="cannot be withdrawn"):
        services.claim_withdraw(claim=claim, actor=partner.user)


def test_line_query_is_recorded_and_cleared_on_resubmit(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    line = claim.lines.get()
    services.line_query(line=line, actor=lead, note="Were you there all afternoon?")
    line.refresh_from_db()
    assert line.query_note == "Were you there all afternoon?"
    services.claim_return(claim=claim, actor=lead, reason="See the question on your payment")
    services.claim_resubmit(claim=claim, actor=partner.user, declaration=True)
    line.refresh_from_db()
    assert line.query_note == ""


def approved(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    return services.claim_approve(claim=claim, actor=lead)


def test_batch_export_and_mark_paid_once(partner, wessex, participation, lead, finance):
    claim = approved(partner, wessex, participation, lead)
    batch = services.batch_create(organisation=wessex, actor=finance)
    csv_text = services.batch_export_csv(batch=batch, actor=finance)
    assert f"{claim.reference},{partner.reference},bank,75.00,0.00,75.00" in csv_text
    batch, changed = services.batch_mark_paid(batch=batch, actor=finance, expected_claim_ids=[claim.pk])
    assert changed
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.paid_at is not None
    batch, changed = services.batch_mark_paid(batch=batch, actor=finance)
    assert not changed
    assert AuditEntry.objects.filter(action="payments.claim.paid", target_id=str(claim.pk)).count() == 1
    assert Notification.objects.filter(kind="payments.claim_paid", subject_id=str(claim.pk)).count() == 1


def test_finance_cannot_pay_a_claim_returned_after_batching(partner, wessex, participation, lead, finance):
    claim = approved(partner, wessex, participation, lead)
    batch = services.batch_create(organisation=wessex, actor=finance)
    services.claim_return(claim=claim, actor=lead, reason="Wrong hours")
    with pytest.raises(ClaimError, match="returned to the claimant after this batch was made"):
        services.batch_mark_paid(batch=batch, actor=finance, expected_claim_ids=[claim.pk])
    claim.refresh_from_db()
    batch.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED and batch.paid_at is None


def test_only_finance_batches_and_vouchers_are_flagged(wessex, lead, finance):
    partner = partner_at(wessex, payment_preference=PaymentPreference.VOUCHERS)
    claim = approved(partner, wessex, participation_for(partner, hours="7"), lead)
    with pytest.raises(ClaimError, match="Only finance"):
        services.batch_create(organisation=wessex, actor=lead)
    batch = services.batch_create(organisation=wessex, actor=finance)
    assert f"{claim.reference},{partner.reference},voucher,150.00,0.00,150.00" in services.batch_export_csv(
        batch=batch, actor=finance
    )


def test_no_approved_claims_means_no_batch(wessex, finance):
    with pytest.raises(ClaimError, match="no approved claims"):
        services.batch_create(organisation=wessex, actor=finance)

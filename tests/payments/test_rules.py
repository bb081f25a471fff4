"""The rules the brief lists as bad input, separation of duties and limits, each shown failing safe."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, User
from core.choices import PaymentPreference
from core.models import AuditEntry
from payments import selectors, services
from payments.models import Claim, ClaimStatus, ExpenseRule, RateCard
from payments.services import ClaimError
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.conftest import client_for
from tests.payments.factories import draft_claim, participation_for, partner_at, phone_photo, submitted_claim, upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def new_rates(organisation, lead, *, rules, effective_from=None):
    return services.rate_card_create(
        organisation=organisation,
        actor=lead,
        effective_from=effective_from or TODAY() - timedelta(days=10),
        hourly_rate=Decimal("25.00"),
        half_day_rate=Decimal("75.00"),
        half_day_hours=Decimal("3.5"),
        full_day_rate=Decimal("150.00"),
        full_day_hours=Decimal("7"),
        mileage_rate_per_mile=Decimal("0.45"),
        claim_deadline_days=90,
        rules=rules,
    )


# --- caps a lead sets --------------------------------------------------------------------------


def test_a_cap_a_lead_sets_refuses_a_bigger_line_and_allows_the_cap(partner, wessex, lead):
    new_rates(wessex, lead, rules=[{"category": "parking", "receipt_required": False, "cap": Decimal("10.00")}])
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match=r"Parking can be up to £10\.00 on one line"):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="parking", amount="10.01", expense_date=TODAY()
        )
    assert claim.lines.count() == 0
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="parking", amount="10.00", expense_date=TODAY()
    )
    assert line.amount == Decimal("10.00")


def test_a_cap_applies_to_mileage_worked_out_from_miles(partner, wessex, lead):
    new_rates(wessex, lead, rules=[{"category": "mileage", "receipt_required": False, "cap": Decimal("20.00")}])
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match=r"up to £20\.00"):  # 50 miles x 45p = £22.50
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="mileage", miles="50", expense_date=TODAY()
        )
    assert claim.lines.count() == 0


def test_the_rate_card_page_saves_the_cap_and_the_claim_page_enforces_it(partner, wessex, lead):
    data = {
        "effective_from": TODAY().isoformat(),
        "hourly_rate": "25",
        "half_day_rate": "75",
        "half_day_hours": "3.5",
        "full_day_rate": "150",
        "full_day_hours": "7",
        "mileage_rate_per_mile": "0.45",
        "claim_deadline_days": "90",
        "subsistence_cap": "8.00",
    }
    assert client_for(lead).post(f"/payments/rates/{wessex.pk}/new/", data).status_code == 302
    card = RateCard.objects.get(organisation=wessex, effective_from=TODAY())
    assert ExpenseRule.objects.get(rate_card=card, category="subsistence").cap == Decimal("8.00")
    claim = draft_claim(partner, wessex)
    response = client_for(partner.user).post(
        f"/payments/claims/{claim.pk}/expenses/new/subsistence/",
        {"expense_date": TODAY().isoformat(), "amount": "9.50"},
    )
    assert "can be up to £8.00 on one line" in response.content.decode()
    assert claim.lines.count() == 0


@pytest.mark.parametrize(
    ("miles", "message"),
    [
        ("-3", "more than 0"),
        ("0", "more than 0"),
        ("12.55", "no more than 1 number after the point"),
        ("5000", "1000 or fewer"),
        ("lots", "must be a number"),
    ],
)
def test_bad_miles_are_refused_with_a_clear_message(partner, wessex, miles, message):
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match=message):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="mileage", miles=miles, expense_date=TODAY()
        )
    assert claim.lines.count() == 0


def test_an_expense_in_the_future_is_refused(partner, wessex):
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match="today or in the past"):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="parking", amount="3", expense_date=TODAY() + timedelta(days=1)
        )


# --- deadlines -----------------------------------------------------------------------------------


def test_an_expense_past_the_deadline_is_refused(partner, wessex):
    claim = draft_claim(partner, wessex)
    with pytest.raises(ClaimError, match="The last day to claim for an expense on"):
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="parking", amount="3", expense_date=TODAY() - timedelta(days=91)
        )
    assert claim.lines.count() == 0


def test_a_draft_left_until_past_the_deadline_cannot_be_sent(partner, wessex):
    claim = draft_claim(partner, wessex)
    spent = TODAY() - timedelta(days=95)
    services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="parking", amount="3", expense_date=spent, today=spent
    )
    with pytest.raises(ClaimError, match="The last day to claim for the parking on"):
        services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT and claim.lines.count() == 1  # nothing lost


def test_a_past_deadline_participation_is_not_offered(partner, wessex, participation):
    old = participation_for(partner, starts_at=timezone.now() - timedelta(days=120))
    claim = draft_claim(partner, wessex)
    offered = {p.pk for p in selectors.claimable_participations(partner=partner, organisation_ids=[wessex.pk])}
    assert offered == {participation.pk}
    assert (
        old.activity.title
        not in client_for(partner.user).get(f"/payments/claims/{claim.pk}/payments/new/").content.decode()
    )


def test_an_already_claimed_participation_is_not_offered_again(partner, wessex, participation):
    first = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=first, participation=participation, actor=partner.user)
    second = draft_claim(partner, wessex)
    assert not selectors.claimable_participations(partner=partner, organisation_ids=[second.organisation_id]).exists()


# --- expenses only and decline on the pages --------------------------------------------------------


@pytest.mark.parametrize("preference", [PaymentPreference.EXPENSES_ONLY, PaymentPreference.DECLINE])
def test_expenses_only_and_decline_claims_offer_no_payment_and_refuse_one(wessex, preference):
    partner = partner_at(wessex, payment_preference=preference)
    participation = participation_for(partner)
    claim = draft_claim(partner, wessex)
    client = client_for(partner.user)
    assert "Add an involvement payment" not in client.get(f"/payments/claims/{claim.pk}/").content.decode()
    client.post(f"/payments/claims/{claim.pk}/payments/new/", {"participation": participation.pk})
    assert claim.lines.count() == 0


# --- who may approve and who may pay ------------------------------------------------------------


def test_a_lead_who_is_also_the_claimant_cannot_approve_their_own_claim(wessex):
    partner = partner_at(wessex)
    MembershipFactory(user=partner.user, organisation=wessex, role="involvement_lead")
    claim = submitted_claim(partner, wessex, participation_for(partner))
    with pytest.raises(ClaimError, match="you made or prepared"):
        services.claim_approve(claim=claim, actor=partner.user)
    with pytest.raises(ClaimError, match="you made or prepared"):
        services.claim_return(claim=claim, actor=partner.user, reason="Looks fine to me")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_the_person_who_approved_cannot_batch_or_mark_it_paid(partner, wessex, participation, lead, finance):
    claim = submitted_claim(partner, wessex, participation)
    services.claim_approve(claim=claim, actor=lead)
    # The lead later moves to finance: they still cannot pay a claim they approved.
    Membership.objects.filter(user=lead, organisation=wessex).update(role="finance")
    moved = User.objects.get(pk=lead.pk)
    with pytest.raises(ClaimError, match="someone else in finance must pay it"):
        services.batch_create(organisation=wessex, actor=moved)
    batch = services.batch_create(organisation=wessex, actor=finance)
    with pytest.raises(ClaimError, match=r"You approved CLM-\d+, so someone else in finance must mark this batch paid"):
        services.batch_mark_paid(batch=batch, actor=moved, expected_claim_ids=[claim.pk])
    claim.refresh_from_db()
    batch.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and batch.paid_at is None
    assert not AuditEntry.objects.filter(action="payments.batch.paid").exists()
    _, changed = services.batch_mark_paid(batch=batch, actor=finance, expected_claim_ids=[claim.pk])
    assert changed


def test_finance_cannot_pay_a_claim_returned_after_batching_on_the_page(partner, wessex, participation, lead, finance):
    claim = submitted_claim(partner, wessex, participation)
    services.claim_approve(claim=claim, actor=lead)
    batch = services.batch_create(organisation=wessex, actor=finance)
    services.claim_return(claim=claim, actor=lead, reason="Wrong hours")
    response = client_for(finance).post(f"/payments/batches/{batch.pk}/paid/", {"claim": [claim.pk]})
    assert "was returned to the claimant after this batch was made" in response.content.decode()
    claim.refresh_from_db()
    batch.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED and claim.paid_at is None and batch.paid_at is None


# --- the other ways out ----------------------------------------------------------------------------


def test_a_returned_claim_can_be_withdrawn_and_frees_its_participation(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    services.claim_return(claim=claim, actor=lead, reason="Add the date")
    services.claim_withdraw(claim=claim, actor=partner.user)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert [p.pk for p in selectors.claimable_participations(partner=partner, organisation_ids=[wessex.pk])] == [
        participation.pk
    ]


def test_an_approved_or_paid_claim_cannot_be_withdrawn(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    services.claim_approve(claim=claim, actor=lead)
    with pytest.raises(ClaimError, match="approved, so it cannot be withdrawn"):
        services.claim_withdraw(claim=claim, actor=partner.user)


# --- receipts from phones ------------------------------------------------------------------------


def test_a_photo_straight_from_a_phone_camera_is_accepted(partner, wessex):
    claim = draft_claim(partner, wessex)
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="taxi", amount="9", reason="Rain", expense_date=TODAY()
    )
    exif_jpeg = phone_photo()
    receipt = services.receipt_add(line=line, uploaded=upload("IMG_2041.JPG", exif_jpeg, ""), actor=partner.user)
    assert receipt.content_type == "image/jpeg" and receipt.original_name == "IMG_2041.JPG"


def test_an_iphone_heic_photo_is_refused_with_what_to_do(partner, wessex):
    claim = draft_claim(partner, wessex)
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="taxi", amount="9", reason="Rain", expense_date=TODAY()
    )
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(ClaimError, match="HEIC format"):
        services.receipt_add(line=line, uploaded=upload("IMG_2042.HEIC", heic, "image/heic"), actor=partner.user)
    assert line.receipts.count() == 0


# --- the tax year ----------------------------------------------------------------------------------


def test_the_tax_year_total_leaves_out_money_paid_in_an_earlier_tax_year(partner, wessex):
    this_year = selectors.TaxYear.containing(TODAY())
    for n, (paid_on, amount) in enumerate(((timezone.now(), "40.00"), (timezone.now() - timedelta(days=400), "99.00"))):
        claim = Claim.objects.create(
            reference=f"CLM-6{n:05d}",
            organisation=wessex,
            partner=partner,
            payment_choice="pay",
            created_by=partner.user,
            status=ClaimStatus.PAID,
            paid_at=paid_on,
        )
        claim.lines.create(kind="parking", amount=Decimal(amount))
    assert selectors.tax_year_paid(partner, this_year)["total"] == Decimal("40.00")
    page = client_for(partner.user).get("/payments/my/").content.decode()
    assert 'id="tax-year-total">£40.00</p>' in page


# --- the claims queue costs the same whatever its length ---------------------------------------------


def _queue_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/payments/claims/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queue_query_count_does_not_grow_with_the_number_of_claims(lead, wessex):
    client = client_for(lead)

    def add(n, start):
        for i in range(n):
            p = partner_at(wessex)
            claim = Claim.objects.create(
                organisation=wessex,
                partner=p,
                payment_choice="pay",
                created_by=p.user,
                status=ClaimStatus.SUBMITTED,
                submitted_at=timezone.now(),
                reference=f"CLM-7{start + i:05d}",
            )
            claim.lines.create(kind="parking", amount=Decimal("3.00"))

    add(2, 0)
    few = _queue_queries(client)
    add(40, 100)
    many = _queue_queries(client)
    assert many == few


def test_the_money_page_shows_only_the_partners_own_claims(wessex):
    first, second = partner_at(wessex), partner_at(wessex)
    claim = draft_claim(first, wessex)
    assert claim.reference not in client_for(second.user).get("/payments/my/").content.decode()
    assert client_for(UserFactory()).get("/payments/my/").status_code == 404


def test_the_rate_card_page_refuses_more_than_two_decimals_in_plain_english(wessex, lead):
    data = {
        "effective_from": TODAY().isoformat(),
        "hourly_rate": "27.555",
        "half_day_rate": "75",
        "half_day_hours": "3.5",
        "full_day_rate": "150",
        "full_day_hours": "7",
        "mileage_rate_per_mile": "0.45",
        "claim_deadline_days": "90",
        "taxi_cap": "-1",
    }
    response = client_for(lead).post(f"/payments/rates/{wessex.pk}/new/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Hourly rate can have no more than 2 numbers after the point" in text
    assert "most that can be claimed on one line must be 0 or more" in text
    assert not RateCard.objects.filter(organisation=wessex, effective_from=TODAY()).exists()

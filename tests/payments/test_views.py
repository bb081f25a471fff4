"""Pages: the allowed user, a read-only user (403 on writes) and an outsider (404) for each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from payments import services
from payments.models import Claim, ClaimStatus, PaymentBatch, RateCard
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.conftest import client_for
from tests.payments.factories import (
    assisted_partner_at,
    jpeg_bytes,
    participation_for,
    partner_at,
    submitted_claim,
    upload,
)

pytestmark = pytest.mark.django_db


def test_partner_claims_a_payment_and_mileage_with_a_photo(partner_client, partner, participation):
    response = partner_client.post("/payments/claims/start/")
    claim = Claim.objects.get(partner=partner)
    assert response.status_code == 302 and response.url == f"/payments/claims/{claim.pk}/"
    page = partner_client.get(f"/payments/claims/{claim.pk}/payments/new/")
    assert participation.activity.title in page.content.decode()
    partner_client.post(f"/payments/claims/{claim.pk}/payments/new/", {"participation": participation.pk})
    response = partner_client.post(
        f"/payments/claims/{claim.pk}/expenses/new/mileage/",
        {
            "expense_date": timezone.localdate().isoformat(),
            "miles": "20",
            "receipt": upload("IMG_0001.JPG", jpeg_bytes(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    detail = partner_client.get(f"/payments/claims/{claim.pk}/").content.decode()
    assert "£75.00" in detail and "£9.00" in detail and "£84.00" in detail and "IMG_0001.JPG" in detail
    check = partner_client.get(f"/payments/claims/{claim.pk}/check/").content.decode()
    assert "Check your claim before you send it" in check
    response = partner_client.post(f"/payments/claims/{claim.pk}/check/", {})
    assert "Confirm that the information you have given is correct" in response.content.decode()
    response = partner_client.post(f"/payments/claims/{claim.pk}/check/", {"confirm": "on"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_bad_amount_keeps_what_was_typed_and_says_why(partner_client, partner, wessex):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    response = partner_client.post(
        f"/payments/claims/{claim.pk}/expenses/new/parking/",
        {"expense_date": timezone.localdate().isoformat(), "amount": "3.999", "description": "Hospital car park"},
    )
    text = response.content.decode()
    assert "no more than 2 numbers after the point" in text and 'value="3.999"' in text
    assert "Error:" in text and claim.lines.count() == 0


def test_html_renamed_pdf_is_refused_on_the_page(partner_client, partner, wessex):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    response = partner_client.post(
        f"/payments/claims/{claim.pk}/expenses/new/taxi/",
        {
            "expense_date": timezone.localdate().isoformat(),
            "amount": "12.00",
            "reason": "No bus on Sundays",
            "receipt": upload("receipt.pdf", b"<!DOCTYPE html><html></html>", "application/pdf"),
        },
    )
    assert "must be a photo (JPEG or PNG) or a PDF" in response.content.decode()
    assert claim.lines.count() == 0


def test_draft_survives_signing_out(partner, wessex):
    client = client_for(partner.user)
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    client.post(
        f"/payments/claims/{claim.pk}/expenses/new/data/",
        {"expense_date": timezone.localdate().isoformat(), "amount": "5.00"},
    )
    client.logout()
    again = client_for(partner.user)
    page = again.get("/payments/my/").content.decode()
    assert claim.reference in page and "Draft" in page
    assert "£5.00" in again.get(f"/payments/claims/{claim.pk}/").content.decode()


def test_money_page_shows_the_tax_year_total_and_signposts_advice(partner_client, partner, wessex, lead, finance):
    claim = submitted_claim(partner, wessex, participation_for(partner, hours="7"))
    services.claim_approve(claim=claim, actor=lead)
    batch = services.batch_create(organisation=wessex, actor=finance)
    services.batch_mark_paid(batch=batch, actor=finance)
    text = partner_client.get("/payments/my/").content.decode()
    assert '<p class="nhsuk-heading-l nhsuk-u-margin-bottom-2" id="tax-year-total">£150.00</p>' in text
    assert "Citizens Advice" in text and "Turn2us" in text and "HMRC" in text


def test_claim_page_access(partner, wessex, participation, lead, staff, outsider, finance):
    claim = submitted_claim(partner, wessex, participation)
    url = f"/payments/claims/{claim.pk}/"
    assert client_for(partner.user).get(url).status_code == 200
    assert client_for(lead).get(url).status_code == 200
    assert client_for(finance).get(url).status_code == 200
    assert client_for(staff).get(url).status_code == 404  # staff only see claims they support
    assert client_for(outsider).get(url).status_code == 404
    other = partner_at(wessex)
    assert client_for(other.user).get(url).status_code == 404


def test_approve_return_and_reject_need_a_lead(partner, wessex, participation, lead, finance, outsider):
    claim = submitted_claim(partner, wessex, participation)
    assert client_for(finance).post(f"/payments/claims/{claim.pk}/approve/").status_code == 403
    assert client_for(outsider).post(f"/payments/claims/{claim.pk}/approve/").status_code == 404
    assert client_for(partner.user).post(f"/payments/claims/{claim.pk}/return/", {"reason": "x"}).status_code == 403
    lead_client = client_for(lead)
    response = lead_client.post(f"/payments/claims/{claim.pk}/return/", {"reason": ""})
    assert "Tell the claimant what needs to change" in response.content.decode()
    lead_client.post(f"/payments/claims/{claim.pk}/return/", {"reason": "Add the parking"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED
    page = client_for(partner.user).get(f"/payments/claims/{claim.pk}/").content.decode()
    assert "Add the parking" in page and "Check and send again" in page


def test_a_second_approval_says_it_was_already_approved(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    client = client_for(lead)
    client.post(f"/payments/claims/{claim.pk}/approve/")
    response = client.post(f"/payments/claims/{claim.pk}/approve/", follow=True)
    assert "already approved" in response.content.decode()


def test_receipts_are_served_only_to_the_right_people(partner, wessex, lead, finance, staff, outsider):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="taxi", amount="9", reason="Rain", expense_date=timezone.localdate()
    )
    receipt = services.receipt_add(line=line, uploaded=upload(), actor=partner.user)
    url = f"/payments/receipts/{receipt.pk}/"
    response = client_for(partner.user).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client_for(lead).get(url).status_code == 200
    assert client_for(finance).get(url).status_code == 200
    assert client_for(staff).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def test_rate_card_pages(wessex, lead, staff, outsider):
    assert client_for(staff).get("/payments/rates/").status_code == 200
    assert "£25.00" in client_for(staff).get("/payments/rates/").content.decode()
    url = f"/payments/rates/{wessex.pk}/new/"
    assert client_for(staff).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    lead_client = client_for(lead)
    form = lead_client.get(url)
    assert 'value="25.00"' in form.content.decode()
    data = {
        "effective_from": (timezone.localdate()).isoformat(),
        "hourly_rate": "27.50",
        "half_day_rate": "80",
        "half_day_hours": "3.5",
        "full_day_rate": "160",
        "full_day_hours": "7",
        "mileage_rate_per_mile": "0.45",
        "claim_deadline_days": "90",
        "taxi_receipt_required": "on",
        "taxi_cap": "120",
    }
    response = lead_client.post(url, data)
    assert response.status_code == 302
    assert RateCard.objects.filter(organisation=wessex).count() == 2
    assert "£27.50" in lead_client.get(response.url).content.decode()


def test_batches_for_finance(partner, wessex, participation, lead, finance, outsider):
    claim = submitted_claim(partner, wessex, participation)
    services.claim_approve(claim=claim, actor=lead)
    finance_client = client_for(finance)
    assert client_for(lead).post(f"/payments/batches/new/{wessex.pk}/").status_code == 403
    assert client_for(outsider).post(f"/payments/batches/new/{wessex.pk}/").status_code == 404
    response = finance_client.post(f"/payments/batches/new/{wessex.pk}/", {f"org{wessex.pk}-claims": [claim.pk]})
    batch_url = response.url
    assert claim.reference in finance_client.get(batch_url).content.decode()
    csv_response = finance_client.get(batch_url + "export.csv")
    assert csv_response["Content-Type"] == "text/csv"
    assert f"{claim.reference},{partner.reference},bank,75.00,0.00,75.00" in csv_response.content.decode()
    assert client_for(lead).get(batch_url + "export.csv").status_code == 403
    assert client_for(outsider).get(batch_url).status_code == 404
    response = finance_client.post(batch_url + "paid/", {"claim": [claim.pk]})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    again = finance_client.post(batch_url + "paid/", {"claim": [claim.pk]}, follow=True)
    assert "already marked paid" in again.content.decode()


def test_staff_prepare_a_claim_for_an_assisted_digital_partner(wessex, staff, lead):
    partner = assisted_partner_at(wessex, full_name="Pat Supported")
    client = client_for(staff)
    page = client.get("/payments/claims/prepare/").content.decode()
    assert "Pat Supported" in page
    response = client.post("/payments/claims/prepare/", {"partner": f"{partner.pk}:{wessex.pk}"})
    claim = Claim.objects.get(partner=partner)
    assert response.url == f"/payments/claims/{claim.pk}/"
    assert claim.prepared_on_behalf and claim.created_by == staff
    client.post(
        f"/payments/claims/{claim.pk}/expenses/new/parking/",
        {"expense_date": timezone.localdate().isoformat(), "amount": "4.00"},
    )
    assert claim.lines.get().amount == Decimal("4.00")


def test_queue_needs_a_claims_role(staff_client, outsider, partner, wessex, participation):
    assert staff_client.get("/payments/claims/").status_code == 403
    claim = submitted_claim(partner, wessex, participation)
    assert claim.reference not in client_for(outsider).get("/payments/claims/").content.decode()


def test_queue_filters(lead, partner, wessex, participation):
    claim = submitted_claim(partner, wessex, participation)
    other = partner_at(wessex, full_name="Sam Other")
    services.claim_start(partner=other, organisation=wessex, actor=other.user)
    client = client_for(lead)
    assert claim.reference in client.get("/payments/claims/?status=submitted").content.decode()
    assert claim.reference not in client.get("/payments/claims/?status=approved").content.decode()
    assert claim.reference in client.get(f"/payments/claims/?claimant={partner.reference}").content.decode()
    assert claim.reference not in client.get("/payments/claims/?claimant=Sam").content.decode()
    assert claim.reference not in client.get("/payments/claims/?age=7").content.decode()


def test_queue_costs_a_fixed_number_of_queries(lead, wessex, django_assert_max_num_queries):
    partners = [partner_at(wessex) for _ in range(20)]
    now = timezone.now()
    for i in range(300):
        p = partners[i % 20]
        claim = Claim.objects.create(
            organisation=wessex,
            partner=p,
            payment_choice="pay",
            created_by=p.user,
            status=ClaimStatus.SUBMITTED,
            submitted_at=now,
            reference=f"CLM-9{i:05d}",
        )
        claim.lines.create(kind="parking", amount=Decimal("3.00"))
        claim.lines.create(kind="data", amount=Decimal("2.50"))
    client = client_for(lead)
    with django_assert_max_num_queries(16):
        response = client.get("/payments/claims/")
    assert response.status_code == 200 and "300 claims" in response.content.decode()
    assert "£5.50" in response.content.decode()


def test_reject_with_a_reason_and_the_partner_sees_why(partner, wessex, participation, lead):
    claim = submitted_claim(partner, wessex, participation)
    client = client_for(lead)
    assert (
        "Tell the claimant why" in client.post(f"/payments/claims/{claim.pk}/reject/", {"reason": ""}).content.decode()
    )
    client.post(f"/payments/claims/{claim.pk}/reject/", {"reason": "This was a staff training day"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert (
        "This was a staff training day"
        in client_for(partner.user).get(f"/payments/claims/{claim.pk}/").content.decode()
    )


def test_lead_asks_about_one_line(partner, wessex, participation, lead, finance, outsider):
    claim = submitted_claim(partner, wessex, participation)
    line = claim.lines.get()
    url = f"/payments/lines/{line.pk}/query/"
    assert client_for(finance).post(url, {"note": "Why?"}).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    client_for(lead).post(url, {"note": "Did the session really run for 3 hours?"})
    page = client_for(partner.user).get(f"/payments/claims/{claim.pk}/").content.decode()
    assert "Did the session really run for 3 hours?" in page


def test_withdraw_asks_first_then_withdraws(partner_client, partner, wessex, outsider):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    url = f"/payments/claims/{claim.pk}/withdraw/"
    assert "This cannot be undone" in partner_client.get(url).content.decode()
    assert client_for(outsider).post(url).status_code == 404
    partner_client.post(url)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


def test_a_photo_over_10mb_is_refused_and_nothing_is_saved(partner_client, partner, wessex):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    too_big = upload("IMG_1234.JPG", jpeg_bytes() + b"\x00" * (10 * 1024 * 1024), "image/jpeg")
    response = partner_client.post(
        f"/payments/claims/{claim.pk}/expenses/new/taxi/",
        {"expense_date": timezone.localdate().isoformat(), "amount": "20.00", "reason": "Hospital", "receipt": too_big},
    )
    assert "smaller than 10MB" in response.content.decode()
    assert claim.lines.count() == 0


def test_staff_who_prepared_a_claim_see_its_receipt_but_other_staff_do_not(wessex, staff):
    partner = assisted_partner_at(wessex)
    claim = services.claim_start(partner=partner, organisation=wessex, actor=staff)
    line = services.claim_add_expense_line(
        claim=claim, actor=staff, category="taxi", amount="9", reason="Frail", expense_date=timezone.localdate()
    )
    receipt = services.receipt_add(line=line, uploaded=upload(), actor=staff)
    assert client_for(staff).get(f"/payments/receipts/{receipt.pk}/").status_code == 200
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=wessex, role="staff")
    assert client_for(colleague).get(f"/payments/claims/{claim.pk}/").status_code == 200
    assert client_for(colleague).get(f"/payments/receipts/{receipt.pk}/").status_code == 404


def _many_claims(wessex, count, **fields):
    partner = partner_at(wessex)
    claims = []
    for i in range(count):
        claim = Claim.objects.create(
            organisation=wessex,
            partner=partner,
            payment_choice="pay",
            created_by=partner.user,
            reference=f"CLM-8{i:05d}",
            **fields,
        )
        claim.lines.create(kind="parking", amount=Decimal("3.00"))
        claims.append(claim)
    return partner, claims


def test_money_page_costs_a_fixed_number_of_queries(wessex, django_assert_max_num_queries):
    partner, _ = _many_claims(wessex, 120, status=ClaimStatus.PAID, paid_at=timezone.now())
    client = client_for(partner.user)
    with django_assert_max_num_queries(14):
        response = client.get("/payments/my/")
    assert "£360.00" in response.content.decode()


def test_batch_list_costs_a_fixed_number_of_queries(wessex, finance, django_assert_max_num_queries):
    _, claims = _many_claims(wessex, 60, status=ClaimStatus.APPROVED, approved_at=timezone.now())
    for i, claim in enumerate(claims):
        batch = PaymentBatch.objects.create(organisation=wessex, created_by=finance, reference=f"PAY-9{i:05d}")
        Claim.objects.filter(pk=claim.pk).update(batch=batch)
    client = client_for(finance)
    with django_assert_max_num_queries(14):
        response = client.get("/payments/batches/")
    assert response.status_code == 200 and "PAY-900059" in response.content.decode()


def test_claim_page_costs_a_fixed_number_of_queries(partner, wessex, lead, django_assert_max_num_queries):
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    for _ in range(40):
        line = services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="parking", amount="6.00", expense_date=timezone.localdate()
        )
        services.receipt_add(line=line, uploaded=upload(), actor=partner.user)
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    client = client_for(lead)
    with django_assert_max_num_queries(16):
        response = client.get(f"/payments/claims/{claim.pk}/")
    assert "£240.00" in response.content.decode()

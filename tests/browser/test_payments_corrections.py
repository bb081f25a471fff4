"""On a 360 px phone: a returned claim is corrected in place (no second upload of the photo) and sent
again; finance chooses which approved claims to pay."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from payments import services
from payments.models import ClaimStatus, PaymentBatch
from tests.accounts.test_sign_in_and_mfa import SECRET
from tests.browser.conftest import assert_accessible, sign_in
from tests.payments.factories import draft_claim, jpeg_bytes, participation_for, partner_at, upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = "/tmp/claims"


@pytest.fixture
def phone_360(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px phone"


def test_partner_corrects_a_returned_expense_on_a_phone_without_uploading_again(phone_360, wessex, lead):
    partner = partner_at(wessex, full_name="Jo Partner", email="jo.partner@example.org")
    claim = draft_claim(partner, wessex)
    line = services.claim_add_expense_line(
        claim=claim,
        actor=partner.user,
        category="parking",
        expense_date=timezone.localdate(),
        amount="8.00",
        description="Hospital car park",
    )
    receipt = services.receipt_add(
        line=line, uploaded=upload("IMG_2041.JPG", jpeg_bytes(), "image/jpeg"), actor=partner.user
    )
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    services.claim_return(claim=claim, actor=lead, reason="The ticket says £6.50, not £8.00.")

    phone = phone_360
    sign_in(phone, partner.email)
    phone.goto(f"/payments/claims/{claim.pk}/")
    callout = phone.locator("#what-to-change")
    assert "The ticket says £6.50, not £8.00." in callout.inner_text()
    assert "Open the claim to see what" not in phone.content()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    phone.screenshot(path=f"{SCREENSHOTS}/returned-claim-360.png", full_page=True)

    phone.get_by_role("link", name=re.compile(r"Change parking")).click()
    phone.wait_for_url(re.compile(rf".*/payments/lines/{line.pk}/change/$"))
    assert phone.locator("h1").inner_text() == "Change parking"
    assert "We have kept your receipt (IMG_2041.JPG)" in phone.content()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    phone.screenshot(path=f"{SCREENSHOTS}/change-line-360.png", full_page=True)
    amount = phone.get_by_label("How much did you spend?")
    assert amount.input_value() == "8.00"
    amount.fill("6.50")
    phone.get_by_role("button", name="Save the change").click()
    phone.wait_for_url(re.compile(rf".*/payments/claims/{claim.pk}/$"))
    assert phone.locator("#claim-total").inner_text() == "£6.50"
    assert phone.get_by_text("IMG_2041.JPG").is_visible()

    phone.get_by_role("link", name="Check and send again").click()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    phone.get_by_label(re.compile("I confirm the information")).check()
    phone.get_by_role("button", name="Send claim").click()
    assert phone.locator("h1").inner_text() == "Claim sent"
    claim.refresh_from_db()
    line.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert str(line.amount) == "6.50"
    assert [r.pk for r in line.receipts.all()] == [receipt.pk]  # the photo was never uploaded again


def test_finance_unticks_a_claim_before_making_a_batch(page, wessex, lead, finance):
    keep, later = [], []
    for bucket in (keep, later):
        partner = partner_at(wessex)
        claim = draft_claim(partner, wessex)
        services.claim_add_fee_line(claim=claim, participation=participation_for(partner), actor=partner.user)
        services.claim_submit(claim=claim, actor=partner.user, declaration=True)
        bucket.append(services.claim_approve(claim=claim, actor=lead))
    sign_in(page, finance.email, totp_secret=SECRET)
    page.wait_for_url(re.compile(r".*/$"))
    page.goto("/payments/batches/")
    assert_accessible(page)
    for claim in (*keep, *later):
        assert page.get_by_label(re.compile(claim.reference)).is_checked()
    page.get_by_label(re.compile(later[0].reference)).uncheck()
    page.get_by_label(re.compile(keep[0].reference)).uncheck()
    page.get_by_role("button", name="Make a payment batch").click()
    assert page.get_by_text("Select at least one claim to put in the payment batch").first.is_visible()
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/batch-none-chosen-1280.png", full_page=True)
    page.get_by_label(re.compile(keep[0].reference)).check()
    page.get_by_label(re.compile(later[0].reference)).uncheck()
    page.get_by_role("button", name="Make a payment batch").click()
    page.wait_for_url(re.compile(r".*/payments/batches/\d+/$"))
    batch = PaymentBatch.objects.get()
    assert list(batch.claims.all()) == keep

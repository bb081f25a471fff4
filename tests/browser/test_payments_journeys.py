"""A claim from a phone to the bank: claim, return, fix, resubmit, approve, batch, pay, see it paid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from payments.models import Claim, ClaimStatus
from tests.accounts.test_sign_in_and_mfa import SECRET
from tests.browser.conftest import assert_accessible, fill_date, sign_in
from tests.payments.factories import jpeg_bytes, participation_for, partner_at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _receipt_photo(tmp_path):
    path = tmp_path / "IMG_20261125_101500.jpg"
    path.write_bytes(jpeg_bytes())
    return str(path)


def test_claim_from_phone_to_paid(browser, live_server, phone_page, page, wessex, lead, finance, tmp_path):
    partner = partner_at(wessex, full_name="Jo Partner", email="jo.partner@example.org")
    participation = participation_for(partner, hours="3", title="Diabetes app co-design workshop")
    today = timezone.localdate()

    # The partner claims on their phone.
    phone = phone_page
    sign_in(phone, partner.email)
    phone.goto("/payments/my/")
    assert_accessible(phone)
    phone.get_by_role("button", name="Start a new claim").click()
    phone.wait_for_url(re.compile(r".*/payments/claims/\d+/$"))
    assert_accessible(phone)
    phone.get_by_role("link", name="Add an involvement payment").click()
    assert_accessible(phone)
    phone.get_by_label(re.compile("Diabetes app co-design workshop")).check()
    phone.get_by_role("button", name="Add this payment").click()
    assert phone.get_by_text("£75.00").first.is_visible()
    phone.get_by_role("link", name="Add an expense").click()
    assert_accessible(phone)
    phone.get_by_label("Mileage (using your own car)").check()
    phone.get_by_role("button", name="Continue").click()
    assert_accessible(phone)
    fill_date(phone, "When did you spend this?", today)
    phone.get_by_label("How many miles did you drive?").fill("12")
    phone.locator("input[type=file][name=receipt]").set_input_files(_receipt_photo(tmp_path))
    phone.get_by_role("button", name="Add this expense").click()
    assert phone.locator("#claim-total").inner_text() == "£80.40"
    assert_accessible(phone)
    phone.get_by_role("link", name="Check and send").click()
    assert_accessible(phone)
    phone.get_by_label(re.compile("I confirm the information")).check()
    phone.get_by_role("button", name="Send claim").click()
    assert phone.locator("h1").inner_text() == "Claim sent"
    assert_accessible(phone)
    claim = Claim.objects.get(partner=partner)
    assert claim.status == ClaimStatus.SUBMITTED

    # The lead returns it with a reason.
    sign_in(page, lead.email, totp_secret=SECRET)
    page.wait_for_url(re.compile(r".*/$"))
    page.goto("/payments/claims/?status=submitted")
    assert_accessible(page)
    page.get_by_role("link", name=claim.reference).click()
    assert_accessible(page)
    page.get_by_role("link", name="Return it for changes").click()
    assert_accessible(page)
    page.get_by_label("What needs to change?").fill("The venue is 15 miles from your home, so 30 miles there and back.")
    page.get_by_role("button", name="Return the claim").click()
    assert page.get_by_text("Returned for changes").first.is_visible()

    # The partner fixes the mileage and sends it again.
    phone.goto(f"/payments/claims/{claim.pk}/")
    assert phone.get_by_text("30 miles there and back").is_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name=re.compile(r"Remove mileage")).click()
    assert_accessible(phone)
    phone.get_by_role("button", name="Yes, remove it").click()
    phone.get_by_role("link", name="Add an expense").click()
    phone.get_by_label("Mileage (using your own car)").check()
    phone.get_by_role("button", name="Continue").click()
    fill_date(phone, "When did you spend this?", today)
    phone.get_by_label("How many miles did you drive?").fill("30")
    phone.locator("input[type=file][name=receipt]").set_input_files(_receipt_photo(tmp_path))
    phone.get_by_role("button", name="Add this expense").click()
    assert phone.locator("#claim-total").inner_text() == "£88.50"
    phone.get_by_role("link", name="Check and send again").click()
    phone.get_by_label(re.compile("I confirm the information")).check()
    phone.get_by_role("button", name="Send claim").click()
    assert phone.locator("h1").inner_text() == "Claim sent"

    # The lead approves.
    page.goto(f"/payments/claims/{claim.pk}/")
    page.get_by_role("button", name="Approve this claim").click()
    assert page.get_by_text(f"Claim {claim.reference} is approved").is_visible()
    assert_accessible(page)

    # Finance batches it and marks it paid.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    money = context.new_page()
    sign_in(money, finance.email, totp_secret=SECRET)
    money.wait_for_url(re.compile(r".*/$"))
    money.goto("/payments/batches/")
    assert_accessible(money)
    money.get_by_role("button", name="Make a payment batch").click()
    money.wait_for_url(re.compile(r".*/payments/batches/\d+/$"))
    assert money.locator("#batch-total").inner_text() == "£88.50"
    assert_accessible(money)
    with money.expect_download() as download:
        money.get_by_role("link", name=re.compile("Download CSV")).click()
    assert claim.reference in Path(download.value.path()).read_text(encoding="utf-8")
    money.get_by_role("link", name="Mark as paid").click()
    assert_accessible(money)
    money.get_by_role("button", name="Yes, mark as paid").click()
    assert money.get_by_text("is marked paid").is_visible()
    context.close()

    # The partner sees it paid and their tax-year total.
    phone.goto("/payments/my/")
    assert phone.locator("#tax-year-total").inner_text() == "£88.50"
    assert phone.get_by_text("This claim has been paid.").is_visible()
    assert_accessible(phone)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert participation.claim_lines.count() == 1


def test_staff_pages_are_accessible(page, wessex, lead):
    sign_in(page, lead.email, totp_secret=SECRET)
    page.wait_for_url(re.compile(r".*/$"))
    for path in ("/payments/rates/", f"/payments/rates/{wessex.pk}/new/", "/payments/claims/", "/payments/batches/"):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)

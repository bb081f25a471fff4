"""A returned (or draft) claim is corrected, not rebuilt: an expense is changed in place and keeps
its receipt unless the partner chooses to replace it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.models import AuditEntry
from payments import services
from payments.models import ClaimStatus, Receipt
from payments.services import ClaimError
from tests.conftest import client_for
from tests.payments.factories import draft_claim, jpeg_bytes, partner_at, upload

pytestmark = pytest.mark.django_db


def _returned_parking_claim(partner, organisation, lead):  # type: ignore[no-untyped-def]
    """A claim with one £8.00 parking line and its photo, sent and then returned."""
    claim = draft_claim(partner, organisation)
    line = services.claim_add_expense_line(
        claim=claim,
        actor=partner.user,
        category="parking",
        expense_date=timezone.localdate(),
        amount="8.00",
        description="Hospital car park",
    )
    services.receipt_add(line=line, uploaded=upload("IMG_2041.JPG", jpeg_bytes(), "image/jpeg"), actor=partner.user)
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    services.claim_return(claim=claim, actor=lead, reason="The ticket says £6.50, not £8.00.")
    claim.refresh_from_db()
    return claim, line


def test_a_returned_expense_is_changed_in_place_and_keeps_its_receipt(partner, partner_client, wessex, lead):
    claim, line = _returned_parking_claim(partner, wessex, lead)
    receipt = line.receipts.get()
    page = partner_client.get(f"/payments/claims/{claim.pk}/").content.decode()
    assert f'href="/payments/lines/{line.pk}/change/"' in page
    form = partner_client.get(f"/payments/lines/{line.pk}/change/").content.decode()
    assert 'value="8.00"' in form and "We have kept your receipt (IMG_2041.JPG)" in form
    response = partner_client.post(
        f"/payments/lines/{line.pk}/change/",
        {"expense_date": line.expense_date.isoformat(), "amount": "6.50", "description": "Hospital car park"},
    )
    assert response.status_code == 302 and response.url == f"/payments/claims/{claim.pk}/"
    line.refresh_from_db()
    assert str(line.amount) == "6.50"
    assert list(line.receipts.all()) == [receipt]  # the same photo, not uploaded again
    assert AuditEntry.objects.filter(action="payments.claimline.changed", target_id=str(claim.pk)).exists()
    response = partner_client.post(f"/payments/claims/{claim.pk}/check/", {"confirm": "on"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_changing_can_replace_the_receipt(partner, partner_client, wessex, lead):
    _claim, line = _returned_parking_claim(partner, wessex, lead)
    old = line.receipts.get()
    partner_client.post(
        f"/payments/lines/{line.pk}/change/",
        {
            "expense_date": line.expense_date.isoformat(),
            "amount": "6.50",
            "description": "Hospital car park",
            "receipt": upload("ticket.png"),
        },
    )
    assert [r.original_name for r in line.receipts.all()] == ["ticket.png"]
    assert not Receipt.objects.filter(pk=old.pk).exists()


def test_the_check_page_change_link_opens_the_expense_not_the_claim(partner, partner_client, wessex, lead):
    claim, line = _returned_parking_claim(partner, wessex, lead)
    check = partner_client.get(f"/payments/claims/{claim.pk}/check/").content.decode()
    assert f'href="/payments/lines/{line.pk}/change/?from=check"' in check
    response = partner_client.post(
        f"/payments/lines/{line.pk}/change/?from=check",
        {"expense_date": line.expense_date.isoformat(), "amount": "6.50", "description": "Hospital car park"},
    )
    assert response.url == f"/payments/claims/{claim.pk}/check/"


def test_a_mistake_in_the_change_is_shown_next_to_its_field_and_nothing_changes(partner, partner_client, wessex, lead):
    _claim, line = _returned_parking_claim(partner, wessex, lead)
    response = partner_client.post(
        f"/payments/lines/{line.pk}/change/",
        {"expense_date": line.expense_date.isoformat(), "amount": "45.00", "description": "Hospital car park"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_amount-error"' in html and "Parking can be up to £30.00 on one line" in html
    line.refresh_from_db()
    assert str(line.amount) == "8.00" and line.receipts.count() == 1


def test_a_form_with_an_error_says_the_chosen_receipt_must_be_chosen_again(partner, partner_client, wessex):
    claim = draft_claim(partner, wessex)
    response = partner_client.post(
        f"/payments/claims/{claim.pk}/expenses/new/parking/",
        {
            "expense_date": timezone.localdate().isoformat(),
            "amount": "nine pounds",
            "receipt": upload("IMG_3000.JPG", jpeg_bytes(), "image/jpeg"),
        },
    )
    html = response.content.decode()
    assert 'id="id_receipt-error"' in html
    assert "Choose your receipt (IMG_3000.JPG) again" in html
    assert claim.lines.count() == 0


def test_a_sent_claim_cannot_be_changed(partner, partner_client, wessex, lead):
    claim, line = _returned_parking_claim(partner, wessex, lead)
    services.claim_resubmit(claim=claim, actor=partner.user, declaration=True)
    response = partner_client.post(
        f"/payments/lines/{line.pk}/change/",
        {"expense_date": line.expense_date.isoformat(), "amount": "1.00", "description": "Hospital car park"},
    )
    assert response.status_code == 302 and response.url == f"/payments/claims/{claim.pk}/"
    line.refresh_from_db()
    assert str(line.amount) == "8.00"
    with pytest.raises(ClaimError, match="submitted, so it cannot be changed"):
        services.claim_change_expense_line(
            line=line, actor=partner.user, expense_date=line.expense_date, amount="1.00", description="x"
        )


def test_only_the_claimant_can_change_a_line(partner, wessex, lead, outsider):
    _claim, line = _returned_parking_claim(partner, wessex, lead)
    url = f"/payments/lines/{line.pk}/change/"
    other_partner = partner_at(wessex)
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url, {"amount": "1.00"}).status_code == 404
    assert client_for(other_partner.user).get(url).status_code == 404
    assert client_for(lead).get(url).status_code == 403  # can read the claim, cannot change it
    line.refresh_from_db()
    assert str(line.amount) == "8.00"

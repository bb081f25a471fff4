"""Rough edges users found: the AHSN chosen for them, finance choosing what to pay, wording that
was wrong on the page, the question as the page heading, and errors next to their field."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from core.choices import InvolvementMethod
from core.errors import DomainError
from partners.models import PartnerLink
from payments import services
from payments.models import Claim, ClaimLine, ClaimStatus, PaymentBatch
from payments.services import ClaimError
from tests.conftest import client_for
from tests.payments.factories import (
    ActivityFactory,
    draft_claim,
    participation_for,
    partner_at,
    submitted_claim,
)

pytestmark = pytest.mark.django_db


# --- the network forum: the AHSN is chosen for the lay member ------------------------------------


@pytest.fixture
def forum_member(wessex, yorkshire, network):
    """A lay member working with two AHSNs and the network, who attended a network forum meeting."""
    partner = partner_at(wessex, full_name="Sam Forum")
    for organisation in (yorkshire, network):
        PartnerLink.objects.create(partner=partner, organisation=organisation, joined_on=timezone.localdate())
    meeting = ActivityFactory(
        organisation=network, programme=None, title="Network forum meeting", method=InvolvementMethod.FORUM_MEETING
    )
    return partner, participation_for(partner, activity=meeting, hours="2")


def test_starting_a_claim_goes_to_the_ahsn_that_ran_the_forum(forum_member, network):
    partner, _participation = forum_member
    response = client_for(partner.user).post("/payments/claims/start/")
    claim = Claim.objects.get(partner=partner)
    assert response.status_code == 302 and response.url == f"/payments/claims/{claim.pk}/"
    assert claim.organisation == network


def test_claim_for_this_starts_the_claim_with_the_payment_in_it(forum_member, network):
    partner, participation = forum_member
    client = client_for(partner.user)
    money = client.get("/payments/my/").content.decode()
    assert "Network forum meeting" in money and "Claim for this" in money
    response = client.post("/payments/claims/start/", {"participation": participation.pk})
    claim = Claim.objects.get(partner=partner)
    assert claim.organisation == network
    assert list(claim.lines.values_list("participation_id", flat=True)) == [participation.pk]
    assert response.url == f"/payments/claims/{claim.pk}/"
    # A second activity there goes into the same draft, not a new claim.
    second = participation_for(
        partner, activity=ActivityFactory(organisation=network, programme=None, title="Second meeting")
    )
    client.post("/payments/claims/start/", {"participation": second.pk})
    assert Claim.objects.filter(partner=partner).count() == 1 and claim.lines.count() == 2


def test_claim_for_this_does_not_reuse_an_expenses_only_draft(wessex):
    partner = partner_at(wessex, payment_preference="expenses_only")
    old = draft_claim(partner, wessex)
    type(partner).objects.filter(pk=partner.pk).update(payment_preference="pay")
    participation = participation_for(partner)
    client_for(partner.user).post("/payments/claims/start/", {"participation": participation.pk})
    new = Claim.objects.exclude(pk=old.pk).get(partner=partner)
    assert list(new.lines.values_list("participation_id", flat=True)) == [participation.pk]
    assert not old.lines.exists()


def test_with_something_to_claim_at_two_ahsns_the_choice_says_what_is_where(forum_member, wessex):
    partner, _participation = forum_member
    participation_for(partner, organisation=wessex, title="Wessex workshop")
    response = client_for(partner.user).post("/payments/claims/start/")
    html = response.content.decode()
    assert response.status_code == 200 and not Claim.objects.filter(partner=partner).exists()
    assert "you can claim for Network forum meeting" in html
    assert "you can claim for Wessex workshop" in html
    assert "nothing to claim an involvement payment for at the moment" in html  # Yorkshire


def test_an_outsider_cannot_claim_for_someone_elses_participation(forum_member, wessex):
    _partner, participation = forum_member
    other = partner_at(wessex)
    response = client_for(other.user).post("/payments/claims/start/", {"participation": participation.pk}, follow=True)
    assert "You cannot claim for that activity now" in response.content.decode()
    assert not ClaimLine.objects.filter(participation=participation).exists()


# --- finance chooses the claims in a payment batch ---------------------------------------------


def _approved(partner, organisation, lead):  # type: ignore[no-untyped-def]
    claim = submitted_claim(partner, organisation, participation_for(partner))
    return services.claim_approve(claim=claim, actor=lead)


def test_finance_chooses_which_approved_claims_go_in_the_batch(wessex, lead, finance):
    first = _approved(partner_at(wessex), wessex, lead)
    second = _approved(partner_at(wessex), wessex, lead)
    client = client_for(finance)
    page = client.get("/payments/batches/").content.decode()
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)
    assert len(boxes) == 2 and all("checked" in b for b in boxes)  # all selected to start with
    response = client.post(f"/payments/batches/new/{wessex.pk}/", {f"org{wessex.pk}-claims": [str(second.pk)]})
    batch = PaymentBatch.objects.get()
    assert response.url == f"/payments/batches/{batch.pk}/"
    assert list(batch.claims.all()) == [second]
    first.refresh_from_db()
    assert first.batch is None and first.status == ClaimStatus.APPROVED


def test_a_batch_with_no_claims_chosen_is_refused_clearly(wessex, lead, finance, outsider):
    _approved(partner_at(wessex), wessex, lead)
    response = client_for(finance).post(f"/payments/batches/new/{wessex.pk}/", {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Select at least one claim to put in the payment batch" in html
    assert not PaymentBatch.objects.exists()
    assert client_for(outsider).post(f"/payments/batches/new/{wessex.pk}/", {}).status_code == 404


def test_a_claim_returned_after_the_page_was_shown_is_not_batched(wessex, lead, finance):
    claim = _approved(partner_at(wessex), wessex, lead)
    other = _approved(partner_at(wessex), wessex, lead)
    services.claim_return(claim=claim, actor=lead, reason="Wrong hours")
    with pytest.raises(ClaimError, match=f"{claim.reference} is no longer waiting to be paid"):
        services.batch_create(organisation=wessex, actor=finance, claim_ids=[claim.pk, other.pk])
    assert not PaymentBatch.objects.exists()


# --- wording on the partner's pages --------------------------------------------------------------


def test_home_does_not_say_no_claims_to_a_partner_with_a_withdrawn_claim(partner, wessex):
    claim = draft_claim(partner, wessex)
    services.claim_withdraw(claim=claim, actor=partner.user)
    home = client_for(partner.user).get("/", follow=True).content.decode()
    assert "You have not made any claims yet" not in home
    assert "You have no claims in progress. Claims you withdrew are listed in My payments." in home


def test_the_returned_claim_page_says_what_was_returned_and_why(partner, participation, wessex, lead):
    claim = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=claim, participation=participation, actor=partner.user)
    line = services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="mileage", expense_date=timezone.localdate(), miles="40"
    )
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    services.line_query(line=line, actor=lead, note="Is 40 miles there and back?")
    services.claim_return(claim=claim, actor=lead, reason="Please check the miles.")
    page = client_for(partner.user).get(f"/payments/claims/{claim.pk}/").content.decode()
    assert "Open the claim to see what" not in page
    callout = page[page.index('id="what-to-change"') :]
    assert "Wessex" in callout and f"{timezone.localdate():%-d %B %Y}" in callout
    assert "Please check the miles." in callout
    assert "Mileage (using your own car), £18.00: Is 40 miles there and back?" in callout


# --- one-question pages: the question is the h1 ------------------------------------------------------


def test_one_question_pages_make_the_question_the_heading(partner, participation, wessex):
    claim = draft_claim(partner, wessex)
    client = client_for(partner.user)
    expense = client.get(f"/payments/claims/{claim.pk}/expenses/new/").content.decode()
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", expense, re.S) == ["What did you spend money on?"]
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">' in expense
    payment = client.get(f"/payments/claims/{claim.pk}/payments/new/").content.decode()
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", payment, re.S) == ["Which activity are you claiming for?"]
    assert "<title>Which activity are you claiming for?" in payment


# --- errors carry their field ------------------------------------------------------------------------


def test_claim_errors_are_domain_errors_that_name_their_field(partner, wessex):
    claim = draft_claim(partner, wessex)
    with pytest.raises(DomainError) as caught:
        services.claim_add_expense_line(
            claim=claim, actor=partner.user, category="mileage", expense_date=timezone.localdate(), miles="0"
        )
    assert isinstance(caught.value, ClaimError) and caught.value.field == "miles"


def test_a_mileage_cap_error_is_shown_next_to_the_miles(partner, wessex):
    claim = draft_claim(partner, wessex)
    response = client_for(partner.user).post(
        f"/payments/claims/{claim.pk}/expenses/new/mileage/",
        {"expense_date": timezone.localdate().isoformat(), "miles": "500"},
    )
    html = response.content.decode()
    error = re.search(r'<span class="nhsuk-error-message" id="id_miles-error">(.*?)</span>\n', html, re.S)
    assert error is not None and "can be up to £200.00 on one line" in error.group(1)
    assert 'href="#id_miles"' in html  # the error summary links to the field
    assert claim.lines.count() == 0

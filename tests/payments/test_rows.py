"""The busy lists of the payments pages are written in Python (payments_tags), row by row, with
the markup the templates' loops wrote: the claims queue, the partner's money page and the payment
batch form's checkboxes. Each is compared here with the template it replaced, and checked for
escaping, links and empty states."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments import forms, selectors
from payments.models import Claim, ClaimStatus, PaymentBatch
from tests.conftest import client_for
from tests.payments.factories import participation_for, partner_at

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & Co'

# The loops the Python replaced, as they were in the templates.
QUEUE_LOOP = """{% load portal payments_tags %}{% for claim in claims %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Claim </span><a class="nhsuk-u-nowrap" href="{% url 'payments:claim_detail' claim.pk %}">{{ claim.reference }}</a></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Claimant </span><span>{{ claim.partner.display_name }} <span class="nhsuk-u-nowrap">({{ claim.partner.reference }})</span></span></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">AHSN </span>{{ claim.organisation.short_name }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Sent </span><span class="nhsuk-u-nowrap">{{ claim.submitted_at|date_text|default:"Not sent" }}</span></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">State </span>{{ claim|claim_tag }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Total </span>{{ claim.total|money }}</td>
    </tr>
  {% endfor %}"""

CARDS_LOOP = """{% load portal payments_tags %}{% for claim in claims %}
  <li>
    <div class="nhsuk-card nhsuk-card--clickable">
      <div class="nhsuk-card__content">
        <h3 class="nhsuk-card__heading nhsuk-heading-s"><a class="nhsuk-card__link" href="{% url 'payments:claim_detail' claim.pk %}">Claim {{ claim.reference }}, {{ claim.total|money }}</a></h3>
        <p class="nhsuk-u-margin-bottom-2">{{ claim|claim_tag }}</p>
        <p class="nhsuk-card__description">{{ claim|next_step }}</p>
        <p class="nhsuk-body-s nhsuk-u-secondary-text-color nhsuk-u-margin-bottom-0">{{ claim.organisation.short_name }}. Started {{ claim.created_at|date_text }}{% if claim.paid_at %}. Paid {{ claim.paid_at|date_text }}{% endif %}.</p>
      </div>
    </div>
  </li>
  {% endfor %}"""

CLAIMABLE_LOOP = """{% for p in claimable %}
  <li>
    <p class="nhsuk-u-margin-bottom-1"><strong>{{ p.activity.title }}</strong></p>
    <p class="nhsuk-body-s nhsuk-u-margin-bottom-2">{{ p.activity.organisation.name }}, {{ p.activity.starts_at|date:"j F Y" }}. Claim by {{ p.last_day|date:"j F Y" }}.</p>
    <form method="post" action="{% url 'payments:claim_start' %}" novalidate>
      {% csrf_token %}<input type="hidden" name="participation" value="{{ p.pk }}">
      <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-2" data-module="nhsuk-button" data-prevent-double-click="true" type="submit">Claim for this<span class="nhsuk-u-visually-hidden"> activity: {{ p.activity.title }}</span></button>
    </form>
  </li>
  {% endfor %}"""


def _claim(org, partner, reference: str, status: str, *amounts: str, **fields) -> Claim:
    claim = Claim.objects.create(
        organisation=org, partner=partner, payment_choice="pay", created_by=partner.user, status=status,
        reference=reference, **fields,
    )  # fmt: skip
    for amount in amounts:
        claim.lines.create(kind="parking", amount=Decimal(amount))
    return claim


@pytest.fixture
def hostile_partner(wessex):
    return partner_at(wessex, full_name=HOSTILE, preferred_name="")


def test_queue_rows_are_what_the_template_wrote(wessex, hostile_partner) -> None:
    now = timezone.now()
    named = partner_at(wessex, full_name="Alex Full", preferred_name="Alex")
    _claim(wessex, hostile_partner, "CLM-700001", ClaimStatus.SUBMITTED, "3.00", "2.50", submitted_at=now)
    _claim(wessex, named, "CLM-700002", ClaimStatus.RETURNED)  # never sent: "Not sent", £0.00
    _claim(wessex, named, "CLM-700003", ClaimStatus.PAID, "1234.5", submitted_at=now, paid_at=now)
    claims = selectors.with_totals(Claim.objects.select_related("partner", "organisation")).order_by("reference")
    rows = selectors.queue_rows(claims)

    written = Template("{% load payments_tags %}{{ rows|claim_queue_rows }}").render(Context({"rows": rows}))

    assert written == Template(QUEUE_LOOP).render(Context({"claims": claims}))
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in written and "<script>" not in written
    assert "Alex <span" in written and "Not sent" in written and "£1,234.50" in written


def test_the_queue_page_links_each_claim_and_escapes_names(lead, wessex, hostile_partner) -> None:
    claim = _claim(wessex, hostile_partner, "CLM-700004", ClaimStatus.SUBMITTED, "3.00", submitted_at=timezone.now())
    page = client_for(lead).get("/payments/claims/").content.decode()
    assert f'<a class="nhsuk-u-nowrap" href="/payments/claims/{claim.pk}/">CLM-700004</a>' in page
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">Submitted</strong>' in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_an_empty_queue_says_so(lead, wessex) -> None:
    page = client_for(lead).get("/payments/claims/").content.decode()
    assert "There are no claims to show." in page and "nhsuk-table__body" not in page


def test_money_page_cards_are_what_the_template_wrote(wessex, partner) -> None:
    now = timezone.now()
    _claim(wessex, partner, "CLM-700005", ClaimStatus.DRAFT, "3.00")
    _claim(wessex, partner, "CLM-700006", ClaimStatus.PAID, "10.00", "0.25", submitted_at=now, paid_at=now)
    _claim(wessex, partner, "CLM-700007", ClaimStatus.RETURNED, submitted_at=now)
    claims = selectors.partner_claims(partner)

    written = Template("{% load payments_tags %}{{ rows|partner_claim_cards }}").render(
        Context({"rows": selectors.partner_claim_rows(claims)})
    )

    assert written == Template(CARDS_LOOP).render(Context({"claims": claims}))
    assert "Claim CLM-700006, £10.25" in written and ". Paid " in written


def test_claimable_items_are_what_the_template_wrote(wessex, partner) -> None:
    participation_for(partner, title=HOSTILE)
    participation_for(partner, title="Second workshop")
    claimable = selectors.claimable_participations(partner=partner)
    context = {"csrf_token": "a-token"}

    written = Template("{% load payments_tags %}{% claimable_items rows %}").render(
        Context({**context, "rows": selectors.claimable_rows(claimable)})
    )

    assert written == Template(CLAIMABLE_LOOP).render(Context({**context, "claimable": claimable}))
    assert written.count('name="csrfmiddlewaretoken" value="a-token"') == 2
    assert "<script>" not in written and "&lt;script&gt;" in written


def test_money_page_escapes_titles_and_has_its_empty_states(wessex, partner, partner_client) -> None:
    page = partner_client.get("/payments/my/").content.decode()
    assert "You have not made any claims yet." in page and "you can claim for" not in page
    participation = participation_for(partner, title=HOSTILE)
    page = partner_client.get("/payments/my/").content.decode()
    assert "You have 1 activity you can claim for" in page
    assert f'<input type="hidden" name="participation" value="{participation.pk}">' in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def _collapse_blank_lines(html: str) -> str:
    return re.sub(r"\n\s*\n", "\n", html)


def _both_ways(form) -> tuple[str, str]:
    context = {"form": form, "form_action_url": "/payments/batches/new/1/", "submit_label": "Make a payment batch"}
    return (
        render_to_string("payments/_batch_form.html", context),
        render_to_string("includes/form.html", context),
    )


@pytest.mark.parametrize("posted", [None, {}, {"org1-claims": ["999999"]}])
def test_batch_form_checkboxes_are_what_the_form_pack_wrote(wessex, finance, hostile_partner, posted) -> None:
    for n in range(3):
        _claim(wessex, hostile_partner, f"CLM-70001{n}", ClaimStatus.APPROVED, "3.00", approved_at=timezone.now())
    rows = selectors.batch_form_rows(finance)
    form = forms.BatchForm(posted, claims=rows, prefix="org1")

    written, packed = _both_ways(form)

    assert _collapse_blank_lines(written) == _collapse_blank_lines(packed)
    assert written.count('type="checkbox"') == 3 and "<script>" not in written
    if posted is None:
        assert written.count(" checked>") == 3
    else:
        assert "nhsuk-form-group--error" in written and " checked>" not in written


def test_the_batch_page_lists_the_claims_waiting(wessex, finance, hostile_partner) -> None:
    claim = _claim(wessex, hostile_partner, "CLM-700020", ClaimStatus.APPROVED, "3.00", approved_at=timezone.now())
    page = client_for(finance).get("/payments/batches/").content.decode()
    assert f'value="{claim.pk}" class="nhsuk-checkboxes__input" checked>' in page
    assert f"CLM-700020: {hostile_partner.reference}, £3.00, approved" in page
    assert f'action="/payments/batches/new/{wessex.pk}/"' in page


def test_money_page_pages_through_many_claims(wessex, partner, partner_client) -> None:
    for n in range(21):
        _claim(wessex, partner, f"CLM-7100{n:02d}", ClaimStatus.DRAFT, "1.00")
    first = partner_client.get("/payments/my/").content.decode()
    assert first.count("nhsuk-card--clickable") == 20 and 'href="?page=2"' in first
    second = partner_client.get("/payments/my/?page=2").content.decode()
    assert second.count("nhsuk-card--clickable") == 1 and "CLM-710000" in second
    assert partner_client.get("/payments/my/?page=9").content.decode().count("nhsuk-card--clickable") == 1


def test_a_short_first_page_of_claims_is_not_counted_again(wessex, partner, partner_client) -> None:
    for n in range(3):
        _claim(wessex, partner, f"CLM-7200{n:02d}", ClaimStatus.DRAFT, "1.00")
    with CaptureQueriesContext(connection) as queries:
        page = partner_client.get("/payments/my/").content.decode()
    assert page.count("nhsuk-card--clickable") == 3 and "nhsuk-pagination" not in page
    assert not [q for q in queries if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "payments_claim"')]


def test_the_batch_list_counts_each_batchs_claims_and_adds_up_their_lines(wessex, finance, partner) -> None:
    paid = PaymentBatch.objects.create(organisation=wessex, created_by=finance, reference="PAY-700001")
    empty = PaymentBatch.objects.create(organisation=wessex, created_by=finance, reference="PAY-700002")
    for n, amounts in enumerate([("3.00", "2.50"), ("10.00",)]):
        claim = _claim(wessex, partner, f"CLM-73000{n}", ClaimStatus.APPROVED, *amounts)
        Claim.objects.filter(pk=claim.pk).update(batch=paid)
    with CaptureQueriesContext(connection) as queries:
        page = client_for(finance).get("/payments/batches/").content.decode()
    rows = {batch.reference: batch for batch in selectors.batches_for(finance)}
    assert (rows["PAY-700001"].claim_count, rows["PAY-700001"].total) == (2, Decimal("15.50"))
    assert (rows["PAY-700002"].claim_count, rows["PAY-700002"].total) == (0, Decimal("0.00"))
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">£15.50</td>' in page and empty.reference in page
    count = next(q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)") and "paymentbatch" in q["sql"])
    assert "payments_claimline" not in count  # the page's count reads the batches alone

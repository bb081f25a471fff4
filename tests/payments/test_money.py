"""Money: the fee rule, tax years, totals equal the sum of their lines and survive the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from core.models import Notification
from payments import selectors, services
from payments.models import Claim, ClaimStatus
from payments.rates import fee_for_hours
from programmes.models import Programme
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.payments.factories import participation_for, partner_at

DEFAULTS = {
    "hourly_rate": Decimal("25.00"),
    "half_day_rate": Decimal("75.00"),
    "half_day_hours": Decimal("3.5"),
    "full_day_rate": Decimal("150.00"),
    "full_day_hours": Decimal("7"),
}


@pytest.mark.parametrize(
    ("hours", "amount"),
    [
        ("1", "25.00"),
        ("3", "75.00"),
        ("3.5", "87.50"),
        ("5", "125.00"),
        ("6.5", "150.00"),
        ("7", "150.00"),
        ("10", "150.00"),
    ],
)
def test_fee_rule(hours, amount):
    assert fee_for_hours(hours=Decimal(hours), **DEFAULTS).amount == Decimal(amount)


def test_half_day_rate_protects_people_when_the_hourly_rate_is_low():
    worked = fee_for_hours(hours=Decimal("4"), **{**DEFAULTS, "hourly_rate": Decimal("10.00")})
    assert worked.amount == Decimal("75.00") and worked.rule_used.startswith("Half-day rate")


hours_strategy = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("12"), places=2)


@given(a=hours_strategy, b=hours_strategy)
def test_more_time_never_pays_less(a, b):
    low, high = sorted([a, b])
    assert fee_for_hours(hours=low, **DEFAULTS).amount <= fee_for_hours(hours=high, **DEFAULTS).amount


@pytest.mark.parametrize(
    ("day", "start"),
    [(date(2026, 4, 5), date(2025, 4, 6)), (date(2026, 4, 6), date(2026, 4, 6)), (date(2027, 1, 1), date(2026, 4, 6))],
)
def test_tax_year_runs_6_april_to_5_april(day, start):
    year = selectors.TaxYear.containing(day)
    assert year.start == start and year.end == date(start.year + 1, 4, 5)


amounts = st.lists(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250.00"), places=2), min_size=1, max_size=8
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(expenses=amounts)
def test_totals_equal_the_sum_of_lines_and_round_trip_through_csv(expenses):
    wessex = Organisation.objects.get(short_name="Wessex")
    lead, finance = UserFactory(), UserFactory()
    MembershipFactory(user=lead, organisation=wessex, role="involvement_lead")
    MembershipFactory(user=finance, organisation=wessex, role="finance")
    partner = partner_at(wessex)
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    services.claim_add_fee_line(claim=claim, participation=participation_for(partner, hours="2.5"), actor=partner.user)
    for amount in expenses:
        services.claim_add_expense_line(
            claim=claim,
            actor=partner.user,
            category="data",
            amount=min(amount, Decimal("20")),
            expense_date=timezone.localdate(),
        )
    lines = list(claim.lines.all())
    expected = sum((line.amount for line in lines), Decimal("0"))
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    services.claim_approve(claim=claim, actor=lead)
    batch = services.batch_create(organisation=wessex, actor=finance)
    row = next(csv.DictReader(io.StringIO(services.batch_export_csv(batch=batch, actor=finance))))
    assert Decimal(row["total"]) == expected
    assert Decimal(row["fees"]) + Decimal(row["expenses"]) == expected
    assert Decimal(row["fees"]) == Decimal("62.50")
    annotated = selectors.with_totals(Claim.objects.filter(pk=claim.pk)).get()
    assert annotated.total == expected and isinstance(annotated.total, Decimal)
    services.batch_mark_paid(batch=batch, actor=finance)
    assert selectors.tax_year_paid(partner, selectors.TaxYear.containing(timezone.localdate()))["total"] == expected


@pytest.mark.django_db
def test_report_selectors(wessex, yorkshire, lead, finance):
    programme = Programme.objects.create(
        organisation=wessex, name="Digital inclusion", programme_type="local", innovation_stage="design"
    )
    partner = partner_at(wessex)
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    services.claim_add_fee_line(
        claim=claim, participation=participation_for(partner, hours="2", programme=programme), actor=partner.user
    )
    services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="parking", amount="3.20", expense_date=timezone.localdate()
    )
    services.claim_submit(claim=claim, actor=partner.user, declaration=True)
    Claim.objects.filter(pk=claim.pk).update(first_submitted_at=timezone.now() - timedelta(days=10))
    services.claim_approve(claim=claim, actor=lead)
    batch = services.batch_create(organisation=wessex, actor=finance)
    services.batch_mark_paid(batch=batch, actor=finance)
    today = timezone.localdate()
    rows = selectors.totals_by_programme_and_month([wessex.pk], today - timedelta(days=40), today)
    by_programme = {r["programme_name"]: r for r in rows}
    assert by_programme["Digital inclusion"]["fees"] == Decimal("50.00")
    assert by_programme[""]["expenses"] == Decimal("3.20")
    assert sum(r["total"] for r in rows) == Decimal("53.20")
    assert selectors.totals_by_programme_and_month([yorkshire.pk], today - timedelta(days=40), today) == []
    turnaround = selectors.payment_turnaround([wessex.pk], today - timedelta(days=40), today)
    assert turnaround["count"] == 1 and 9.9 < turnaround["median_days"] < 10.1
    assert Notification.objects.filter(kind="payments.claim_paid").count() == 1
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID

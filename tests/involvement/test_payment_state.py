"""The staff activity page shows, for each participant, whether an involvement payment can be
claimed, has been claimed, or cannot be claimed and why. The rules are the payments app's."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.choices import PaymentPreference
from involvement import selectors
from involvement.models import ActivityStatus, Participation
from partners.models import PartnerLink
from payments import services as payment_services
from payments.models import RateCard
from payments.selectors import claimable_participations
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory
from tests.payments.factories import draft_claim, submitted_claim

pytestmark = pytest.mark.django_db

# The default Wessex rate card (payments migration 0002): 90 days to claim after the activity.
DEFAULT_DEADLINE_DAYS = 90


def _row(response, name: str) -> str:
    """The participants-table row for `name`, with tags stripped and spaces squeezed."""
    html = response.content.decode()
    rows = [r for r in re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", html, re.S) if name in r]
    assert len(rows) == 1, f"expected one row for {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", rows[0]).split())


def _page(client, activity):
    response = client.get(reverse("involvement:activity_detail", args=[activity.pk]))
    assert response.status_code == 200
    return response


def _last_day(activity) -> str:
    last = timezone.localtime(activity.ends_at).date() + timedelta(days=DEFAULT_DEADLINE_DAYS)
    return f"{last:%-d %B %Y}"


def _attended(activity, name: str, hours: str | None = "2", **partner_kwargs) -> Participation:
    partner = LayPartnerFactory(full_name=name, **partner_kwargs)
    return ParticipationFactory(
        activity=activity, partner=partner, attended=True, hours=None if hours is None else Decimal(hours)
    )


def test_attended_with_hours_inside_the_deadline_can_be_claimed(staff_client, activity):
    _attended(activity, "Amina Khan")
    response = _page(staff_client, activity)
    assert "Involvement payment" in response.content.decode()
    assert 'nhsuk-tag nhsuk-tag--green">Can be claimed' in response.content.decode()
    assert _row(response, "Amina Khan").endswith(f"Can be claimed Claim by {_last_day(activity)}")


def test_a_participation_on_a_live_claim_is_claimed(staff_client, activity):
    participation = _attended(activity, "Amina Khan")
    submitted_claim(participation.partner, activity.organisation, participation)
    response = _page(staff_client, activity)
    assert 'nhsuk-tag nhsuk-tag--blue">Claimed' in response.content.decode()
    assert _row(response, "Amina Khan").endswith("Claimed Waiting for approval")


def test_a_draft_claim_already_holds_the_participation(staff_client, activity):
    participation = _attended(activity, "Amina Khan")
    claim = draft_claim(participation.partner, activity.organisation)
    payment_services.claim_add_fee_line(claim=claim, participation=participation, actor=participation.partner.user)
    assert _row(_page(staff_client, activity), "Amina Khan").endswith("Claimed The partner has started a claim")


def test_a_rejected_or_withdrawn_claim_frees_the_participation_to_be_claimed_again(staff_client, lead, activity):
    rejected = _attended(activity, "Amina Khan")
    claim = submitted_claim(rejected.partner, activity.organisation, rejected)
    payment_services.claim_reject(claim=claim, actor=lead, reason="Wrong AHSN")
    withdrawn = _attended(activity, "Ben Okafor")
    claim = draft_claim(withdrawn.partner, activity.organisation)
    payment_services.claim_add_fee_line(claim=claim, participation=withdrawn, actor=withdrawn.partner.user)
    payment_services.claim_withdraw(claim=claim, actor=withdrawn.partner.user)
    response = _page(staff_client, activity)
    assert "Can be claimed" in _row(response, "Amina Khan")
    assert "Can be claimed" in _row(response, "Ben Okafor")


def test_did_not_attend_is_not_claimable(staff_client, activity):
    ParticipationFactory(activity=activity, partner=LayPartnerFactory(full_name="Amina Khan"), attended=False)
    assert _row(_page(staff_client, activity), "Amina Khan").endswith("Not claimable Did not attend")


def test_attendance_not_recorded_yet_is_not_claimable(staff_client, activity):
    ParticipationFactory(activity=activity, partner=LayPartnerFactory(full_name="Amina Khan"))
    assert "Not claimable Attendance not recorded yet" in _row(_page(staff_client, activity), "Amina Khan")


@pytest.mark.parametrize("hours", [None, "0"])
def test_attended_without_hours_is_not_claimable(staff_client, activity, hours):
    _attended(activity, "Amina Khan", hours=hours)
    assert _row(_page(staff_client, activity), "Amina Khan").endswith("Not claimable No hours recorded")


def test_after_the_claim_deadline_it_is_not_claimable(staff_client, wessex):
    starts = timezone.now() - timedelta(days=DEFAULT_DEADLINE_DAYS + 5)
    activity = ActivityFactory(organisation=wessex, starts_at=starts, status=ActivityStatus.COMPLETED)
    _attended(activity, "Amina Khan")
    row = _row(_page(staff_client, activity), "Amina Khan")
    assert row.endswith(f"Not claimable Claim deadline passed on {_last_day(activity)}")


def test_the_deadline_comes_from_the_rate_card_in_force_on_the_day(staff_client, wessex):
    """A newer card with a 1-day deadline applies to activities on or after its date only."""
    today = timezone.localdate()
    RateCard.objects.create(
        organisation=wessex,
        effective_from=today - timedelta(days=10),
        hourly_rate=Decimal("25.00"),
        half_day_rate=Decimal("75.00"),
        half_day_hours=Decimal("3.5"),
        full_day_rate=Decimal("150.00"),
        full_day_hours=Decimal("7"),
        mileage_rate_per_mile=Decimal("0.45"),
        claim_deadline_days=1,
    )
    recent = ActivityFactory(organisation=wessex, starts_at=timezone.now() - timedelta(days=5))
    older = ActivityFactory(organisation=wessex, starts_at=timezone.now() - timedelta(days=20))
    _attended(recent, "Amina Khan")
    _attended(older, "Ben Okafor")
    assert "Not claimable Claim deadline passed" in _row(_page(staff_client, recent), "Amina Khan")
    assert _row(_page(staff_client, older), "Ben Okafor").endswith(f"Can be claimed Claim by {_last_day(older)}")


def test_an_activity_before_any_rates_is_not_claimable(staff_client, wessex):
    activity = ActivityFactory(organisation=wessex, starts_at=timezone.make_aware(datetime(2020, 6, 1, 10)))
    _attended(activity, "Amina Khan")
    row = _row(_page(staff_client, activity), "Amina Khan")
    assert row.endswith("Not claimable No payment rates for the date of the activity")


def test_a_partner_who_declines_payment_is_not_claimable(staff_client, activity):
    _attended(activity, "Amina Khan", payment_preference=PaymentPreference.DECLINE)
    _attended(activity, "Ben Okafor", payment_preference=PaymentPreference.EXPENSES_ONLY)
    response = _page(staff_client, activity)
    assert _row(response, "Amina Khan").endswith("Not claimable The partner does not want to be paid")
    assert _row(response, "Ben Okafor").endswith("Not claimable The partner claims expenses only")


def test_a_cancelled_activity_is_not_claimable(staff_client, wessex):
    activity = ActivityFactory(organisation=wessex, status=ActivityStatus.CANCELLED, cancellation_reason="Snow")
    _attended(activity, "Amina Khan")
    assert _row(_page(staff_client, activity), "Amina Khan").endswith("Not claimable The activity was cancelled")


def test_a_partner_who_has_left_the_ahsn_is_not_claimable(staff_client, activity):
    participation = _attended(activity, "Amina Khan")
    PartnerLink.objects.filter(partner=participation.partner).update(status=PartnerLink.Status.LEFT)
    assert _row(_page(staff_client, activity), "Amina Khan").endswith("Not claimable No longer working with Wessex")


def test_read_only_finance_staff_see_the_payment_state_too(finance, activity):
    _attended(activity, "Amina Khan")
    assert "Can be claimed" in _row(_page(client_for(finance), activity), "Amina Khan")


def test_can_be_claimed_agrees_with_what_a_claim_can_include(wessex):
    """For one partner: the participations shown as "Can be claimed" are exactly those the
    payments app offers on a new claim."""
    partner = LayPartnerFactory(full_name="Amina Khan")
    now = timezone.now()
    cases = [
        ActivityFactory(organisation=wessex, starts_at=now - timedelta(days=3)),
        ActivityFactory(organisation=wessex, starts_at=now - timedelta(days=60)),
        ActivityFactory(organisation=wessex, starts_at=now - timedelta(days=200)),
        ActivityFactory(organisation=wessex, status=ActivityStatus.CANCELLED, cancellation_reason="Snow"),
    ]
    for activity in cases:
        ParticipationFactory(activity=activity, partner=partner, attended=True, hours=Decimal("2"))
    ParticipationFactory(activity=ActivityFactory(organisation=wessex), partner=partner, attended=False)
    offered = {p.pk for p in claimable_participations(partner=partner, organisation_ids=[wessex.pk])}
    shown = {
        p.pk
        for activity in {p.activity for p in Participation.objects.filter(partner=partner)}
        for p in selectors.activity_participants(activity)
        if p.payment.label == selectors.CAN_BE_CLAIMED
    }
    assert shown == offered
    assert len(shown) == 2


def test_payment_state_uses_the_given_day(activity):
    _attended(activity, "Amina Khan")
    ends = timezone.localtime(activity.ends_at).date()
    on_last_day = selectors.activity_participants(activity, today=ends + timedelta(days=DEFAULT_DEADLINE_DAYS))
    day_after = selectors.activity_participants(activity, today=ends + timedelta(days=DEFAULT_DEADLINE_DAYS + 1))
    assert on_last_day[0].payment.label == "Can be claimed"
    assert on_last_day[0].payment.last_day == ends + timedelta(days=DEFAULT_DEADLINE_DAYS)
    assert day_after[0].payment.label == "Not claimable"
    assert isinstance(day_after[0].payment.last_day, date)


# ------------------------------------------------------------------ a fixed number of queries


def _mixed_participants(activity, count: int) -> None:
    """Every state in turn: claimed, can be claimed, did not attend, no hours, declines payment."""
    for i in range(count):
        kind = i % 5
        partner = LayPartnerFactory(
            full_name=f"Partner {activity.pk}-{i:03d}",
            payment_preference=PaymentPreference.DECLINE if kind == 4 else PaymentPreference.PAY,
        )
        participation = ParticipationFactory(
            activity=activity,
            partner=partner,
            attended=kind != 2,
            hours=None if kind == 3 else Decimal("2"),
        )
        if kind == 0:
            submitted_claim(partner, activity.organisation, participation)


def test_the_activity_page_costs_the_same_for_3_and_60_participants(staff_client, wessex):
    few_activity = ActivityFactory(organisation=wessex, status=ActivityStatus.COMPLETED)
    many_activity = ActivityFactory(organisation=wessex, status=ActivityStatus.COMPLETED)
    _mixed_participants(few_activity, 3)
    _mixed_participants(many_activity, 60)

    def count(activity) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = _page(staff_client, activity)
        return len(ctx.captured_queries), response.content.decode()

    count(few_activity)  # warm up the session
    few, _ = count(few_activity)
    many, html = count(many_activity)
    assert many == few
    assert few <= 12
    # The page shows the first 50 of the 60 people (ten of each state); the rest are on page 2.
    assert html.count(">Claimed<") == 10
    assert html.count(">Can be claimed<") == 10
    assert html.count("Did not attend") == 10
    assert html.count("No hours recorded") == 10
    assert html.count("The partner does not want to be paid") == 10

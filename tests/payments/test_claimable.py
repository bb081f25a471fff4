"""Which participations can be claimed, and by when: one answer (`payments.selectors.
claimable_participations`) for the claim page, the partner's home and money pages, the staff
activity page and the reminders. Two answers to one question disagree, and partners notice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import Notification
from core.reminders import run_sweeps
from involvement import selectors as involvement_selectors
from involvement.models import Activity, ActivityStatus, Participation
from partners.models import PartnerLink
from payments import selectors, services
from payments.services import ClaimError
from tests.conftest import client_for
from tests.payments.factories import draft_claim, participation_for, partner_at

pytestmark = pytest.mark.django_db

# The default rate card (payments migration 0002): 90 days to claim after the activity.
DEADLINE_DAYS = 90


def _days_ago(days: int):  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(days=days)


def _offered_on_the_claim_page(client, claim) -> set[int]:  # type: ignore[no-untyped-def]
    html = client.get(f"/payments/claims/{claim.pk}/payments/new/").content.decode()
    radios = re.findall(r'<input[^>]*name="participation"[^>]*>', html)
    return {int(re.search(r'value="(\d+)"', r).group(1)) for r in radios}  # type: ignore[union-attr]


def _can_be_claimed_on_the_staff_page(partner) -> set[int]:  # type: ignore[no-untyped-def]
    activities = Activity.objects.filter(participations__partner=partner).distinct()
    return {
        p.pk
        for activity in activities
        for p in involvement_selectors.activity_participants(activity)
        if p.partner_id == partner.pk and p.payment.label == involvement_selectors.CAN_BE_CLAIMED
    }


def _reminded(partner) -> set[int]:  # type: ignore[no-untyped-def]
    """Participations the partner is sent a claim reminder about (either kind)."""
    run_sweeps(kinds=["reminders.unclaimed", "reminders.claim_deadline"])
    return {int(n.subject_id) for n in Notification.objects.filter(partner=partner, kind__startswith="reminders.")}


def test_eight_attended_of_which_six_are_past_the_deadline_shows_two_everywhere(wessex, staff):
    partner = partner_at(wessex, full_name="Amina Khan")
    # Two inside the deadline, both with under 14 days left (so the deadline reminder covers them).
    inside = [participation_for(partner, starts_at=_days_ago(d), title=f"Recent {d}") for d in (80, 85)]
    for d in (95, 100, 120, 150, 200, 300):
        participation_for(partner, starts_at=_days_ago(d), title=f"Too late {d}")
    assert Participation.objects.filter(partner=partner, attended=True).count() == 8
    client = client_for(partner.user)

    home = client.get("/", follow=True).content.decode()
    assert "2 activities you have taken part in" in home
    money = client.get("/payments/my/").content.decode()
    assert "You have 2 activities you can claim for" in money
    assert money.count("Claim for this") == 2
    assert "Too late" not in money
    claim = draft_claim(partner, wessex)
    assert _offered_on_the_claim_page(client, claim) == {p.pk for p in inside}
    assert _can_be_claimed_on_the_staff_page(partner) == {p.pk for p in inside}
    assert _reminded(partner) == {p.pk for p in inside}


def test_every_caller_agrees_on_what_can_be_claimed(wessex, yorkshire, lead):
    """One partner with one of each case. The claim page, the counts, the staff page, the reminder
    and the service that adds the payment all give the same set."""
    partner = partner_at(wessex, full_name="Amina Khan")
    PartnerLink.objects.create(partner=partner, organisation=yorkshire, joined_on=timezone.localdate())
    can = [
        participation_for(partner, starts_at=_days_ago(85), title="Nearly too late"),
        participation_for(partner, starts_at=_days_ago(10), title="Last week"),
    ]
    participation_for(partner, starts_at=_days_ago(100), title="Too late")
    in_draft = participation_for(partner, starts_at=_days_ago(20), title="On a draft")
    services.claim_add_fee_line(claim=draft_claim(partner, wessex), participation=in_draft, actor=partner.user)
    freed = participation_for(partner, starts_at=_days_ago(30), title="Withdrawn then free")
    withdrawn = draft_claim(partner, wessex)
    services.claim_add_fee_line(claim=withdrawn, participation=freed, actor=partner.user)
    services.claim_withdraw(claim=withdrawn, actor=partner.user)
    can.append(freed)
    no_show = participation_for(partner, starts_at=_days_ago(12), title="Did not come")
    Participation.objects.filter(pk=no_show.pk).update(attended=False, hours=None)
    cancelled = participation_for(partner, starts_at=_days_ago(14), title="Cancelled")
    Activity.objects.filter(pk=cancelled.activity_id).update(
        status=ActivityStatus.CANCELLED, cancellation_reason="Snow"
    )
    participation_for(partner, starts_at=timezone.make_aware(timezone.datetime(2019, 6, 1, 10)), title="No rates")
    left = participation_for(partner, organisation=yorkshire, starts_at=_days_ago(9), title="Left Yorkshire")
    PartnerLink.objects.filter(partner=partner, organisation=yorkshire).update(status=PartnerLink.Status.LEFT)
    expected = {p.pk for p in can}
    client = client_for(partner.user)

    assert {p.pk for p in selectors.claimable_participations(partner=partner)} == expected
    assert _offered_on_the_claim_page(client, draft_claim(partner, wessex)) == expected
    assert "3 activities you have taken part in" in client.get("/", follow=True).content.decode()
    assert "You have 3 activities you can claim for" in client.get("/payments/my/").content.decode()
    assert _can_be_claimed_on_the_staff_page(partner) == expected
    accepted = set()
    claim = draft_claim(partner, wessex)
    for p in Participation.objects.filter(partner=partner).exclude(pk=left.pk):
        try:
            with transaction.atomic():
                services.claim_add_fee_line(claim=claim, participation=p, actor=partner.user)
                accepted.add(p.pk)
                transaction.set_rollback(True)
        except ClaimError:
            pass
    assert accepted == expected
    # "Last week" and "Withdrawn then free" get the 7-day reminder, "Nearly too late" the deadline one;
    # the draft's participation is claimed, so no reminder says it is not.
    assert _reminded(partner) == expected


def test_the_last_day_to_claim_is_the_same_on_the_claim_page_and_in_the_reminder(wessex):
    partner = partner_at(wessex, full_name="Amina Khan")
    p = participation_for(partner, starts_at=_days_ago(80), title="Diabetes app workshop")
    last_day = timezone.localtime(p.activity.ends_at).date() + timedelta(days=DEADLINE_DAYS)
    shown = f"{last_day:%-d %B %Y}"
    client = client_for(partner.user)
    assert (
        f"Claim by {shown}"
        in client.get(f"/payments/claims/{draft_claim(partner, wessex).pk}/payments/new/").content.decode()
    )
    assert f"Claim by {shown}" in client.get("/payments/my/").content.decode()
    run_sweeps(kinds=["reminders.claim_deadline"])
    reminder = Notification.objects.get(partner=partner, kind="reminders.claim_deadline")
    assert shown in reminder.body


def test_a_partner_who_wants_expenses_only_has_nothing_to_claim_a_payment_for(wessex):
    partner = partner_at(wessex, payment_preference="expenses_only")
    participation_for(partner)
    assert "activities you have taken part in" not in client_for(partner.user).get("/", follow=True).content.decode()
    assert not selectors.claimable_participations(partner=partner).exists()


def test_counting_costs_one_query_however_many_participations(wessex, django_assert_max_num_queries):
    partner = partner_at(wessex)
    for d in range(1, 40):
        participation_for(partner, starts_at=_days_ago(d * 4))
    with django_assert_max_num_queries(1):
        assert selectors.claimable_participations(partner=partner).count() == 22


def test_a_claim_started_but_never_sent_is_reminded_before_the_deadline(wessex):
    """A draft holds its participation (it is not offered again, nor counted), but the partner is
    still told before the last day that the claim has not been sent."""
    partner = partner_at(wessex, full_name="Dan Draft")
    p = participation_for(partner, starts_at=_days_ago(80), title="Diabetes app workshop")
    services.claim_add_fee_line(claim=draft_claim(partner, wessex), participation=p, actor=partner.user)
    assert not selectors.claimable_participations(partner=partner).exists()
    run_sweeps(kinds=["reminders.unclaimed", "reminders.claim_deadline"])
    reminder = Notification.objects.get(partner=partner)
    assert reminder.kind == "reminders.claim_deadline"
    assert reminder.title.startswith("Send your claim for Diabetes app workshop by ")
    assert "You started a claim for it but have not sent it yet" in reminder.body
    assert run_sweeps(kinds=["reminders.claim_deadline"])["reminders.claim_deadline"] == 0  # once only

"""The same form sent twice (a double click, a retry, the back button) makes one thing, not two,
and the second send goes where the first one went."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.idempotency import AlreadySubmitted
from core.models import Notification
from involvement.models import Activity, Outcome
from payments import services as payments
from payments.models import ClaimLine
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.involvement.test_views import _activity_post
from tests.payments.factories import partner_at
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def token_on(client: Client, url: str) -> str:
    """The one-time token in the form on the page, as a browser would send it back."""
    page = client.get(url).content.decode()
    found = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert found, "the form carries a one-time token"
    return found.group(1)


@pytest.fixture
def partner(wessex):
    return partner_at(wessex, full_name="Alex Partner")


@pytest.fixture
def claim(partner, wessex):
    return payments.claim_start(partner=partner, organisation=wessex, actor=partner.user)


def test_an_expense_sent_twice_is_added_once_and_both_sends_go_to_the_claim(partner, claim):
    client = client_for(partner.user)
    url = f"/payments/claims/{claim.pk}/expenses/new/parking/"
    data = {
        "expense_date": timezone.localdate().isoformat(),
        "amount": "4.50",
        "description": "Hospital car park",
        "submission_token": token_on(client, url),
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/payments/claims/{claim.pk}/"
    assert [line.amount for line in ClaimLine.objects.filter(claim=claim)] == [Decimal("4.50")]


def test_each_new_expense_form_can_be_sent_once_more(partner, claim):
    """Two expenses of the same amount on the same day are two lines: each form has its own token."""
    client = client_for(partner.user)
    url = f"/payments/claims/{claim.pk}/expenses/new/parking/"
    for _ in range(2):
        data = {"expense_date": timezone.localdate().isoformat(), "amount": "4.50", "submission_token": ""}
        data["submission_token"] = token_on(client, url)
        assert client.post(url, data).status_code == 302
    assert ClaimLine.objects.filter(claim=claim).count() == 2


def test_a_form_sent_back_with_a_mistake_can_be_corrected_and_sent_with_the_same_token(partner, claim):
    client = client_for(partner.user)
    url = f"/payments/claims/{claim.pk}/expenses/new/parking/"
    token = token_on(client, url)
    data = {"expense_date": timezone.localdate().isoformat(), "amount": "2,50", "submission_token": token}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert f'name="submission_token" value="{token}"' in refused.content.decode()
    data["amount"] = "2.50"
    assert client.post(url, data).status_code == 302
    assert [line.amount for line in ClaimLine.objects.filter(claim=claim)] == [Decimal("2.50")]


def test_an_activity_sent_twice_is_logged_once_and_both_sends_open_it(staff_client, wessex):
    url = reverse("involvement:activity_create")
    data = {**_activity_post(), "organisation": wessex.pk, "submission_token": token_on(staff_client, url)}
    first = staff_client.post(url, data)
    second = staff_client.post(url, data)
    activity = Activity.objects.get(title="Care home visiting panel")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("involvement:activity_detail", args=[activity.pk])


def test_an_outcome_sent_twice_is_recorded_and_told_once(staff_client, wessex):
    activity = ActivityFactory(organisation=wessex, title="Discharge letters workshop")
    ParticipationFactory(activity=activity, attended=True, hours=Decimal("2"))
    url = reverse("involvement:outcome_create", args=[activity.pk])
    data = {
        "what_we_heard": "Letters use jargon",
        "what_we_did": "Plain English rewrite",
        "status": "changed",
        "decided_on": timezone.localdate().isoformat(),
        "submission_token": token_on(staff_client, url),
    }
    first = staff_client.post(url, data)
    second = staff_client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("involvement:activity_detail", args=[activity.pk])
    assert Outcome.objects.filter(activity=activity).count() == 1
    assert Notification.objects.filter(kind="involvement.outcome_recorded").count() == 1


def test_a_programme_outcome_sent_twice_is_recorded_once(staff_client, wessex):
    programme = ProgrammeFactory(organisation=wessex)
    url = reverse("programmes:programme_outcome_create", args=[programme.pk])
    data = {
        "what_we_heard": "Meetings are too early",
        "what_we_did": "Moved them to the afternoon",
        "status": "changed",
        "decided_on": timezone.localdate().isoformat(),
        "submission_token": token_on(staff_client, url),
    }
    first = staff_client.post(url, data)
    second = staff_client.post(url, data)
    assert first["Location"] == second["Location"] == reverse("programmes:programme_detail", args=[programme.pk])
    assert Outcome.objects.filter(programme=programme).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_the_same_moment_add_one_line(wessex):
    """The second send waits on the token's unique row until the first commits, then finds it."""
    partner = partner_at(wessex, full_name="Alex Partner")
    claim = payments.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait()
            payments.claim_add_expense_line(
                claim=claim,
                actor=partner.user,
                category="parking",
                amount="4.50",
                expense_date=timezone.localdate(),
                submission_token="same-token-from-one-form",
            )
            outcomes.append("added")
        except AlreadySubmitted:
            outcomes.append("already sent")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "already sent"]
    assert ClaimLine.objects.filter(claim=claim).count() == 1

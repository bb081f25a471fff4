"""The lay partner's own page for an activity: what, why, support, who to contact, and their answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Notification
from involvement.models import ActivityStatus, Participation, ParticipationResponse
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(wessex, lead):
    return ActivityFactory(
        organisation=wessex,
        title="Care at home panel",
        starts_at=timezone.now() + timedelta(days=5),
        lead=lead,
        location="Civic Centre, Southampton",
        joining_details="Ask at reception for room 4",
        purpose="Help us choose which <b>app</b> to test",
        what_to_expect="Two hours of talking, with a break",
        support_offered=["bsl", "booked_travel"],
    )


@pytest.fixture
def mine(upcoming, partner):
    partner.access_needs = "A quiet room & step-free access"
    partner.communication_needs = ["large_print"]
    partner.save()
    return ParticipationFactory(activity=upcoming, partner=partner, role="Panel member")


def _page(mine):
    return reverse("involvement:my_activity", args=[mine.pk])


def _answer(client, mine, response, reason=""):
    return client.post(
        reverse("involvement:my_activity_answer", args=[mine.pk]), {"response": response, "reason": reason}
    )


def _lead_messages(lead, kind):
    return Notification.objects.filter(user=lead, kind=kind)


def test_participant_sees_what_why_support_contact_and_joining(partner_client, mine, lead):
    lead.full_name = "Lena Lead"
    lead.save()
    page = partner_client.get(_page(mine))
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "Care at home panel",
        "Help us choose which &lt;b&gt;app&lt;/b&gt; to test",
        "Two hours of talking, with a break",
        "Civic Centre, Southampton",
        "Ask at reception for room 4",
        "British Sign Language interpreter",
        "Travel booked for you",
        "Large print",
        "A quiet room &amp; step-free access",
        "Lena Lead",
        lead.email,
        "Panel member",
        "Not answered yet",
        "I'm coming",
        "Send apologies",
        reverse("core:my_calendar"),
    ):
        assert text in html, text
    assert "<b>app</b>" not in html


def test_other_partner_staff_and_outsider_get_404(mine, staff_client, lead_client, outsider_client, client):
    other = LayPartnerFactory()
    for c in (client_for(other.user), staff_client, lead_client, outsider_client):
        assert c.get(_page(mine)).status_code == 404
        assert _answer(c, mine, "coming").status_code == 404
    assert client.get(_page(mine)).status_code == 302  # signed out: to the sign-in page
    mine.refresh_from_db()
    assert mine.response == ""


def test_confirming_is_saved_audited_and_does_not_message_the_lead(partner_client, mine, lead, partner):
    response = _answer(partner_client, mine, "coming")
    assert response.status_code == 302 and response.url == _page(mine)
    mine.refresh_from_db()
    assert mine.response == ParticipationResponse.COMING and mine.responded_at is not None
    entry = AuditEntry.objects.get(action="involvement.participation.coming")
    assert entry.actor == partner.user and entry.target_id == str(mine.pk)
    assert not Notification.objects.filter(user=lead).exists()
    assert "You are coming" in partner_client.get(_page(mine)).content.decode()


def test_apologies_tell_the_lead_exactly_once_each(partner_client, mine, lead):
    assert _answer(partner_client, mine, "apologies", "Hospital appointment").status_code == 302
    assert _answer(partner_client, mine, "apologies", "Hospital appointment").status_code == 302  # sent twice
    mine.refresh_from_db()
    assert mine.response == ParticipationResponse.APOLOGIES and mine.apology_reason == "Hospital appointment"
    sent = _lead_messages(lead, "involvement.participation_apologies")
    assert sent.count() == 1
    message = sent.get()
    assert "Hospital appointment" in message.body and mine.partner.display_name in message.title
    assert message.url == reverse("involvement:activity_detail", args=[mine.activity_id])

    # Changing their mind: the lead hears they can come after all, and a new apology is told again.
    assert _answer(partner_client, mine, "coming").status_code == 302
    assert _lead_messages(lead, "involvement.participation_coming_again").count() == 1
    assert _answer(partner_client, mine, "apologies").status_code == 302
    assert _lead_messages(lead, "involvement.participation_apologies").count() == 2
    mine.refresh_from_db()
    assert mine.apology_reason == ""
    assert AuditEntry.objects.filter(action="involvement.participation.apologies").count() == 2


def test_changing_the_reason_keeps_one_message(partner_client, mine, lead):
    _answer(partner_client, mine, "apologies", "Unwell")
    _answer(partner_client, mine, "apologies", "Unwell, sorry")
    mine.refresh_from_db()
    assert mine.apology_reason == "Unwell, sorry"
    assert _lead_messages(lead, "involvement.participation_apologies").count() == 1


def test_no_answer_once_it_has_started(partner_client, mine):
    Participation.objects.filter(pk=mine.pk).update(response="coming")
    mine.activity.starts_at = timezone.now() - timedelta(minutes=5)
    mine.activity.ends_at = timezone.now() + timedelta(hours=1)
    mine.activity.save()
    refused = _answer(partner_client, mine, "apologies", "Late")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "This activity has started, so your answer can no longer be changed here" in html
    assert "There is a problem" in html
    mine.refresh_from_db()
    assert mine.response == "coming"
    page = partner_client.get(_page(mine)).content.decode()
    assert "Send apologies" not in page and "can no longer be changed" in page


def test_no_answer_on_a_cancelled_activity(partner_client, mine):
    mine.activity.status = ActivityStatus.CANCELLED
    mine.activity.cancellation_reason = "The venue flooded"
    mine.activity.save()
    assert _answer(partner_client, mine, "coming").status_code == 400
    page = partner_client.get(_page(mine)).content.decode()
    assert "This activity was cancelled" in page and "The venue flooded" in page


def test_a_made_up_answer_is_refused(partner_client, mine):
    assert _answer(partner_client, mine, "maybe").status_code == 400
    assert _answer(partner_client, mine, "apologies", "x" * 1001).status_code == 400
    mine.refresh_from_db()
    assert mine.response == ""


def test_staff_see_answers_on_the_activity_page(staff_client, mine, partner_client, upcoming):
    _answer(partner_client, mine, "apologies", "Caring for my <mum>")
    other = ParticipationFactory(activity=upcoming)
    ParticipationFactory(activity=upcoming)
    _answer(client_for(other.partner.user), other, "coming")
    html = staff_client.get(reverse("involvement:activity_detail", args=[upcoming.pk])).content.decode()
    assert "Sent apologies" in html and "Caring for my &lt;mum&gt;" in html
    assert "Coming</strong>" in html and "Not answered" in html


def test_linked_from_home_and_what_ive_been_part_of(partner_client, mine):
    url = _page(mine)
    assert f'href="{url}"' in partner_client.get(reverse("partners:home")).content.decode()
    assert f'href="{url}"' in partner_client.get(reverse("involvement:my_involvement")).content.decode()


def test_page_costs_a_fixed_number_of_queries(partner_client, mine, partner, django_assert_max_num_queries):
    for _ in range(30):
        ParticipationFactory(partner=partner, activity=ActivityFactory(starts_at=timezone.now() + timedelta(days=3)))
    with django_assert_max_num_queries(8):
        assert partner_client.get(_page(mine)).status_code == 200


def test_a_finished_activity_has_nothing_to_answer(partner_client, mine):
    mine.activity.starts_at = timezone.now() - timedelta(days=3)
    mine.activity.ends_at = mine.activity.starts_at + timedelta(hours=2)
    mine.activity.save()
    assert _answer(partner_client, mine, "coming").status_code == 400
    page = partner_client.get(_page(mine)).content.decode()
    assert "This activity has finished" in page and "I'm coming" not in page

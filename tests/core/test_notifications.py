"""The notification mechanism: once per occurrence, by the person's channel and preference."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.choices import CommunicationNeed, ContactMethod
from core.delivery import DeliveryFailed, deliver
from core.models import AuditEntry, Notification, NotificationFrequency, NotificationPreference
from core.notifications import notify
from core.reminders.digest import send_weekly_digests
from core.tasks import deliver_notification, requeue_stale_notifications
from tests.core.factories import activity, linked_partner

pytestmark = pytest.mark.django_db


class BrokenEmailBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("SMTP server is not answering")


def _notify_partner(partner, *, kind="involvement.outcome_recorded", occurrence="", **kwargs):  # type: ignore[no-untyped-def]
    return notify(
        kind=kind,
        subject=partner,
        partner=partner,
        title="What changed after the workshop",
        body="We changed the leaflet because of what you told us.",
        occurrence=occurrence,
        **kwargs,
    )


def test_notify_twice_creates_one_notification_and_sends_one_email(wessex, django_capture_on_commit_callbacks) -> None:
    partner = linked_partner(wessex, email="amira@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = _notify_partner(partner, organisation=wessex)
        second, created_second = _notify_partner(partner, organisation=wessex)
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amira@example.org"]
    assert message.subject == "What changed after the workshop"
    assert "We changed the leaflet" in message.body
    assert "/notifications/preferences/" in message.body
    html = message.alternatives[0][0]
    assert "/notifications/preferences/" in html
    first.refresh_from_db()
    assert first.status == Notification.Status.SENT
    assert first.delivered_at is not None


def test_nothing_is_sent_when_the_transaction_rolls_back(wessex, django_capture_on_commit_callbacks) -> None:
    partner = linked_partner(wessex)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _notify_partner(partner)
                raise RuntimeError("the business change failed")
        except RuntimeError:
            pass
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_delivering_the_same_notification_twice_sends_one_email(wessex) -> None:
    partner = linked_partner(wessex)
    notification, _ = _notify_partner(partner)  # delivery not run: no on_commit here
    assert deliver_notification.delay(notification.pk).get() == Notification.Status.SENT
    assert deliver_notification.delay(notification.pk).get() == "already-claimed"
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_a_failed_delivery_is_retried_later_and_sent_once(
    wessex, lead, lead_client, settings, django_capture_on_commit_callbacks
) -> None:
    partner = linked_partner(wessex)
    notification, _ = _notify_partner(partner, organisation=wessex)
    settings.EMAIL_BACKEND = "tests.core.test_notifications.BrokenEmailBackend"
    with pytest.raises(DeliveryFailed):
        deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert "ConnectionRefusedError" in notification.last_error
    page = lead_client.get("/notifications/failed/")
    assert "What changed after the workshop" in page.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(f"/notifications/failed/{notification.pk}/retry/")
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="core.notification.retry", target_id=str(notification.pk)).exists()
    assert "There are no failed messages" in lead_client.get("/notifications/failed/").content.decode()


def test_a_delivery_lost_with_its_worker_is_picked_up_again(wessex) -> None:
    partner = linked_partner(wessex)
    lost_pending, _ = _notify_partner(partner, occurrence="a")
    lost_claimed, _ = _notify_partner(partner, occurrence="b")
    fresh, _ = _notify_partner(partner, occurrence="c")
    long_ago = timezone.now() - timedelta(minutes=30)
    Notification.objects.filter(pk=lost_pending.pk).update(created_at=long_ago)
    Notification.objects.filter(pk=lost_claimed.pk).update(
        created_at=long_ago, status=Notification.Status.SENDING, claimed_at=long_ago
    )
    assert requeue_stale_notifications.delay().get() == 2
    assert len(mail.outbox) == 2
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses[lost_pending.pk] == statuses[lost_claimed.pk] == Notification.Status.SENT
    assert statuses[fresh.pk] == Notification.Status.PENDING


def test_text_message_without_notify_key_waits_for_staff_and_is_marked_sent(
    wessex, lead_client, django_capture_on_commit_callbacks, settings
) -> None:
    settings.GOVUK_NOTIFY_API_KEY = ""
    partner = linked_partner(wessex, full_name="Bob Jones", phone="07700 900123", contact_methods=[ContactMethod.TEXT])
    with django_capture_on_commit_callbacks(execute=True):
        notification, _ = _notify_partner(partner, organisation=wessex)
    notification.refresh_from_db()
    assert notification.channel == Notification.Channel.TEXT
    assert notification.status == Notification.Status.MANUAL
    assert mail.outbox == []
    page = lead_client.get("/notifications/to-send/").content.decode()
    assert "Bob Jones" in page
    assert "07700 900123" in page
    assert "We changed the leaflet" in page
    lead_client.post(f"/notifications/to-send/{notification.pk}/sent/")
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT_BY_HAND
    assert AuditEntry.objects.filter(action="core.notification.sent_by_hand").count() == 1
    assert "There are no messages to send by hand" in lead_client.get("/notifications/to-send/").content.decode()


def test_letter_goes_through_govuk_notify_when_a_key_is_configured(
    wessex, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    sent: list[dict] = []

    class FakeNotifyClient:
        def __init__(self, api_key: str) -> None:
            assert api_key == "test-key"

        def send_letter_notification(self, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(kwargs)

    monkeypatch.setattr("notifications_python_client.notifications.NotificationsAPIClient", FakeNotifyClient)
    settings.GOVUK_NOTIFY_API_KEY = "test-key"
    settings.GOVUK_NOTIFY_LETTER_TEMPLATE_ID = "letter-template"
    partner = linked_partner(
        wessex,
        full_name="Carol Smith",
        address="1 High Street\nWinchester",
        postcode="SO23 9AA",
        contact_methods=[ContactMethod.POST],
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification, _ = _notify_partner(partner)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert sent[0]["personalisation"]["address_line_1"] == "Carol Smith"
    assert sent[0]["personalisation"]["address_line_4"] == "SO23 9AA"


def test_partner_without_any_contact_details_is_queued_for_staff_not_dropped(wessex) -> None:
    partner = linked_partner(wessex, email="", contact_methods=[])
    notification, _ = _notify_partner(partner)
    assert notification.channel == Notification.Channel.PHONE
    deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.MANUAL


def test_never_and_weekly_preferences_hold_back_non_essential_messages(
    wessex, django_capture_on_commit_callbacks
) -> None:
    partner = linked_partner(wessex, with_login=True, email="dee@example.org")
    NotificationPreference.objects.create(user=partner.user, group="involvement", frequency=NotificationFrequency.NEVER)
    NotificationPreference.objects.create(user=partner.user, group="forum", frequency=NotificationFrequency.WEEKLY)
    with django_capture_on_commit_callbacks(execute=True):
        skipped, _ = _notify_partner(partner, kind="involvement.outcome_recorded")
        held, _ = _notify_partner(partner, kind="forum.notes_published")
        essential, _ = _notify_partner(partner, kind="forum.meeting_cancelled")
    essential.refresh_from_db()
    assert essential.status == Notification.Status.SENT
    assert skipped.status == Notification.Status.SKIPPED
    assert held.status == Notification.Status.HELD
    assert len(mail.outbox) == 1  # only the cancelled meeting, straight away
    # Every message is still on the notifications page.
    assert Notification.objects.filter(user=partner.user).count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests() == 1
        assert send_weekly_digests() == 0  # running it again sends nothing more
    assert len(mail.outbox) == 2
    digest = mail.outbox[1]
    assert digest.subject == "Your weekly summary: 1 message"
    assert "What changed after the workshop" in digest.body
    held.refresh_from_db()
    assert held.status == Notification.Status.DIGESTED


def test_essential_flag_overrides_a_never_preference(wessex, django_capture_on_commit_callbacks) -> None:
    partner = linked_partner(wessex, with_login=True)
    NotificationPreference.objects.create(user=partner.user, group="claims", frequency=NotificationFrequency.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        returned, _ = _notify_partner(partner, kind="payments.claim_returned")
        other, _ = _notify_partner(partner, kind="payments.claim_approved", essential=True)
    assert returned.essential and other.essential
    assert len(mail.outbox) == 2


def test_easy_read_and_large_print_pick_the_template(wessex, django_capture_on_commit_callbacks) -> None:
    easy = linked_partner(wessex, communication_needs=[CommunicationNeed.EASY_READ])
    large = linked_partner(wessex, communication_needs=[CommunicationNeed.LARGE_PRINT])
    with django_capture_on_commit_callbacks(execute=True):
        _notify_partner(easy, easy_read_body="We changed the leaflet.\nThank you.")
        _notify_partner(large)
    by_address = {message.to[0]: message for message in mail.outbox}
    easy_mail = by_address[easy.email]
    assert "We changed the leaflet.\nThank you." in easy_mail.body
    assert "because of what you told us" not in easy_mail.body
    assert "font-size: 20px" in easy_mail.alternatives[0][0]
    assert "font-size: 24px" in by_address[large.email].alternatives[0][0]


class _FakeNotify:
    """Stands in for `NotificationsAPIClient`: records text messages, or fails like Notify being down."""

    sent: list[dict] = []
    fail = False

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def send_sms_notification(self, **kwargs):  # type: ignore[no-untyped-def]
        if _FakeNotify.fail:
            raise ConnectionError("GOV.UK Notify is not answering")
        _FakeNotify.sent.append(kwargs)


def test_a_text_message_goes_through_govuk_notify_and_a_notify_outage_is_retried(
    wessex, lead_client, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    _FakeNotify.sent = []
    _FakeNotify.fail = True
    monkeypatch.setattr("notifications_python_client.notifications.NotificationsAPIClient", _FakeNotify)
    settings.GOVUK_NOTIFY_API_KEY = "test-key"
    settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    partner = linked_partner(wessex, full_name="Bob Jones", phone="07700 900123", contact_methods=[ContactMethod.TEXT])
    notification, _ = _notify_partner(partner, organisation=wessex)
    with pytest.raises(DeliveryFailed):
        deliver(notification.pk)
    notification.refresh_from_db()
    assert (notification.channel, notification.status) == (Notification.Channel.TEXT, Notification.Status.FAILED)
    assert "GOV.UK Notify is not answering" in notification.last_error
    assert "Bob Jones" in lead_client.get("/notifications/failed/").content.decode()

    _FakeNotify.fail = False
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(f"/notifications/failed/{notification.pk}/retry/")
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert _FakeNotify.sent == [
        {
            "phone_number": "07700 900123",
            "template_id": "sms-template",
            "personalisation": {
                "title": "What changed after the workshop",
                "body": "We changed the leaflet because of what you told us.",
            },
            "reference": f"notification-{notification.pk}",
        }
    ]
    assert deliver(notification.pk) == "already-claimed"  # a late duplicate task sends nothing more
    assert len(_FakeNotify.sent) == 1
    assert mail.outbox == []


def test_the_weekly_summary_costs_the_same_queries_for_a_few_or_many_held_messages(wessex) -> None:
    cancelled = activity(wessex, starts_at=timezone.now() + timedelta(days=1), status="cancelled")

    def hold(count: int, tag: str) -> None:
        for n in range(count):
            partner = linked_partner(wessex, with_login=True, full_name=f"{tag} {n}")
            NotificationPreference.objects.create(
                user=partner.user, group="involvement", frequency=NotificationFrequency.WEEKLY
            )
            _notify_partner(partner)
            Notification.objects.create(  # held before reminders always went straight away
                kind="reminders.activity_upcoming",
                subject_type="involvement.activity",
                subject_id=str(cancelled.pk),
                recipient_key=f"p:{partner.pk}",
                user=partner.user,
                partner=partner,
                title="Reminder: the cancelled workshop",
                body="Come along.",
                status=Notification.Status.HELD,
            )

    def measure(days_later: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            created = send_weekly_digests(now=timezone.now() + timedelta(days=days_later))
        return len(queries.captured_queries), created

    hold(2, "Few")
    few, few_created = measure(7)
    hold(30, "Many")
    many, many_created = measure(14)
    assert (few_created, many_created) == (2, 30)
    assert many == few
    assert (
        not Notification.objects.filter(kind="reminders.activity_upcoming")
        .exclude(status=Notification.Status.SKIPPED)
        .exists()
    )


def test_messages_lost_with_the_broker_or_a_killed_worker_are_requeued_within_minutes(wessex) -> None:
    """Beat runs the requeue every minute: a message left pending while the broker was down goes
    after 2 minutes, one stuck "being sent" by a worker that was killed after 5; one a worker may
    still be sending is left alone, so it is not sent twice."""
    partner = linked_partner(wessex)
    now = timezone.now()
    broker_was_down, _ = _notify_partner(partner, occurrence="pending 3 minutes")
    worker_killed, _ = _notify_partner(partner, occurrence="claimed 6 minutes ago")
    still_sending, _ = _notify_partner(partner, occurrence="claimed a minute ago")
    Notification.objects.filter(pk=broker_was_down.pk).update(created_at=now - timedelta(minutes=3))
    Notification.objects.filter(pk=worker_killed.pk).update(
        status=Notification.Status.SENDING, claimed_at=now - timedelta(minutes=6), attempts=1
    )
    Notification.objects.filter(pk=still_sending.pk).update(
        status=Notification.Status.SENDING, claimed_at=now - timedelta(minutes=1), attempts=1
    )

    assert requeue_stale_notifications.delay().get() == 2

    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses[broker_was_down.pk] == statuses[worker_killed.pk] == Notification.Status.SENT
    assert statuses[still_sending.pk] == Notification.Status.SENDING
    assert len(mail.outbox) == 2

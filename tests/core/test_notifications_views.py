"""Notification pages: a person's own inbox and choices; staff pages scoped to their AHSN."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.choices import ContactMethod
from core.forms import ReminderSettingsForm
from core.models import AuditEntry, Notification, NotificationFrequency, NotificationPreference, ReminderSettings
from core.notifications import notify
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.core.factories import activity, linked_partner

pytestmark = pytest.mark.django_db


def _message_for(user, title="Your claim was approved", **kwargs):  # type: ignore[no-untyped-def]
    notification, _ = notify(
        kind="payments.claim_approved", subject=user, user=user, title=title, body="We will pay you soon.", **kwargs
    )
    return notification


def _queued(organisation, *, status=Notification.Status.MANUAL, name="Bob Jones"):  # type: ignore[no-untyped-def]
    partner = linked_partner(organisation, full_name=name, phone="07700 900123", contact_methods=[ContactMethod.TEXT])
    notification, _ = notify(
        kind="involvement.outcome_recorded",
        subject=partner,
        partner=partner,
        organisation=organisation,
        title=f"What changed, for {name}",
        body="We changed the leaflet.",
    )
    Notification.objects.filter(pk=notification.pk).update(status=status, last_error="SMTPException: refused")
    return notification


# --- A person's own notifications ---------------------------------------------------------------


def test_inbox_lists_only_my_notifications_and_opening_one_marks_it_read(staff, staff_client, lead) -> None:
    mine = _message_for(staff)
    _message_for(lead, title="Someone else's message")
    page = staff_client.get("/notifications/")
    html = page.content.decode()
    assert "Your claim was approved" in html
    assert "Someone else&#x27;s message" not in html and "Someone else's message" not in html
    assert page.context["unread_notifications"] == 1
    detail = staff_client.get(f"/notifications/{mine.pk}/")
    assert "We will pay you soon." in detail.content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert staff_client.get("/notifications/").context["unread_notifications"] == 0


def test_someone_elses_notification_is_not_found(staff_client, lead) -> None:
    theirs = _message_for(lead)
    assert staff_client.get(f"/notifications/{theirs.pk}/").status_code == 404


def test_mark_all_as_read(staff, staff_client) -> None:
    for n in range(3):
        _message_for(staff, title=f"Message {n}")
    staff_client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()


def test_empty_inbox_says_so(staff_client) -> None:
    assert "There are no notifications yet" in staff_client.get("/notifications/").content.decode()


def test_inbox_costs_a_fixed_number_of_queries(staff, staff_client, django_assert_max_num_queries) -> None:
    for n in range(120):
        _message_for(staff, title=f"Message {n}", occurrence=str(n))
    with django_assert_max_num_queries(12):
        response = staff_client.get("/notifications/?page=2")
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 25


# --- Preferences --------------------------------------------------------------------------------


def test_a_lay_partner_chooses_weekly_summaries_for_claim_reminders(wessex) -> None:
    partner = linked_partner(wessex, with_login=True, email="amira@example.org")
    client = client_for(partner.user)
    page = client.get("/notifications/preferences/").content.decode()
    assert "Reminders to claim your payment" in page
    assert "Claims waiting for you" not in page  # a staff-only group
    assert "We contact you by: <strong>Email</strong>" in page
    response = client.post(
        "/notifications/preferences/",
        {
            "before_activity": "immediately",
            "claim_reminders": "weekly",
            "claims": "immediately",
            "involvement": "never",
            "forum": "immediately",
            "opportunities": "weekly",
            "other": "immediately",
        },
    )
    assert response.status_code == 302
    saved = dict(NotificationPreference.objects.filter(user=partner.user).values_list("group", "frequency"))
    assert saved["claim_reminders"] == NotificationFrequency.WEEKLY
    assert saved["involvement"] == NotificationFrequency.NEVER
    assert saved["opportunities"] == NotificationFrequency.WEEKLY
    assert AuditEntry.objects.filter(action="core.notification_preference.updated", actor=partner.user).exists()
    again = client.get("/notifications/preferences/").content.decode()
    assert re.search(r'id="id_claim_reminders_1"[^>]*value="weekly"[^>]*checked', again)


def test_the_preferences_page_says_reminders_before_an_activity_always_come_straight_away(staff_client) -> None:
    page = staff_client.get("/notifications/preferences/").content.decode()
    assert "Reminders before an activity or meeting always come straight away" in page
    assert "because a weekly summary would arrive too late" in page


def test_staff_see_their_groups_and_a_bad_answer_is_shown_as_an_error(staff_client) -> None:
    page = staff_client.get("/notifications/preferences/").content.decode()
    assert "Claims waiting for you" in page
    response = staff_client.post("/notifications/preferences/", {"claim_digests": "hourly"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Your message choices" in html
    assert "nhsuk-error-summary" in html
    assert not NotificationPreference.objects.exists()


# --- Staff: messages to send by hand ------------------------------------------------------------


def test_lead_sees_only_their_ahsns_messages_to_send(lead_client, wessex, yorkshire) -> None:
    _queued(wessex, name="Bob Jones")
    _queued(yorkshire, name="Yara Hill")
    html = lead_client.get("/notifications/to-send/").content.decode()
    assert "Bob Jones" in html
    assert "07700 900123" in html
    assert "Yara Hill" not in html


def test_network_admin_sees_every_ahsns_messages_to_send(admin_client_portal, wessex, yorkshire) -> None:
    _queued(wessex, name="Bob Jones")
    _queued(yorkshire, name="Yara Hill")
    html = admin_client_portal.get("/notifications/to-send/").content.decode()
    assert "Bob Jones" in html and "Yara Hill" in html


def test_read_only_staff_cannot_see_or_mark_messages_to_send(staff_client, wessex) -> None:
    queued = _queued(wessex)
    assert staff_client.get("/notifications/to-send/").status_code == 403
    assert staff_client.post(f"/notifications/to-send/{queued.pk}/sent/").status_code == 403
    queued.refresh_from_db()
    assert queued.status == Notification.Status.MANUAL


def test_outsider_cannot_mark_another_ahsns_message_as_sent(outsider_client, wessex) -> None:
    queued = _queued(wessex)
    assert outsider_client.post(f"/notifications/to-send/{queued.pk}/sent/").status_code == 404
    queued.refresh_from_db()
    assert queued.status == Notification.Status.MANUAL


def test_marking_a_message_sent_twice_says_it_is_already_done(lead_client, wessex) -> None:
    queued = _queued(wessex)
    lead_client.post(f"/notifications/to-send/{queued.pk}/sent/")
    response = lead_client.post(f"/notifications/to-send/{queued.pk}/sent/", follow=True)
    assert "not waiting to be sent by hand" in response.content.decode()
    assert AuditEntry.objects.filter(action="core.notification.sent_by_hand").count() == 1


def _queued_reminders_for_cancelled_activity(organisation, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` text-message reminders waiting for staff, for an activity since cancelled."""

    cancelled = activity(organisation, starts_at=timezone.now() + timedelta(days=1), status="cancelled")
    partner = linked_partner(organisation, full_name="Cancelled Reminder", phone="07700 900999")
    Notification.objects.bulk_create(
        [
            Notification(
                kind="reminders.activity_upcoming",
                subject_type="involvement.activity",
                subject_id=str(cancelled.pk),
                recipient_key=f"p:{partner.pk}",
                occurrence=f"before:{n}",
                partner=partner,
                organisation=organisation,
                title="Reminder: the cancelled workshop",
                body="Come along.",
                channel=Notification.Channel.TEXT,
                status=Notification.Status.MANUAL,
            )
            for n in range(count)
        ]
    )


def test_messages_to_send_page_costs_a_fixed_number_of_queries(
    lead_client, wessex, django_assert_max_num_queries
) -> None:
    for n in range(40):
        _queued(wessex, name=f"Person {n}")
    _queued_reminders_for_cancelled_activity(wessex, 30)
    with django_assert_max_num_queries(14):
        response = lead_client.get("/notifications/to-send/")
    assert len(response.context["page_obj"].object_list) == 25
    assert response.context["page_obj"].paginator.count == 40  # the 30 for the cancelled activity left out
    assert "the cancelled workshop" not in response.content.decode()


# --- Staff: failed messages ---------------------------------------------------------------------


def test_failed_messages_page_is_scoped_like_the_others(
    lead_client, staff_client, outsider_client, wessex, yorkshire
) -> None:
    failed = _queued(wessex, status=Notification.Status.FAILED, name="Bob Jones")
    _queued(yorkshire, status=Notification.Status.FAILED, name="Yara Hill")
    html = lead_client.get("/notifications/failed/").content.decode()
    assert "Bob Jones" in html and "SMTPException: refused" in html and "Yara Hill" not in html
    assert staff_client.get("/notifications/failed/").status_code == 403
    assert staff_client.post(f"/notifications/failed/{failed.pk}/retry/").status_code == 403
    assert outsider_client.post(f"/notifications/failed/{failed.pk}/retry/").status_code == 404
    failed.refresh_from_db()
    assert failed.status == Notification.Status.FAILED


def test_failed_messages_page_costs_a_fixed_number_of_queries(
    admin_client_portal, wessex, django_assert_max_num_queries
) -> None:
    for n in range(40):
        _queued(wessex, status=Notification.Status.FAILED, name=f"Person {n}")
    with django_assert_max_num_queries(14):
        response = admin_client_portal.get("/notifications/failed/")
    assert len(response.context["page_obj"].object_list) == 25


def test_reminder_settings_can_be_changed_in_the_admin_but_not_deleted(db) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(superuser)
    url = "/django-admin/core/remindersettings/1/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "remind participants this many hours before an activity or meeting" in page.content.decode().lower()
    form = {field.name: getattr(ReminderSettings.load(), field.name) for field in ReminderSettings._meta.fields}
    form.pop("id")
    form.pop("updated_at")
    form["activity_reminder_hours"] = 24
    assert client.post(url, form).status_code == 302
    assert ReminderSettings.load().activity_reminder_hours == 24
    assert client.get("/django-admin/core/remindersettings/1/delete/").status_code == 403


def test_reminder_thresholds_that_would_switch_a_reminder_off_or_scramble_it_are_refused(db) -> None:
    current = ReminderSettings.load()
    data = {name: getattr(current, name) for name in ReminderSettingsForm.Meta.fields}
    assert ReminderSettingsForm(data, instance=current).is_valid()
    bad = {
        **data,
        "activity_reminder_hours": 0,
        "unclaimed_after_days": 0,
        "outcome_after_days": 400,
        "notes_first_reminder_days": 7,
        "notes_second_reminder_days": 3,
    }
    form = ReminderSettingsForm(bad, instance=current)
    assert not form.is_valid()
    assert form.errors == {
        "activity_reminder_hours": ["Enter a number of hours between 1 and 336 (two weeks)"],
        "unclaimed_after_days": ["Enter a number of days between 1 and 365"],
        "outcome_after_days": ["Enter a number of days between 1 and 365"],
        "notes_second_reminder_days": [
            "The second reminder about unpublished notes must come after the first (7 days)"
        ],
    }
    assert ReminderSettings.load().activity_reminder_hours == 48  # nothing saved


def test_network_admins_change_reminder_settings_and_schedules_in_the_admin_and_nothing_else(
    admin_client_portal, lead
) -> None:
    assert admin_client_portal.get("/django-admin/").status_code == 200
    url = f"/django-admin/core/remindersettings/{ReminderSettings.load().pk}/change/"
    form = {field.name: getattr(ReminderSettings.load(), field.name) for field in ReminderSettings._meta.fields}
    form.pop("id")
    form.pop("updated_at")
    form["unclaimed_after_days"] = 10
    assert admin_client_portal.post(url, form).status_code == 302
    assert ReminderSettings.load().unclaimed_after_days == 10
    assert admin_client_portal.get("/django-admin/django_celery_beat/periodictask/").status_code == 200
    # Nothing beyond reminders: not people, not the audit log, not deleting the settings.
    assert admin_client_portal.get("/django-admin/accounts/user/").status_code == 403
    assert admin_client_portal.get("/django-admin/core/auditentry/").status_code == 403
    assert admin_client_portal.get(url.replace("/change/", "/delete/")).status_code == 403
    # An involvement lead is not let in at all: the admin sends them to its sign-in page.
    response = client_for(lead).get(url)
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]

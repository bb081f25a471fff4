"""A lay partner reads a new notification and changes how often they hear from us; a lead works
through the messages that need sending by hand. axe checks every page on the way."""

from __future__ import annotations

import re

import pytest

from core.choices import ContactMethod
from core.models import Notification, NotificationFrequency, NotificationPreference
from core.notifications import notify
from tests.accounts.test_sign_in_and_mfa import SECRET
from tests.browser.conftest import assert_accessible, sign_in
from tests.core.factories import linked_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_lay_partner_opens_a_new_notification_and_chooses_a_weekly_summary(page, wessex):
    partner = linked_partner(wessex, with_login=True, email="amira@example.org", full_name="Amira Khan")
    notify(
        kind="reminders.unclaimed",
        subject=partner,
        partner=partner,
        organisation=wessex,
        title="You can claim for Designing the discharge leaflet",
        body="You took part in Designing the discharge leaflet on Monday 2 November 2026.",
    )
    sign_in(page, partner.user.email)
    page.goto("/notifications/")
    assert page.locator("h1").inner_text() == "Notifications"
    item = page.get_by_role("link", name=re.compile("You can claim for Designing the discharge leaflet"))
    assert page.locator(".nhsuk-tag", has_text="New").count() == 1
    assert_accessible(page)

    item.click()
    assert page.locator("h1").inner_text() == "You can claim for Designing the discharge leaflet"
    assert page.get_by_text("on Monday 2 November 2026").is_visible()
    assert_accessible(page)
    assert Notification.objects.get().read_at is not None

    page.get_by_role("link", name="Choose which messages we send you and how often").click()
    assert page.locator("h1").inner_text() == "Your message choices"
    assert_accessible(page)
    page.get_by_role("group", name="Reminders to claim your payment").get_by_label("In a weekly summary").check()
    page.get_by_role("button", name="Save my choices").click()
    assert page.get_by_text("Your choices are saved.").is_visible()
    assert_accessible(page)
    saved = NotificationPreference.objects.get(user=partner.user, group="claim_reminders")
    assert saved.frequency == NotificationFrequency.WEEKLY

    page.goto("/notifications/")
    assert page.locator(".nhsuk-tag", has_text="New").count() == 0


def test_preferences_page_works_on_a_phone(phone_page, wessex):
    partner = linked_partner(wessex, with_login=True, email="ben@example.org")
    sign_in(phone_page, partner.user.email)
    phone_page.goto("/notifications/preferences/")
    assert phone_page.locator("h1").inner_text() == "Your message choices"
    assert_accessible(phone_page)


def test_lead_marks_a_text_message_as_sent_by_hand_and_sees_failed_messages(page, wessex, lead):
    partner = linked_partner(wessex, full_name="Bob Jones", phone="07700 900123", contact_methods=[ContactMethod.TEXT])
    queued, _ = notify(
        kind="involvement.outcome_recorded",
        subject=partner,
        partner=partner,
        organisation=wessex,
        title="What changed after the workshop",
        body="We rewrote the leaflet because of what you told us.",
    )
    Notification.objects.filter(pk=queued.pk).update(status=Notification.Status.MANUAL)
    sign_in(page, lead.email, totp_secret=SECRET)
    page.wait_for_url(re.compile(r".*/$"))
    page.goto("/notifications/")
    page.get_by_role("link", name="Messages to send by hand").click()
    assert page.locator("h1").inner_text() == "Messages to send by hand"
    assert page.get_by_text("07700 900123").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Mark as sent")).click()
    assert page.get_by_text("Marked as sent to Bob Jones.").is_visible()
    assert page.get_by_text("There are no messages to send by hand.").is_visible()
    assert_accessible(page)

    Notification.objects.filter(pk=queued.pk).update(status=Notification.Status.FAILED, last_error="Bounced")
    page.goto("/notifications/failed/")
    assert page.locator("h1").inner_text() == "Messages that could not be sent"
    assert page.get_by_role("button", name=re.compile("Try again")).is_visible()
    assert_accessible(page)

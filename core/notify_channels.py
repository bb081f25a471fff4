"""Text messages and letters through GOV.UK Notify, when an API key is configured."""

from __future__ import annotations

from django.conf import settings
from notifications_python_client import notifications

from core.models import Notification


def send_other_channel(notification: Notification) -> bool:
    """Send by text or letter through GOV.UK Notify. False means a person must send it by hand."""
    api_key = getattr(settings, "GOVUK_NOTIFY_API_KEY", "")
    if not api_key or notification.channel == Notification.Channel.PHONE or notification.partner is None:
        return False

    client = notifications.NotificationsAPIClient(api_key)  # looked up when sending (tests stand in for it)
    personalisation = {"title": notification.title, "body": notification.text_for_recipient}
    if notification.channel == Notification.Channel.TEXT:
        client.send_sms_notification(
            phone_number=notification.partner.phone,
            template_id=settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID,
            personalisation=personalisation,
            reference=f"notification-{notification.pk}",
        )
        return True
    if notification.channel == Notification.Channel.LETTER:
        lines = [
            notification.partner.full_name,
            *notification.partner.address.splitlines(),
            notification.partner.postcode,
        ]
        address = {f"address_line_{i + 1}": line for i, line in enumerate([x for x in lines if x][:7])}
        client.send_letter_notification(
            template_id=settings.GOVUK_NOTIFY_LETTER_TEMPLATE_ID,
            personalisation={**address, **personalisation},
            reference=f"notification-{notification.pk}",
        )
        return True
    return False

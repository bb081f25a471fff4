"""Delivering a notification exactly once: claim it with a conditional update, then send."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import Notification

logger = logging.getLogger(__name__)

# A notification claimed this long ago but never finished was lost with its worker.
STALE_CLAIM = timedelta(minutes=15)


class DeliveryFailed(Exception):
    pass


def claim(notification_id: int) -> Notification | None:
    """Mark the notification as being sent, unless someone else has it or it is done."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(status__in=[Notification.Status.PENDING, Notification.Status.FAILED])
        | Q(status=Notification.Status.SENDING, claimed_at__lt=now - STALE_CLAIM),
        pk=notification_id,
    ).update(status=Notification.Status.SENDING, claimed_at=now, attempts=models_F_attempts_plus_one())
    if not claimed:
        return None
    return Notification.objects.select_related("user", "partner").get(pk=notification_id)


def models_F_attempts_plus_one():  # noqa: N802 - reads like the SQL it makes
    from django.db.models import F

    return F("attempts") + 1


def recipient_email(notification: Notification) -> str:
    if notification.partner is not None and notification.partner.email:
        return notification.partner.email
    if notification.user is not None:
        return notification.user.email
    return ""


def send_email(notification: Notification) -> None:
    to = recipient_email(notification)
    if not to:
        raise DeliveryFailed("No email address")
    context = {"notification": notification, "site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME}
    large_print = bool(notification.partner and "large_print" in (notification.partner.communication_needs or []))
    context["large_print"] = large_print
    text = render_to_string("core/email/notification.txt", context)
    html = render_to_string("core/email/notification.html", context)
    message = EmailMultiAlternatives(subject=notification.title, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def deliver(notification_id: int) -> str:
    """Deliver one notification. Returns the final status; raises DeliveryFailed to retry."""
    notification = claim(notification_id)
    if notification is None:
        return "already-claimed"
    try:
        if notification.channel == Notification.Channel.EMAIL:
            send_email(notification)
        else:
            # Text, letter and phone go through GOV.UK Notify when configured; otherwise staff
            # send them by hand from the "messages to send" page. Never silently dropped.
            from core.notify_channels import send_other_channel

            if not send_other_channel(notification):
                Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.MANUAL)
                return Notification.Status.MANUAL
    except Exception as exc:
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED, last_error=type(exc).__name__[:300]
        )
        logger.warning("notification delivery failed", extra={"notification_id": notification.pk, "kind": notification.kind})
        raise DeliveryFailed(str(type(exc).__name__)) from exc
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT, delivered_at=timezone.now(), last_error=""
    )
    return Notification.Status.SENT

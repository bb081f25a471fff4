"""Delivering a notification exactly once: claim it with a conditional update, then send.

`deliver(id)` is what the Celery task runs. The claim is one `UPDATE … WHERE status IN
(pending, failed)` (or a claim so old its worker must have died), so two workers given the same
id send it once. Staff services for the two staff pages live here too: `retry_failed` and
`mark_sent_by_hand`."""

from __future__ import annotations

import logging
import operator
from datetime import timedelta
from functools import reduce
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import CharField, F, Q
from django.db.models.functions import Cast
from django.template.loader import render_to_string, select_template
from django.utils import timezone

from accounts.typing import AnyUser
from core.audit import log_action
from core.models import Notification
from core.notifications import queue_delivery
from core.notify_channels import send_other_channel

logger = logging.getLogger(__name__)

# A notification claimed this long ago but never finished was lost with its worker (killed, or the
# machine restarted). Longer than any delivery takes: an email gives up after EMAIL_TIMEOUT (20 s
# per step), GOV.UK Notify's client after 30 s, and core.tasks stops a delivery at 2 minutes; a
# shorter wait could send a slow message twice, a longer one keeps people waiting.
STALE_CLAIM = timedelta(minutes=5)
# A pending notification this old never had its delivery queued: the broker was down when the
# change was saved, or the process died at commit. Beat runs the requeue every minute, so such a
# message goes out within about three minutes of the broker coming back. Queuing one twice is
# harmless: `claim` lets one worker have it.
STALE_PENDING = timedelta(minutes=2)
PREFERENCES_PATH = "/notifications/preferences/"


class DeliveryFailed(Exception):
    pass


class NotificationError(Exception):
    """A staff action on a message that its current state does not allow."""


def claim(notification_id: int) -> Notification | None:
    """Mark the notification as being sent, unless someone else has it or it is done."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(status__in=[Notification.Status.PENDING, Notification.Status.FAILED])
        | Q(status=Notification.Status.SENDING, claimed_at__lt=now - STALE_CLAIM),
        pk=notification_id,
    ).update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Notification.objects.select_related("user", "partner").get(pk=notification_id)


def recipient_email(notification: Notification) -> str:
    if notification.partner is not None and notification.partner.email:
        return notification.partner.email
    if notification.user is not None:
        return notification.user.email
    return ""


def _needs(notification: Notification) -> list[str]:
    return list(notification.partner.communication_needs or []) if notification.partner is not None else []


def email_templates(notification: Notification, extension: str) -> list[str]:
    """Most specific first: this kind's easy read version, this kind, then the general ones."""
    easy_read = "easy_read" in _needs(notification)
    app, _, name = notification.kind.partition(".")
    candidates: list[str] = []
    for suffix in ["_easy_read", ""] if easy_read else [""]:
        candidates += [f"core/email/{notification.kind}{suffix}.{extension}", f"{app}/email/{name}{suffix}.{extension}"]
    if easy_read:
        candidates.append(f"core/email/notification_easy_read.{extension}")
    candidates.append(f"core/email/notification.{extension}")
    return candidates


def render_notification_email(notification: Notification) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for one notification, in the person's template variant."""
    needs = _needs(notification)
    context: dict[str, Any] = {
        "notification": notification,
        "text": notification.text_for_recipient,
        "recipient_name": notification.recipient_name,
        "site_url": settings.SITE_URL.rstrip("/"),
        "service_name": settings.SERVICE_NAME,
        "preferences_url": settings.SITE_URL.rstrip("/") + PREFERENCES_PATH,
        "large_print": "large_print" in needs,
        "easy_read": "easy_read" in needs,
    }
    text = select_template(email_templates(notification, "txt")).render(context)
    html = select_template(email_templates(notification, "html")).render(context)
    return notification.title, text, html


def send_email(notification: Notification) -> None:
    if is_prepared_email(notification):
        # Written in full when it was saved (core.emails), to an address rather than an account.
        if not notification.email:
            raise DeliveryFailed("No email address")
        EmailMultiAlternatives(subject=notification.title, body=notification.body, to=[notification.email]).send()
        return
    to = recipient_email(notification)
    if not to:
        raise DeliveryFailed("No email address")
    subject, text, html = render_notification_email(notification)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


# Emails written in full when saved (invitations and other messages to an address): core.emails.
PREPARED_EMAIL_KIND_PREFIX = "email."
PREPARED_EMAIL_SENT_NOTE = "Sent. The words are not kept once sent: they can hold a link that signs someone up."


def is_prepared_email(notification: Notification) -> bool:
    return notification.kind.startswith(PREPARED_EMAIL_KIND_PREFIX)


# Reminders before something that may be cancelled after the reminder was created (while its
# delivery waited or was being retried): {kind: (subject model label, the status that means cancelled)}.
CANCELLABLE_REMINDERS = {
    "reminders.activity_upcoming": ("involvement.activity", "cancelled"),
    "reminders.meeting_upcoming": ("forum.meeting", "cancelled"),
}
CANCELLED_NOTE = "Not sent: the activity or meeting was cancelled before the reminder went out."


def subject_cancelled(notification: Notification) -> bool:
    """True if this is a reminder before an activity or meeting that has since been cancelled."""

    found = CANCELLABLE_REMINDERS.get(notification.kind)
    if found is None or notification.subject_type != found[0]:
        return False
    model = apps.get_model(found[0])
    return bool(model._default_manager.filter(pk=notification.subject_id, status=found[1]).exists())


def cancelled_reminders() -> Q:
    """The same rule as `subject_cancelled`, for a whole queryset at once: reminders whose activity
    or meeting is now cancelled. A filter with one subquery per kind (no extra query, none per row),
    answered from the unique index (kind, subject_type, subject_id, …)."""

    parts = []
    for kind, (label, cancelled_status) in CANCELLABLE_REMINDERS.items():
        cancelled_ids = (
            apps.get_model(label)
            ._default_manager.filter(status=cancelled_status)
            .annotate(subject_key=Cast("pk", CharField()))
            .values("subject_key")
        )
        parts.append(Q(kind=kind, subject_type=label, subject_id__in=cancelled_ids))
    return reduce(operator.or_, parts)


# Where a reminder can be waiting after its activity or meeting is cancelled: held for the weekly
# summary, on the "messages to send" page, or on the failed messages page. (Pending ones are
# checked by `deliver` when their task runs.)
WAITING_STATUSES = (Notification.Status.HELD, Notification.Status.MANUAL, Notification.Status.FAILED)


def skip_cancelled_reminders(*, statuses: tuple[str, ...] = WAITING_STATUSES) -> int:
    """Mark every waiting reminder for a cancelled activity or meeting "not sent", in one UPDATE.
    Returns how many. Run by the reminder sweeps and the weekly summary."""
    return Notification.objects.filter(cancelled_reminders(), status__in=statuses).update(
        status=Notification.Status.SKIPPED, last_error=CANCELLED_NOTE
    )


def deliver(notification_id: int) -> str:
    """Deliver one notification. Returns the final status; raises DeliveryFailed to retry."""
    notification = claim(notification_id)
    if notification is None:
        return "already-claimed"
    if subject_cancelled(notification):
        # The people taking part were told about the cancellation (an essential message); a
        # reminder to come would now be wrong.
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.SKIPPED, last_error=CANCELLED_NOTE
        )
        return Notification.Status.SKIPPED
    try:
        if notification.channel == Notification.Channel.EMAIL:
            send_email(notification)
        else:
            # Text, letter and phone go through GOV.UK Notify when configured; otherwise staff
            # send them by hand from the "messages to send" page. Never silently dropped.
            if not send_other_channel(notification):
                Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.MANUAL)
                return Notification.Status.MANUAL
    except Exception as exc:
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        logger.warning(
            "notification delivery failed",
            extra={"notification_id": notification.pk, "kind": notification.kind, "attempts": notification.attempts},
        )
        raise DeliveryFailed(type(exc).__name__) from exc
    sent: dict[str, Any] = {"status": Notification.Status.SENT, "delivered_at": timezone.now(), "last_error": ""}
    if is_prepared_email(notification):
        sent["body"] = PREPARED_EMAIL_SENT_NOTE
    Notification.objects.filter(pk=notification.pk).update(**sent)
    return Notification.Status.SENT


def stale_notification_ids(*, now: Any = None) -> list[int]:
    """Messages whose delivery was lost: pending with no task, or claimed by a worker that died."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            Q(status=Notification.Status.PENDING, created_at__lt=now - STALE_PENDING)
            | Q(status=Notification.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("id")
        .values_list("id", flat=True)[:5000]
    )


# --- Staff actions ---------------------------------------------------------------------------


def retry_failed(*, notification: Notification, actor: AnyUser) -> None:
    """Put a failed message back in the queue and send it again after commit."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status != Notification.Status.FAILED:
            raise NotificationError("This message is not waiting for a retry. It may have been sent already.")
        Notification.objects.filter(pk=locked.pk).update(status=Notification.Status.PENDING)
        log_action(
            actor=actor,
            action="core.notification.retry",
            target=locked,
            organisation=locked.organisation,
            data={"kind": locked.kind, "attempts": locked.attempts},
        )

        queue_delivery([locked.pk])


def mark_sent_by_hand(*, notification: Notification, actor: AnyUser) -> None:
    """Record that a member of staff passed a queued message on by phone, text or post."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status != Notification.Status.MANUAL:
            raise NotificationError("This message is not waiting to be sent by hand. Someone may have sent it.")
        Notification.objects.filter(pk=locked.pk).update(
            status=Notification.Status.SENT_BY_HAND, delivered_at=timezone.now()
        )
        log_action(
            actor=actor,
            action="core.notification.sent_by_hand",
            target=locked,
            organisation=locked.organisation,
            data={"kind": locked.kind, "channel": locked.channel},
        )


def render_email_preview(notification: Notification) -> str:
    """The plain-text words as the person would get them (for staff sending by hand)."""
    return render_to_string(
        "core/email/notification.txt",
        {
            "notification": notification,
            "text": notification.text_for_recipient,
            "recipient_name": notification.recipient_name,
            "site_url": settings.SITE_URL.rstrip("/"),
            "service_name": settings.SERVICE_NAME,
            "preferences_url": settings.SITE_URL.rstrip("/") + PREFERENCES_PATH,
        },
    )

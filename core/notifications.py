"""The one notification mechanism every app uses.

    notify(kind="payments.claim_returned", subject=claim, user=partner.user, partner=partner,
           title="Your claim needs a change", body="...", url="/claims/12/", essential=True)

creates (at most once per kind, subject, recipient and occurrence) a `Notification` inside the
caller's transaction, and after commit queues a Celery task that delivers it by the person's
channel. Everyone signed in also sees it on their notifications page."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from core.models import Notification


def _recipient_key(user: Any | None, partner: Any | None) -> str:
    if partner is not None:
        return f"p:{partner.pk}"
    if user is not None:
        return f"u:{user.pk}"
    raise ValueError("A notification needs a recipient.")


def choose_channel(*, user: Any | None, partner: Any | None) -> str:
    """Email for staff; for lay partners, the first way they asked to be contacted."""
    from core.choices import ContactMethod

    if partner is not None:
        methods = list(partner.contact_methods or [])
        has_email = bool(partner.email or (user is not None and user.email))
        for method in methods:
            if method == ContactMethod.EMAIL and has_email:
                return Notification.Channel.EMAIL
            if method == ContactMethod.TEXT and partner.phone:
                return Notification.Channel.TEXT
            if method == ContactMethod.POST and partner.address:
                return Notification.Channel.LETTER
            if method == ContactMethod.PHONE and partner.phone:
                return Notification.Channel.PHONE
        if has_email:
            return Notification.Channel.EMAIL
        return Notification.Channel.PHONE if partner.phone else Notification.Channel.PORTAL
    if user is not None and user.email:
        return Notification.Channel.EMAIL
    return Notification.Channel.PORTAL


def notify(
    *,
    kind: str,
    subject: models.Model,
    title: str,
    body: str,
    user: Any | None = None,
    partner: Any | None = None,
    organisation: Any | None = None,
    url: str = "",
    occurrence: str = "",
    essential: bool = False,
) -> tuple[Notification, bool]:
    """Create the notification once; returns (notification, created). Delivery runs after commit."""
    if partner is not None and user is None:
        user = partner.user
    key = {
        "kind": kind,
        "subject_type": subject._meta.label_lower,
        "subject_id": str(subject.pk),
        "recipient_key": _recipient_key(user, partner),
        "occurrence": occurrence,
    }
    existing = Notification.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    channel = choose_channel(user=user, partner=partner)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                **key,
                user=user,
                partner=partner,
                organisation=organisation,
                title=title[:200],
                body=body,
                url=url,
                essential=essential,
                channel=channel,
                status=Notification.Status.SKIPPED if channel == Notification.Channel.PORTAL else Notification.Status.PENDING,
            )
    except IntegrityError:
        # Another worker created the same notification a moment ago.
        return Notification.objects.get(**key), False
    if notification.status == Notification.Status.PENDING:
        from core.tasks import deliver_notification

        pk = notification.pk
        transaction.on_commit(lambda: deliver_notification.delay(pk))
    return notification, True

"""The weekly summary: one message per person listing what was held for it that week.

The summary is itself a notification (kind `core.weekly_digest`, subject the person, occurrence
the date), so it goes by the person's channel and is created once however often this runs.
Held messages are marked "sent in a weekly summary" only for the people whose summary was
created by this run. A held reminder before an activity or meeting that has since been cancelled
is left out and marked "not sent" (one UPDATE for all of them, before the held ones are read)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.delivery import skip_cancelled_reminders
from core.formatting import date_text
from core.models import Notification
from core.notifications import Draft, Recipient, create_notifications

DIGEST_KIND = "core.weekly_digest"


def send_weekly_digests(*, now: datetime | None = None) -> int:
    """Create this week's summaries; returns how many were created."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        skip_cancelled_reminders(statuses=(Notification.Status.HELD,))
        held = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(status=Notification.Status.HELD, created_at__lte=now)
            .select_related("user", "partner")
            .order_by("recipient_key", "created_at", "id")
        )
        by_recipient: dict[str, list[Notification]] = defaultdict(list)
        for notification in held:
            by_recipient[notification.recipient_key].append(notification)
        drafts = [_draft(items, today.isoformat()) for items in by_recipient.values()]
        created = create_notifications(drafts)
        if not created:
            return 0
        created_keys = set(
            Notification.objects.filter(pk__in=[pk for pk, _ in created]).values_list("recipient_key", flat=True)
        )
        Notification.objects.filter(pk__in=[n.pk for n in held if n.recipient_key in created_keys]).update(
            status=Notification.Status.DIGESTED, delivered_at=now
        )
    return len(created)


def _draft(items: list[Notification], occurrence: str) -> Draft:
    first = items[0]
    partner = first.partner
    user = first.user
    if partner is not None:
        recipient = Recipient(
            user_id=first.user_id,
            partner_id=partner.pk,
            user_email=user.email if user is not None else "",
            partner_email=partner.email,
            phone=partner.phone,
            address=partner.address,
            contact_methods=tuple(partner.contact_methods or ()),
            communication_needs=tuple(partner.communication_needs or ()),
        )
        name = partner.display_name
        subject_type, subject_id = "partners.laypartner", str(partner.pk)
    else:
        assert user is not None
        recipient = Recipient(user_id=user.pk, user_email=user.email)
        name = user.get_full_name()
        subject_type, subject_id = "accounts.user", str(user.pk)
    count = len(items)
    lines = []
    for item in items:
        lines.append(f"- {item.title} ({date_text(item.created_at)})")
    body = "\n\n".join(
        [
            f"Hello {name}," if name else "Hello,",
            f"Here {'is' if count == 1 else 'are'} the {count} message{'s' if count != 1 else ''} "
            "we kept for your weekly summary:",
            "\n".join(lines),
            "You can read each one in full on your notifications page.",
        ]
    )
    return Draft(
        kind=DIGEST_KIND,
        subject_type=subject_type,
        subject_id=subject_id,
        recipient=recipient,
        occurrence=occurrence,
        organisation_id=first.organisation_id,
        title=f"Your weekly summary: {count} message{'s' if count != 1 else ''}",
        body=body,
        url="/notifications/",
        essential=True,
        extra={"items": [item.pk for item in items]},
    )

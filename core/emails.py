"""Emails to an address, sent through the notification log like every other message.

`send_email_on_commit` renders the email now and saves it as a `Notification` in the caller's
transaction (nothing is saved or sent if that rolls back). After commit a Celery task delivers it,
with the same retries, requeue after a broker outage, and "failed messages" page as every other
notification. Used for invitations and other messages to people who may have no account yet.
The words are dropped from the row once sent, because an invitation's words hold its sign-up link.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from core.delivery import PREPARED_EMAIL_KIND_PREFIX
from core.models import Notification
from core.notifications import queue_delivery


def render_email(template_prefix: str, context: dict[str, Any]) -> tuple[str, str, str | None]:
    """Render `<prefix>_subject.txt`, `<prefix>.txt` and (if present) `<prefix>.html`."""
    ctx = {"site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", ctx).split())
    text = render_to_string(f"{template_prefix}.txt", ctx)
    try:
        html: str | None = render_to_string(f"{template_prefix}.html", ctx)
    except Exception:
        html = None
    return subject, text, html


def prepared_email_kind(template_prefix: str) -> str:
    """`accounts/email/invitation` -> `email.accounts.invitation`."""
    return PREPARED_EMAIL_KIND_PREFIX + template_prefix.replace("/email/", "/").replace("/", ".")


def send_email_on_commit(
    *, to: str, template_prefix: str, context: dict[str, Any], organisation: Any | None = None
) -> Notification:
    """Save the email as a pending notification now; a worker sends it once the transaction commits.

    `organisation` (default: the context's) is whose staff see it on the failed messages page."""
    subject, text, _html = render_email(template_prefix, context)
    if organisation is None:
        organisation = context.get("organisation")
    notification = Notification.objects.create(
        kind=prepared_email_kind(template_prefix)[:80],
        subject_type="core.email",
        subject_id=uuid.uuid4().hex,
        recipient_key="e:" + hashlib.sha256(to.strip().lower().encode()).hexdigest()[:32],
        email=to.strip(),
        organisation=organisation,
        title=subject[:200],
        body=text,
        essential=True,
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.PENDING,
    )
    queue_delivery([notification.pk])
    return notification

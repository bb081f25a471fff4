"""Sending email from templates, always after the surrounding transaction commits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


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


def send_email_now(*, to: str, template_prefix: str, context: dict[str, Any]) -> None:
    subject, text, html = render_email(template_prefix, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def send_email_on_commit(*, to: str, template_prefix: str, context: dict[str, Any]) -> None:
    """Queue an email to go once the current transaction commits (never for a rolled-back change)."""
    transaction.on_commit(lambda: send_email_now(to=to, template_prefix=template_prefix, context=context))

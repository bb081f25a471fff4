"""Writing the audit log. Services call `log_action` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from core.models import AuditEntry


def log_action(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    organisation: Any | None = None,
    data: dict[str, Any] | None = None,
    on_behalf_of: str = "",
) -> AuditEntry:
    """Record that `actor` did `action` (for example "accounts.membership.created") to `target`."""
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_label = str(target)[:255]
    return AuditEntry.objects.create(
        actor=actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        action=action,
        organisation=organisation,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        data=data or {},
        on_behalf_of=on_behalf_of,
    )

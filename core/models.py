"""Cross-cutting models: the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEntry(models.Model):
    """Who did what to which record, when. Written by services through `core.audit.log_action`.

    Append-only three times over: this model refuses updates and deletes, the admin offers
    neither, and a database trigger (migration 0002) rejects UPDATE and DELETE outright.
    `data` holds identifiers and changed values, never equality answers or contact details."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for actions taken by the system (for example a scheduled task).",
    )
    on_behalf_of = models.CharField(
        max_length=100,
        blank=True,
        help_text="Reference of the person an action was done for (assisted digital), if any.",
    )
    action = models.CharField(max_length=100, db_index=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="audit_org_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")


class Notification(models.Model):
    """One message to one person about one thing, once.

    The unique key (kind, subject, recipient, occurrence) is what makes a retried or doubly
    fired task harmless: creating the same notification twice finds the first one."""

    class Channel(models.TextChoices):
        PORTAL = "portal", "In the portal only"
        EMAIL = "email", "Email"
        TEXT = "text", "Text message"
        LETTER = "letter", "Letter"
        PHONE = "phone", "Phone call by staff"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        MANUAL = "manual", "Waiting for staff to send by hand"
        SENT_BY_HAND = "sent_by_hand", "Sent by hand by staff"
        SKIPPED = "skipped", "Not sent (preference)"

    kind = models.CharField(max_length=80)
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    recipient_key = models.CharField(max_length=40, help_text="u:<user id> or p:<lay partner id>")
    occurrence = models.CharField(max_length=100, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    partner = models.ForeignKey(
        "partners.LayPartner", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    essential = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "recipient_key", "occurrence"],
                name="notification_once_per_occurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["status", "channel"], name="notification_delivery"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_key}"

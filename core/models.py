"""Cross-cutting models: the append-only audit log, notifications and reminder settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.formatting import datetime_text


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
        return f"{datetime_text(self.created_at)} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    @property
    def description(self) -> str:
        """What happened, in plain English (core.audit)."""
        from core.audit import describe_action  # noqa: PLC0415 -- core.audit imports this module's AuditEntry

        return describe_action(self.action)


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
        HELD = "held", "Held for the weekly summary"
        DIGESTED = "digested", "Sent in a weekly summary"

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
    email = models.EmailField(
        blank=True,
        db_default="",
        help_text="For an email to an address rather than a person with an account (an invitation).",
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    easy_read_body = models.TextField(
        blank=True, help_text="Short sentences for people who asked for easy read. Empty: the body is used."
    )
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
            models.Index(fields=["organisation", "status", "-created_at"], name="notification_org_status"),
            models.Index(fields=["user", "-created_at"], name="notification_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_key}"

    @property
    def recipient_name(self) -> str:
        if self.partner is not None:
            return self.partner.display_name
        if self.user is not None:
            return self.user.get_full_name()
        return self.email

    @property
    def text_for_recipient(self) -> str:
        """The words this person gets: the easy read version when they asked for easy read."""
        needs = self.partner.communication_needs if self.partner is not None else []
        if self.easy_read_body and "easy_read" in (needs or []):
            return self.easy_read_body
        return self.body


class NotificationFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Straight away"
    WEEKLY = "weekly", "In a weekly summary"
    NEVER = "never", "Do not send me these"


class NotificationPreference(models.Model):
    """How often one person wants one group of non-essential messages.

    Set by a signed-in person (`user`) or, for a lay partner without a login, by staff for them
    (`partner`). With no row, messages go straight away. Essential messages ignore this."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        "partners.LayPartner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.CharField(max_length=40)
    frequency = models.CharField(max_length=15, choices=NotificationFrequency.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, partner__isnull=True)
                | models.Q(user__isnull=True, partner__isnull=False),
                name="notificationpreference_one_owner",
            ),
            models.UniqueConstraint(
                fields=["user", "group"], condition=models.Q(user__isnull=False), name="notificationpreference_user"
            ),
            models.UniqueConstraint(
                fields=["partner", "group"],
                condition=models.Q(partner__isnull=False),
                name="notificationpreference_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.get_frequency_display()}"


class ReminderSettings(models.Model):
    """Times and thresholds for the scheduled reminders. One row, edited by network admins."""

    activity_reminder_hours = models.PositiveIntegerField(
        "remind participants this many hours before an activity or meeting", default=48
    )
    unclaimed_after_days = models.PositiveIntegerField(
        "remind lay partners to claim this many days after they took part", default=7
    )
    claim_deadline_warning_days = models.PositiveIntegerField(
        "remind lay partners this many days before the claim deadline", default=14
    )
    lead_digest_after_days = models.PositiveIntegerField(
        "tell involvement leads about claims waiting for approval longer than (days)", default=5
    )
    finance_digest_after_days = models.PositiveIntegerField(
        "tell finance about approved claims unpaid longer than (days)", default=5
    )
    notes_first_reminder_days = models.PositiveIntegerField(
        "first reminder to co-chairs about unpublished notes (days after the meeting)", default=3
    )
    notes_second_reminder_days = models.PositiveIntegerField(
        "second reminder to co-chairs about unpublished notes (days after the meeting)", default=7
    )
    outcome_after_days = models.PositiveIntegerField(
        "remind activity leads to record an outcome this many days after a completed activity", default=14
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="remindersettings_single_row")]

    def __str__(self) -> str:
        return "Reminder settings"

    @classmethod
    def load(cls) -> ReminderSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


class SweepRun(models.Model):
    """When an incremental reminder sweep last ran, so the next run looks only at what changed
    since (see `core.reminders.base.run_sweeps`). Written only by the sweep runner."""

    kind = models.CharField(max_length=60, primary_key=True)
    ran_at = models.DateTimeField(help_text="The `now` of the last run that finished.")
    settings_at = models.DateTimeField(help_text="When the reminder settings it ran with were last changed.")

    def __str__(self) -> str:
        return f"{self.kind}: ran {self.ran_at:%Y-%m-%d %H:%M}"


class Submission(models.Model):
    """A form that creates something was sent with this one-time token (see core.idempotency).

    The row is written in the same transaction as the thing it made, so a token is used up only
    when that thing was really saved; a second send of the same form finds the row and is pointed
    at what the first one made."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    made_type = models.CharField(max_length=100, blank=True)
    made_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Form sent {self.created_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A person's private calendar link (core.calendar): only the token's hash is kept.

    Making a new link replaces the hash, so the old address stops working at once; turning the link
    off deletes the row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar link made {self.created_at:%Y-%m-%d}"

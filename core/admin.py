from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.forms import ReminderSettingsForm
from core.models import AuditEntry, Notification, NotificationPreference, ReminderSettings


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched here but never changed or deleted."""

    list_display = ("created_at", "action", "actor", "organisation", "target_label")
    list_filter = ("organisation",)
    search_fields = ("action", "target_label")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Notifications and reminders ------------------------------------------------------------------


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    """The one row of reminder thresholds. The times the sweeps run are under "Periodic tasks"."""

    form = ReminderSettingsForm

    fieldsets = (
        ("Before an activity or meeting", {"fields": ("activity_reminder_hours",)}),
        ("Lay partners' claims", {"fields": ("unclaimed_after_days", "claim_deadline_warning_days")}),
        ("Claims waiting for staff", {"fields": ("lead_digest_after_days", "finance_digest_after_days")}),
        ("Forums", {"fields": ("notes_first_reminder_days", "notes_second_reminder_days")}),
        ("Outcomes", {"fields": ("outcome_after_days",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReminderSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: messages are created by the portal and changed only by delivery and staff pages."""

    list_display = ("created_at", "kind", "recipient_key", "channel", "status", "attempts")
    list_filter = ("status", "channel", "kind")
    search_fields = ("kind", "recipient_key", "title")
    date_hierarchy = "created_at"
    exclude = ("body", "easy_read_body")  # personal messages: read them in the portal, not here

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "partner", "group", "frequency", "updated_at")
    list_filter = ("group", "frequency")
    raw_id_fields = ("user", "partner")

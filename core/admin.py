from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import AuditEntry


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

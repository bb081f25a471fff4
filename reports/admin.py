from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from reports.models import QuarterlyReport


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(admin.ModelAdmin):
    """Read-only: a report version is changed only by the compile and publish services."""

    list_display = ("scope", "quarter", "version", "status", "compiled_by", "started_at", "published_at")
    list_filter = ("status", "scope")
    search_fields = ("quarter", "scope__name")
    readonly_fields = [f.name for f in QuarterlyReport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: QuarterlyReport | None = None) -> bool:
        return False

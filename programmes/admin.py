from django.contrib import admin

from programmes.models import Programme, StrategyPriority


@admin.register(StrategyPriority)
class StrategyPriorityAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "theme", "strategy", "active")
    list_filter = ("strategy", "active")
    ordering = ("strategy", "order")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "programme_type", "innovation_stage", "status")
    list_filter = ("organisation", "programme_type", "status")
    search_fields = ("name",)
    raw_id_fields = ("lead", "created_by")
    filter_horizontal = ("priorities", "shared_with")

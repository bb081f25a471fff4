from django.contrib import admin

from involvement.models import Activity, Feedback, Outcome, Participation


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    raw_id_fields = ("partner",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "programme", "starts_at", "method", "level", "status")
    list_filter = ("organisation", "status", "level", "method")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    raw_id_fields = ("programme", "lead", "created_by")
    inlines = [ParticipationInline]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "status", "decided_on", "shareable")
    list_filter = ("organisation", "status", "shareable")
    raw_id_fields = ("activity", "programme", "recorded_by")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("participation", "listened_to", "role_clear", "support_right", "take_part_again", "submitted_at")
    raw_id_fields = ("participation",)

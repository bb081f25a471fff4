from django.contrib import admin
from django.http import HttpRequest

from forum.models import Action, AgendaItem, Decision, Forum, ForumMember, Meeting, MeetingNotes, NotesApproval


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "is_public")
    list_filter = ("is_public", "organisation")
    search_fields = ("name", "slug")


@admin.register(ForumMember)
class ForumMemberAdmin(admin.ModelAdmin):
    list_display = ("forum", "user", "partner", "role", "joined_on", "left_on")
    list_filter = ("role", "forum")
    raw_id_fields = ("user", "partner")
    exclude = ("calendar_token_hash",)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "forum", "starts_at", "status")
    list_filter = ("status", "forum")
    inlines = [AgendaItemInline]


@admin.register(MeetingNotes)
class MeetingNotesAdmin(admin.ModelAdmin):
    """Read-only here: notes change only through the portal, so every change is versioned and audited."""

    list_display = ("meeting", "status", "version", "published_at")
    list_filter = ("status",)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(NotesApproval)
class NotesApprovalAdmin(admin.ModelAdmin):
    list_display = ("notes", "member", "version", "approved_at")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.register(Action)
admin.site.register(Decision)

"""Admin for lay partner records. Equality monitoring answers are deliberately not registered:
they are never shown per person to anyone but the partner themselves."""

from django.contrib import admin

from partners.models import ConsentRecord, LayPartner, PartnerApplication, PartnerInvitation, PartnerLink


class PartnerLinkInline(admin.TabularInline):
    model = PartnerLink
    extra = 0
    autocomplete_fields = ()


@admin.register(LayPartner)
class LayPartnerAdmin(admin.ModelAdmin):
    list_display = ("reference", "full_name", "is_assisted_digital", "anonymised")
    list_filter = ("is_assisted_digital", "anonymised")
    search_fields = ("reference", "full_name", "preferred_name", "email")
    readonly_fields = ("reference", "created_at", "updated_at", "left_at")
    raw_id_fields = ("user",)
    inlines = (PartnerLinkInline,)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ("partner", "kind", "given", "privacy_notice_version", "recorded_at")
    list_filter = ("kind", "given")
    raw_id_fields = ("partner", "recorded_by")


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(admin.ModelAdmin):
    list_display = ("full_name", "organisation", "status", "created_at")
    list_filter = ("status", "organisation")
    raw_id_fields = ("partner", "decided_by")


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "created_at", "expires_at", "accepted_at", "revoked_at")
    exclude = ("token_hash",)
    raw_id_fields = ("partner", "application", "invited_by")

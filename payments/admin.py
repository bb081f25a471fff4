"""Admin: read-mostly. Claims change state only through the services (and so the audit log)."""

from django.contrib import admin

from payments.models import Claim, ClaimLine, ExpenseRule, PaymentBatch, RateCard


class ExpenseRuleInline(admin.TabularInline):
    model = ExpenseRule
    extra = 0


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    list_display = ("organisation", "effective_from", "hourly_rate", "half_day_rate", "full_day_rate")
    list_filter = ("organisation",)
    inlines = [ExpenseRuleInline]

    def has_change_permission(self, request, obj=None):
        return False  # a new card is added instead; old cards are the record


class ClaimLineInline(admin.TabularInline):
    model = ClaimLine
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "participation", "amount", "rate_used", "rule_used", "query_note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("reference", "organisation", "status", "submitted_at", "paid_at")
    list_filter = ("status", "organisation")
    search_fields = ("reference", "partner__reference")
    inlines = [ClaimLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(admin.ModelAdmin):
    list_display = ("reference", "organisation", "created_at", "paid_at")
    list_filter = ("organisation",)

    def has_change_permission(self, request, obj=None):
        return False

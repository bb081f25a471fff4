"""Involvement payments and expenses: rate cards, claims, their lines and receipts, payment batches.

Money is `Decimal` everywhere (`DecimalField(max_digits=12, decimal_places=2)`). A line stores the
rate and the rule it was worked out with, so a later rate card never changes an existing claim.

A participation can be claimed at most once: `ClaimLine.participation_locked` is true while the
line's claim is alive (draft, submitted, returned, approved, paid) and a partial unique index on
`participation` where `participation_locked` makes the database refuse a second live line. When a
claim is withdrawn or rejected, its lines are kept (they are part of the record) but unlocked, so
the partner can claim for that participation again on a new claim."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q

from core.choices import PaymentPreference
from core.formatting import date_text
from core.storage import private_storage


class ExpenseCategory(models.TextChoices):
    MILEAGE = "mileage", "Mileage (using your own car)"
    PUBLIC_TRANSPORT = "public_transport", "Bus, train or tram fares"
    TAXI = "taxi", "Taxi"
    PARKING = "parking", "Parking"
    CARER = "carer", "Carer or childcare costs"
    SUBSISTENCE = "subsistence", "Food and drink (subsistence)"
    DATA = "data", "Phone or data for online sessions"
    OTHER = "other", "Something else"


class LineKind(models.TextChoices):
    FEE = "fee", "Involvement payment"
    MILEAGE = "mileage", "Mileage (using your own car)"
    PUBLIC_TRANSPORT = "public_transport", "Bus, train or tram fares"
    TAXI = "taxi", "Taxi"
    PARKING = "parking", "Parking"
    CARER = "carer", "Carer or childcare costs"
    SUBSISTENCE = "subsistence", "Food and drink (subsistence)"
    DATA = "data", "Phone or data for online sessions"
    OTHER = "other", "Something else"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    PAID = "paid", "Paid"


# States whose lines hold their participation (see the module docstring).
LIVE_STATUSES = frozenset(
    {ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.APPROVED, ClaimStatus.PAID}
)
# States in which the claimant (or staff preparing it) may change the lines.
EDITABLE_STATUSES = frozenset({ClaimStatus.DRAFT, ClaimStatus.RETURNED})


class RateCard(models.Model):
    """One AHSN's rates from a date. The card in force on a date is the latest one on or before it."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="rate_cards")
    effective_from = models.DateField("takes effect from")
    hourly_rate = models.DecimalField("hourly rate", max_digits=12, decimal_places=2)
    half_day_rate = models.DecimalField("half-day rate", max_digits=12, decimal_places=2)
    half_day_hours = models.DecimalField("hours that count as a half day", max_digits=4, decimal_places=2)
    full_day_rate = models.DecimalField("full-day rate", max_digits=12, decimal_places=2)
    full_day_hours = models.DecimalField("hours that count as a full day", max_digits=4, decimal_places=2)
    mileage_rate_per_mile = models.DecimalField("mileage rate per mile", max_digits=6, decimal_places=2)
    claim_deadline_days = models.PositiveIntegerField("days to claim after the activity")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "effective_from"], name="ratecard_one_per_day"),
            models.CheckConstraint(
                condition=Q(half_day_hours__gt=0) & Q(full_day_hours__gt=models.F("half_day_hours")),
                name="ratecard_day_hours_make_sense",
            ),
        ]

    def __str__(self) -> str:
        return f"Rates from {date_text(self.effective_from)}"

    def rule_for(self, category: str) -> ExpenseRule | None:
        for rule in self.expense_rules.all():
            if rule.category == category:
                return rule
        return None


class ExpenseRule(models.Model):
    """Whether a category needs a receipt (always, or above an amount) and its cap per line."""

    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="expense_rules")
    category = models.CharField(max_length=20, choices=ExpenseCategory.choices)
    receipt_required = models.BooleanField(default=False)
    receipt_required_over = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cap = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["rate_card", "category"]
        constraints = [
            models.UniqueConstraint(fields=["rate_card", "category"], name="expenserule_once_per_card"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} rule"

    def needs_receipt(self, amount: Decimal) -> bool:
        if not self.receipt_required:
            return False
        return self.receipt_required_over is None or amount > self.receipt_required_over


class PaymentBatch(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="payment_batches")
    reference = models.CharField(max_length=20, unique=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Added by payments.selectors.batches_for (worked out in SQL).
    claim_count: int
    total: Decimal

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "payment batches"
        indexes = [models.Index(fields=["organisation", "-created_at"], name="batch_org_time")]

    def __str__(self) -> str:
        return self.reference or "New payment batch"


class Claim(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="claims")
    partner = models.ForeignKey("partners.LayPartner", on_delete=models.PROTECT, related_name="claims")
    reference = models.CharField(max_length=20, unique=True, blank=True)
    status = models.CharField(max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    payment_choice = models.CharField(max_length=20, choices=PaymentPreference.choices)
    declaration_accepted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    rejection_reason = models.TextField(blank=True)
    times_returned = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_on_behalf = models.BooleanField(default=False)
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="claims")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Added by payments.selectors.with_totals (sums of the lines, worked out in SQL); lists add
    # `total` only (with_total).
    total: Decimal
    fees_total: Decimal
    expenses_total: Decimal
    line_count: int

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The claims queue: one AHSN's claims by state, oldest submission first.
            models.Index(fields=["organisation", "status", "submitted_at"], name="claim_queue"),
            # The same queue across every AHSN (a network admin's): one state, oldest first, read in
            # order and stopped after a page, where the per-AHSN index had to sort every AHSN's claims.
            models.Index(fields=["status", "submitted_at", "id"], name="claim_queue_all"),
            # Finance's "make a payment batch": an AHSN's approved claims not yet in a batch, oldest
            # approval first, read in order up to the form's limit (no sort of all approved claims).
            models.Index(
                fields=["organisation", "approved_at", "id"],
                condition=Q(status="approved", batch__isnull=True),
                name="claim_approved_unbatched",
            ),
            models.Index(fields=["partner", "-created_at"], name="claim_partner"),
            # Tax-year totals and reports: paid claims by date.
            models.Index(fields=["organisation", "paid_at"], name="claim_paid"),
            # A claim withdrawn or returned since the "unclaimed" reminder's last run frees its participations.
            models.Index(fields=["updated_at"], name="claim_updated"),
        ]

    def __str__(self) -> str:
        return self.reference or "New claim"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def carries_fees(self) -> bool:
        return self.payment_choice not in (PaymentPreference.EXPENSES_ONLY, PaymentPreference.DECLINE)


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    participation = models.ForeignKey(
        "involvement.Participation", on_delete=models.PROTECT, null=True, blank=True, related_name="claim_lines"
    )
    participation_locked = models.BooleanField(
        default=True, help_text="False once the claim is withdrawn or rejected, which frees the participation."
    )
    description = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text="Why a taxi was needed.")
    miles = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    expense_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    rate_card = models.ForeignKey(RateCard, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rate_used = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    rule_used = models.CharField(max_length=300, blank=True)
    query_note = models.TextField(blank=True, help_text="An approver's question about this line.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(participation__isnull=False, participation_locked=True),
                name="claimline_participation_claimed_once",
            ),
            models.CheckConstraint(
                condition=Q(kind="fee", participation__isnull=False) | ~Q(kind="fee"),
                name="claimline_fee_has_participation",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="claimline_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_fee(self) -> bool:
        return self.kind == LineKind.FEE


def _receipt_path(instance: Receipt, filename: str) -> str:
    return f"receipts/{instance.line.claim.organisation_id}/{uuid.uuid4().hex}"


def _private_storage() -> Storage:
    """Receipts live with every other private file (core.storage): never under a public URL,
    served only by a view that checks who is asking. Named here for the migrations."""
    return private_storage()


class Receipt(models.Model):
    """A receipt file. Kept in private storage: never under a public URL, served by a checked view."""

    line = models.ForeignKey(ClaimLine, on_delete=models.CASCADE, related_name="receipts")
    file = models.FileField(upload_to=_receipt_path, storage=_private_storage, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

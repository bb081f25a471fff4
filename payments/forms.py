"""Forms for claims, rates and batches. They parse input; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from core.formatting import date_text
from core.forms import DATE_HINT, DateField, FilterForm
from core.idempotency import SubmissionTokenField
from core.money import format_money
from payments.models import ClaimStatus, ExpenseCategory
from payments.selectors import AGE_CHOICES
from programmes.lookups import programme_filter_field

RECEIPT_ACCEPT = "image/*,application/pdf"


class ReceiptInput(forms.ClearableFileInput):
    """A file input phones open with the camera or photo library (no `capture`, so both are offered)."""

    def __init__(self) -> None:
        super().__init__(attrs={"accept": RECEIPT_ACCEPT})


class StartClaimForm(forms.Form):
    organisation = forms.ChoiceField(
        label="Which AHSN are you claiming from?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the AHSN you are claiming from"},
    )

    def __init__(self, *args: Any, organisations: Any, claimable: list[Any] | None = None, **kwargs: Any) -> None:
        """`claimable`: the partner's claimable participations, to say what each AHSN has to claim for."""
        super().__init__(*args, **kwargs)
        by_organisation: dict[int, list[str]] = {}
        for p in claimable or []:
            by_organisation.setdefault(p.activity.organisation_id, []).append(p.activity.title)

        def label(o: Any) -> str:
            titles = by_organisation.get(o.pk, [])
            if not titles:
                return f"{o.name} (nothing to claim an involvement payment for at the moment)"
            return f"{o.name}: you can claim for {', '.join(titles)}"

        cast(forms.ChoiceField, self.fields["organisation"]).choices = [(str(o.pk), label(o)) for o in organisations]


class PrepareClaimForm(forms.Form):
    partner = forms.ChoiceField(
        label="Who is the claim for?",
        help_text="You can prepare claims for lay partners who are supported by staff (assisted digital).",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the lay partner the claim is for"},
    )

    def __init__(self, *args: Any, links: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["partner"]).choices = [
            (
                f"{link.partner_id}:{link.organisation_id}",
                f"{link.partner.display_name} ({link.partner.reference}) at {link.organisation.short_name}",
            )
            for link in links
        ]


class FeeLineForm(forms.Form):
    """One question, so the question is the page's heading."""

    nhsuk_page_heading_field = "participation"

    participation = forms.ChoiceField(
        label="Which activity are you claiming for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the activity you are claiming for"},
    )

    def __init__(self, *args: Any, claimable: list[Any], organisation_name: str = "", **kwargs: Any) -> None:
        """`claimable`: participations from `selectors.claimable_participations` (with `last_day`)."""
        super().__init__(*args, **kwargs)
        self.fields["participation"].help_text = (
            f"We work out the payment from the hours you took part and the rates of {organisation_name}. "
            "You do not need to type an amount."
        )
        choices = []
        for p in claimable:
            when = timezone.localtime(p.activity.starts_at)
            choices.append(
                (
                    str(p.pk),
                    f"{p.activity.title}, {date_text(when)} ({p.hours.normalize():f} hours). "
                    f"Claim by {date_text(p.last_day)}",
                )
            )
        cast(forms.ChoiceField, self.fields["participation"]).choices = choices


class ExpenseCategoryForm(forms.Form):
    """One question, so the question is the page's heading."""

    nhsuk_page_heading_field = "category"

    category = forms.ChoiceField(
        label="What did you spend money on?",
        choices=ExpenseCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you spent money on"},
    )


class ExpenseLineForm(forms.Form):
    """Fields shown depend on the category: miles for mileage, an amount for everything else."""

    expense_date = DateField(
        label="When did you spend this?",
        help_text=f"For travel, the day of the journey. {DATE_HINT}.",
        error_messages={"required": "Enter the date"},
    )
    miles = forms.CharField(
        label="How many miles did you drive?",
        help_text="There and back. For example, 23.5",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    amount = forms.CharField(
        label="How much did you spend?",
        help_text="In pounds and pence. For example, 12.50",
        max_length=15,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": "Enter how much you spent"},
    )
    reason = forms.CharField(label="Why did you need a taxi?", widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label="What was it for?", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    receipt = forms.FileField(
        label="Upload a photo or scan of your receipt",
        help_text="A photo (JPEG or PNG) or a PDF, smaller than 10MB. On a phone you can take a photo now.",
        required=False,
        widget=ReceiptInput(),
    )
    submission_token = SubmissionTokenField()

    def __init__(
        self, *args: Any, category: str, receipt_hint: str = "", kept_receipts: list[Any] | None = None, **kwargs: Any
    ) -> None:
        """`kept_receipts`: when changing a line, the receipts it already has (kept unless replaced)."""
        super().__init__(*args, **kwargs)
        self.category = category
        if category == ExpenseCategory.MILEAGE:
            del self.fields["amount"]
            self.fields["miles"].error_messages["required"] = "Enter how many miles you drove"
        else:
            del self.fields["miles"]
        if category != ExpenseCategory.TAXI:
            del self.fields["reason"]
        else:
            self.fields["reason"].error_messages["required"] = "Tell us why you needed a taxi"
        if category == ExpenseCategory.OTHER:
            self.fields["description"].error_messages["required"] = "Tell us what the expense was for"
        else:
            self.fields["description"].required = False
            self.fields["description"].label = "Anything you want to tell us about it"
            self.fields["description"].help_text = "For example, where you travelled from"
        if kept_receipts:
            names = ", ".join(r.original_name for r in kept_receipts)
            self.fields["receipt"].label = "Replace the receipt"
            self.fields["receipt"].help_text = (
                f"We have kept your receipt ({names}). You only need to choose a file to replace it. "
                f"{self.fields['receipt'].help_text}"
            )
        elif receipt_hint:
            self.fields["receipt"].help_text = f"{receipt_hint} {self.fields['receipt'].help_text}"

    @staticmethod
    def initial_from(line: Any) -> dict[str, Any]:
        return {
            "expense_date": line.expense_date,
            "amount": f"{line.amount:.2f}",
            "miles": f"{line.miles.normalize():f}" if line.miles is not None else "",
            "description": line.description,
            "reason": line.reason,
        }


class BatchForm(forms.Form):
    """Finance chooses which approved claims go in a payment batch (all of them to start with)."""

    claims = forms.MultipleChoiceField(
        label="Claims to pay in this batch",
        help_text="All approved claims are selected. Untick any you do not want to pay yet.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one claim to put in the payment batch",
            "invalid_choice": "%(value)s is no longer waiting to be paid. Check the claims below and try again.",
        },
    )

    def __init__(self, *args: Any, claims: list[Any], **kwargs: Any) -> None:
        """`claims`: rows of `selectors.batch_form_rows`. The page draws the checkboxes with
        `{% include "payments/_batch_form.html" %}`."""
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["claims"])
        field.choices = [
            (
                str(c.pk),
                f"{c.reference}: {c.partner_reference}, {format_money(c.total)}, approved "
                f"{date_text(timezone.localtime(c.approved_at))}"
                if c.approved_at
                else f"{c.reference}: {c.partner_reference}, {format_money(c.total)}",
            )
            for c in claims
        ]
        if not self.is_bound:
            self.initial["claims"] = [str(c.pk) for c in claims]

    def chosen_ids(self) -> list[int]:
        return [int(x) for x in self.cleaned_data["claims"]]


class ReceiptForm(forms.Form):
    receipt = forms.FileField(
        label="Upload a photo or scan of your receipt",
        help_text="A photo (JPEG or PNG) or a PDF, smaller than 10MB. On a phone you can take a photo now.",
        widget=ReceiptInput(),
        error_messages={"required": "Choose a photo or PDF of your receipt"},
    )


class DeclarationForm(forms.Form):
    confirm = forms.BooleanField(
        label="I confirm the information in this claim is correct and I have not claimed for it anywhere else",
        error_messages={"required": "Confirm that the information you have given is correct"},
    )

    def __init__(self, *args: Any, on_behalf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["confirm"].label = (
                "I confirm the lay partner has told me this information is correct and they have not "
                "claimed for it anywhere else"
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args: Any, label: str, hint: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = hint
        self.fields["reason"].error_messages["required"] = required_message


class QueryForm(forms.Form):
    note = forms.CharField(
        label="Your question about this line",
        help_text="The claimant sees this on their claim. Return the claim if they need to change it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter your question about this line"},
    )


class QueueFilterForm(FilterForm):
    status = forms.ChoiceField(
        label="State",
        required=False,
        choices=[*ClaimStatus.choices, ("all", "Every state but drafts and withdrawn")],
    )
    age = forms.ChoiceField(label="Waiting time", required=False, choices=AGE_CHOICES)
    programme = forms.CharField(label="Programme", required=False)  # replaced in __init__
    claimant = forms.CharField(label="Claimant or claim reference", required=False, max_length=100)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"] = programme_filter_field(programmes)


MONEY_FIELD = {"max_digits": 8, "decimal_places": 2, "min_value": Decimal("0")}


class RateCardForm(forms.Form):
    effective_from = DateField(
        label="Date the new rates take effect",
        help_text="Activities on or after this date use the new rates. Claims already made keep their rates. "
        f"{DATE_HINT}.",
        error_messages={"required": "Enter the date the rates take effect"},
    )
    hourly_rate = forms.DecimalField(label="Hourly rate (£)", **MONEY_FIELD)  # type: ignore[arg-type]
    half_day_rate = forms.DecimalField(label="Half-day rate (£)", **MONEY_FIELD)  # type: ignore[arg-type]
    half_day_hours = forms.DecimalField(
        label="Hours that count as a half day", max_digits=4, decimal_places=2, min_value=Decimal("0.5")
    )
    full_day_rate = forms.DecimalField(label="Full-day rate (£)", **MONEY_FIELD)  # type: ignore[arg-type]
    full_day_hours = forms.DecimalField(
        label="Hours that count as a full day", max_digits=4, decimal_places=2, min_value=Decimal("1")
    )
    mileage_rate_per_mile = forms.DecimalField(
        label="Mileage rate per mile (£)", max_digits=4, decimal_places=2, min_value=Decimal("0")
    )
    claim_deadline_days = forms.IntegerField(
        label="Days people have to claim after an activity", min_value=7, max_value=730
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_rule_fields()
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                name = field.label.removesuffix(" (£)") if isinstance(field.label, str) else "This"
                field.error_messages.update(
                    {
                        "required": f"Enter the {name[0].lower()}{name[1:]}",
                        "invalid": f"{name} must be a number, like 25.00",
                        "max_decimal_places": f"{name} can have no more than 2 numbers after the point",
                        "max_digits": f"{name} is too big",
                        "max_whole_digits": f"{name} is too big",
                        "min_value": f"{name} must be %(limit_value)s or more",
                    }
                )

    def _add_rule_fields(self) -> None:
        for value, label in ExpenseCategory.choices:
            self.fields[f"{value}_receipt_required"] = forms.BooleanField(
                label=f"{label}: a receipt is needed", required=False
            )
            self.fields[f"{value}_receipt_over"] = forms.DecimalField(
                label=f"{label}: only needed over (£)",
                required=False,
                help_text="Leave empty to need a receipt for any amount.",
                **MONEY_FIELD,  # type: ignore[arg-type]
            )
            self.fields[f"{value}_cap"] = forms.DecimalField(
                label=f"{label}: most that can be claimed on one line (£)",
                required=False,
                help_text="Leave empty for no limit (up to £5,000).",
                **MONEY_FIELD,  # type: ignore[arg-type]
            )

    def rules(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "category": value,
                "receipt_required": data[f"{value}_receipt_required"],
                "receipt_required_over": data[f"{value}_receipt_over"],
                "cap": data[f"{value}_cap"],
            }
            for value, _label in ExpenseCategory.choices
        ]

    @staticmethod
    def initial_from(card: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "hourly_rate": card.hourly_rate,
            "half_day_rate": card.half_day_rate,
            "half_day_hours": card.half_day_hours,
            "full_day_rate": card.full_day_rate,
            "full_day_hours": card.full_day_hours,
            "mileage_rate_per_mile": card.mileage_rate_per_mile,
            "claim_deadline_days": card.claim_deadline_days,
        }
        for rule in card.expense_rules.all():
            initial[f"{rule.category}_receipt_required"] = rule.receipt_required
            initial[f"{rule.category}_receipt_over"] = rule.receipt_required_over
            initial[f"{rule.category}_cap"] = rule.cap
        return initial

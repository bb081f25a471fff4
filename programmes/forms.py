from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Organisation, User
from core.choices import InnovationStage, LadderLevel, SeldomHeardGroup
from core.forms import DateField, FilterForm
from core.quarters import FinancialQuarter, QuarterError
from programmes.models import Programme, ProgrammeStatus, ProgrammeType, StrategyPriority


class ProgrammeForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Which AHSN runs it?",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the AHSN that runs the programme"},
    )
    name = forms.CharField(
        label="Programme name", max_length=200, error_messages={"required": "Enter the programme name"}
    )
    programme_type = forms.ChoiceField(
        label="Type of programme",
        choices=ProgrammeType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of programme"},
    )
    innovation_stage = forms.ChoiceField(
        label="Innovation stage",
        choices=InnovationStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the innovation stage"},
    )
    lead = forms.ModelChoiceField(
        label="Programme lead", queryset=User.objects.none(), required=False, empty_label="No lead yet"
    )
    status = forms.ChoiceField(
        label="Status", choices=ProgrammeStatus.choices, widget=forms.RadioSelect, initial="active"
    )
    start_on = DateField(
        label="Start date",
        help_text="When the work started, not when it was added to the portal.",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the programme started"},
    )
    closed_on = DateField(label="Closed date", required=False, help_text="Only if the programme has closed.")
    priorities = forms.ModelMultipleChoiceField(
        label="Strategy priorities it supports",
        queryset=StrategyPriority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    involvement_plan = forms.CharField(
        label="Involvement plan (introduction)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="The approach in a few sentences. Add each piece of planned involvement (stage, level, "
        "with whom and when) on the programme's involvement plan page.",
    )
    equality_impact_note = forms.CharField(
        label="Equality impact note",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Who might be affected or left out, and what you will do about it.",
    )
    shared_with = forms.ModelMultipleChoiceField(
        label="Share with other AHSNs",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="National programmes only. Staff at these AHSNs can log activities against it, but cannot change it.",
    )

    def __init__(self, *args: Any, organisations: Any, editing: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field: Any = self.fields["organisation"]
        org_field.queryset = organisations
        if editing is not None:
            del self.fields["organisation"]
            owner_id: int | None = editing.organisation_id
        else:
            owner_ids = [o.pk for o in organisations]
            owner_id = owner_ids[0] if len(owner_ids) == 1 else None
            if len(owner_ids) == 1:
                org_field.widget = forms.HiddenInput()
                org_field.initial = owner_ids[0]
        lead_field: Any = self.fields["lead"]
        lead_orgs = [owner_id] if owner_id else [o.pk for o in organisations]
        lead_field.queryset = (
            User.objects.filter(memberships__organisation_id__in=lead_orgs).distinct().order_by("full_name", "email")
        )
        lead_field.label_from_instance = lambda u: u.full_name or u.email
        priorities_field: Any = self.fields["priorities"]
        priorities_field.queryset = StrategyPriority.objects.filter(active=True).order_by("strategy", "order")
        shared_field: Any = self.fields["shared_with"]
        shared_field.queryset = Organisation.objects.filter(kind=Organisation.Kind.AHSN).exclude(pk=owner_id or 0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("shared_with") and data.get("programme_type") != ProgrammeType.NATIONAL:
            self.add_error("shared_with", "Only a national programme can be shared with other AHSNs")
        return data


class ProgrammeFilterForm(FilterForm):
    programme_type = forms.ChoiceField(label="Type", choices=[("", "Any type"), *ProgrammeType.choices], required=False)
    innovation_stage = forms.ChoiceField(
        label="Stage", choices=[("", "Any stage"), *InnovationStage.choices], required=False
    )
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *ProgrammeStatus.choices], required=False)
    involvement = forms.ChoiceField(
        label="Involvement this quarter",
        choices=[("", "With or without"), ("yes", "Has involvement"), ("no", "No involvement yet")],
        required=False,
    )


class PriorityForm(forms.Form):
    strategy = forms.CharField(
        label="Strategy period", max_length=20, initial="2021-23", help_text="For example 2021-23"
    )
    code = forms.CharField(label="Code", max_length=10, help_text="For example 1.1")
    theme = forms.CharField(label="Theme", max_length=100, help_text="For example Visible leadership")
    title = forms.CharField(label="Title", max_length=255)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    order = forms.IntegerField(label="Position in lists", min_value=0, initial=0)
    active = forms.BooleanField(label="Staff can choose this priority for new work", required=False, initial=True)


def plan_quarter_choices(*, today: Any = None, keep: FinancialQuarter | None = None) -> list[tuple[str, str]]:
    """The quarters a plan line can be set for: last financial year to two years ahead (and the
    line's own quarter when it is older)."""
    current = FinancialQuarter.current(today)
    first = FinancialQuarter(current.year - 1, 1)
    quarters = [first + n for n in range(16)]
    if keep is not None and keep not in quarters:
        quarters.insert(0, keep)
    return [(q.slug, f"{q.months_label} ({q.label})") for q in quarters]


class PlannedInvolvementForm(forms.Form):
    stage = forms.ChoiceField(
        label="At which innovation stage?",
        choices=InnovationStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the innovation stage"},
    )
    level = forms.ChoiceField(
        label="At what level on the ladder of co-production?",
        choices=LadderLevel.choices,
        widget=forms.RadioSelect,
        help_text="An activity at this level or higher counts as done.",
        error_messages={"required": "Choose the level on the ladder of co-production"},
    )
    seldom_heard_groups = forms.MultipleChoiceField(
        label="With whom?",
        choices=SeldomHeardGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The seldom-heard groups you plan to involve. Leave empty if it is open to everyone.",
    )
    quarter = forms.ChoiceField(
        label="Roughly when?",
        help_text="The quarter of the financial year you plan to do it by.",
        error_messages={
            "required": "Choose the quarter you plan to do it by",
            "invalid_choice": "Choose the quarter you plan to do it by",
        },
    )
    description = forms.CharField(
        label="Short description",
        max_length=300,
        required=False,
        help_text="For example: co-design the discharge checklist with a lay panel.",
        error_messages={"max_length": "The description must be 300 characters or fewer"},
    )

    def __init__(self, *args: Any, keep: FinancialQuarter | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quarter_field: Any = self.fields["quarter"]
        quarter_field.choices = [("", "Choose a quarter"), *plan_quarter_choices(keep=keep)]

    def clean_quarter(self) -> FinancialQuarter:
        text = self.cleaned_data["quarter"]
        try:
            year, _suffix, number = text.split("-")
            return FinancialQuarter(int(year), int(number.removeprefix("Q")))
        except (ValueError, QuarterError) as exc:
            raise forms.ValidationError("Choose the quarter you plan to do it by") from exc

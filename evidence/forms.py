from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Organisation, User
from core.choices import InnovationStage, InvolvementMethod, LadderLevel, SeldomHeardGroup
from core.forms import DateField, FilterForm
from evidence.models import SessionAudience, SessionKind
from partners.models import LayPartner
from programmes.models import StrategyPriority


class CaseStudyForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    challenge = forms.CharField(
        label="What was the challenge?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what the challenge was"},
    )
    involvement = forms.CharField(
        label="Who was involved, and how?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Describe groups and roles, not named people. Quotes from lay partners are added next, with "
        "their agreement.",
        error_messages={"required": "Say who was involved and how"},
    )
    what_changed = forms.CharField(
        label="What changed?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what changed"},
    )


class QuoteForm(forms.Form):
    partner: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Who said it?",
        queryset=LayPartner.objects.none(),
        empty_label="Choose a lay partner",
        help_text="Only lay partners who took part can be quoted. They are asked first and can say no.",
        error_messages={"required": "Choose who said it"},
    )
    text = forms.CharField(
        label="What they said",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        error_messages={"required": "Enter what they said", "max_length": "A quote must be 1,000 characters or fewer"},
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["partner"]
        field.queryset = partners


class QuoteAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="May we use your words?",
        choices=[
            ("named", "Yes, with my name"),
            ("anonymous", "Yes, without my name (as “a lay partner”)"),
            ("refuse", "No, do not use them"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether we may use your words"},
    )


class LibraryFilterForm(FilterForm):
    q = forms.CharField(label="Words to look for", required=False, max_length=100)
    priority = forms.ModelChoiceField(
        label="Strategy priority", queryset=StrategyPriority.objects.none(), required=False, empty_label="Any priority"
    )
    method = forms.ChoiceField(label="Method", choices=[("", "Any method"), *InvolvementMethod.choices], required=False)
    level = forms.ChoiceField(label="Level", choices=[("", "Any level"), *LadderLevel.choices], required=False)
    stage = forms.ChoiceField(
        label="Innovation stage", choices=[("", "Any stage"), *InnovationStage.choices], required=False
    )
    group = forms.ChoiceField(
        label="Seldom-heard group", choices=[("", "Any group"), *SeldomHeardGroup.choices], required=False
    )
    organisation = forms.ModelChoiceField(
        label="AHSN", queryset=Organisation.objects.none(), required=False, empty_label="Every AHSN"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        priority: Any = self.fields["priority"]
        priority.queryset = StrategyPriority.objects.order_by("strategy", "order")
        priority.label_from_instance = lambda p: f"{p.code} {p.title}"
        organisation: Any = self.fields["organisation"]
        organisation.queryset = Organisation.objects.filter(kind=Organisation.Kind.AHSN).order_by("name")


class SessionForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label="AHSN",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the AHSN"},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    kind = forms.ChoiceField(
        label="What kind of session is it?",
        choices=SessionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of session it is"},
    )
    date = DateField(label="Date", error_messages={"required": "Enter the date of the session"})
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=SessionAudience.choices,
        widget=forms.RadioSelect,
        help_text="Lay partners can ask to take part in upcoming sessions open to them.",
        error_messages={"required": "Choose who it is for"},
    )
    description = forms.CharField(
        label="What it covers (optional)", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, organisations: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
        else:
            field: Any = self.fields["organisation"]
            field.queryset = organisations


class AttendeeForm(forms.Form):
    """Who took part: one person at a time, a lay partner or a member of staff."""

    partner: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Lay partner", queryset=LayPartner.objects.none(), required=False, empty_label="Choose a lay partner"
    )
    user: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Member of staff", queryset=User.objects.none(), required=False, empty_label="Choose a member of staff"
    )

    def __init__(self, *args: Any, partners: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field: Any = self.fields["partner"]
        user_field: Any = self.fields["user"]
        partner_field.queryset = partners
        user_field.queryset = staff
        if partners is None:
            del self.fields["partner"]
        if staff is None:
            del self.fields["user"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [name for name in ("partner", "user") if cleaned.get(name)]
        if len(chosen) != 1:
            first = "partner" if "partner" in self.fields else "user"
            raise forms.ValidationError({first: "Choose one person who took part"})
        return cleaned

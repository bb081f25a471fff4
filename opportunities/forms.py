"""Forms for opportunities: writing one, saying "I'm interested", choosing people, filtering lists."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Organisation, User
from core.choices import InvolvementMethod, SupportType
from core.forms import DateField, FilterForm
from involvement.models import Activity, ActivityStatus
from opportunities.models import InterestStatus, OpportunityState, PaymentOffer, WayToTakePart
from partners.forms import NeedsForm
from partners.models import LayPartner
from programmes.models import Programme

MAX_TOPICS = 10


def _text(
    label: str, *, required: bool = False, help_text: str = "", rows: int = 4, error: str = ""
) -> forms.CharField:
    field = forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )
    if error:
        field.error_messages["required"] = error
    return field


class OpportunityForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Short and plain, like “Help us design a diabetes app”.",
        error_messages={"required": "Enter a title"},
    )
    purpose = _text(
        "What is it for, and what will change because of it?",
        required=True,
        error="Say what the opportunity is for and what will change because of it",
    )
    what_you_would_do = _text("What would people do?", required=True, error="Say what people would do")
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.none(), required=False, empty_label="Not part of a programme"
    )
    activities = forms.ModelMultipleChoiceField(
        label="Activities people will take part in",
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People you choose are added to these. Leave empty for a role with no activity yet.",
    )
    role_title = forms.CharField(
        label="Role (optional)",
        max_length=200,
        required=False,
        help_text="For example lay reviewer for a year, or recruitment panel member.",
    )
    lead = forms.ModelChoiceField(
        label="Who chooses people and answers questions?",
        queryset=User.objects.none(),
        required=False,
        empty_label="The involvement team",
    )
    starts_on = DateField(label="Start date (optional)", required=False)
    ends_on = DateField(label="End date (optional)", required=False)
    hours = forms.CharField(
        label="How long each time", max_length=100, required=False, help_text="For example 2 hours."
    )
    how_often = forms.CharField(
        label="How often", max_length=200, required=False, help_text="For example once a month for a year."
    )
    ways_to_take_part = forms.MultipleChoiceField(
        label="How can people take part?",
        choices=WayToTakePart.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply. You need at least one to publish.",
    )
    method = forms.ChoiceField(
        label="Kind of involvement",
        choices=[("", "Not one kind"), *InvolvementMethod.choices],
        required=False,
        help_text="People who chose this kind of involvement in their profile are told when it opens.",
    )
    where = forms.CharField(label="Where (optional)", max_length=255, required=False)
    who_for = _text(
        "Who is it for?",
        help_text="The lived experience you are looking for, an age range or an area. Never exclude anyone because "
        "of a protected characteristic (such as race, religion, sex, sexual orientation or disability): "
        "say who you especially want to hear from instead.",
    )
    area = forms.CharField(label="Area (optional)", max_length=200, required=False)
    support_offered = forms.MultipleChoiceField(
        label="Support we offer",
        choices=SupportType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="People can always tell us what else they need.",
    )
    payment = forms.ChoiceField(
        label="Payment",
        choices=PaymentOffer.choices,
        widget=forms.RadioSelect,
        help_text="Paid opportunities show the hourly rate from your AHSN's rate card in force.",
    )
    how_chosen = _text(
        "How will people be chosen, and when will they hear?",
        required=True,
        error="Say how people will be chosen and when they will hear",
    )
    hear_by = DateField(label="Date people will hear by (optional)", required=False)
    closes_on = DateField(label="Closing date", error_messages={"required": "Enter the closing date"})
    topics = forms.CharField(
        label="Topics (optional)",
        max_length=600,
        required=False,
        help_text="Separate them with commas, like: diabetes, digital health.",
    )
    easy_read_text = _text("Easy read version (optional)", rows=6)
    easy_read_file = forms.FileField(
        label="Easy read version as a PDF (optional)", required=False, help_text="Up to 10 MB."
    )
    image = forms.FileField(label="Image (optional)", required=False, help_text="A PNG or JPEG, up to 10 MB.")
    image_alt = forms.CharField(
        label="Describe the image",
        max_length=250,
        required=False,
        help_text="For people who cannot see it. Needed if you add an image.",
    )
    open_to_new_people = forms.BooleanField(
        label="Open to people who are not lay partners yet (shown on the public page)", required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, has_image: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_image = has_image
        programme: Any = self.fields["programme"]
        programme.queryset = Programme.objects.filter(organisation=organisation).order_by("name")
        activities: Any = self.fields["activities"]
        activities.queryset = Activity.objects.filter(
            organisation=organisation, status=ActivityStatus.PLANNED
        ).order_by("starts_at")
        activities.label_from_instance = lambda a: a.title
        lead: Any = self.fields["lead"]
        lead.queryset = User.objects.filter(memberships__organisation=organisation).distinct().order_by("full_name")
        lead.label_from_instance = lambda u: u.full_name or u.email

    def clean_topics(self) -> list[str]:
        raw = self.cleaned_data.get("topics") or ""
        topics: list[str] = []
        for part in raw.split(","):
            topic = " ".join(part.split())[:60]
            if topic and topic.lower() not in {t.lower() for t in topics}:
                topics.append(topic)
        if len(topics) > MAX_TOPICS:
            raise forms.ValidationError(f"Give up to {MAX_TOPICS} topics")
        return topics

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("image") or self.has_image) and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", "Describe the image for people who cannot see it")
        return data

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("activities", "easy_read_file", "image"):
            data.pop(name, None)
        return data


class InterestForm(NeedsForm):
    """ "I'm interested": two optional questions, and their needs as the profile has them."""

    why = forms.CharField(
        label="Why would you like to take part? (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    availability = forms.CharField(
        label="When are you available? (optional)",
        required=False,
        help_text="For example weekday mornings.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["why", "availability"]

    def needs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in NeedsForm.base_fields}


class OnBehalfForm(forms.Form):
    partner = forms.ModelChoiceField(
        label="Who is interested?",
        queryset=LayPartner.objects.none(),
        error_messages={"required": "Choose the lay partner"},
    )
    why = forms.CharField(
        label="Why they would like to take part (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    availability = forms.CharField(
        label="When they are available (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["partner"]
        field.queryset = partners
        field.label_from_instance = lambda p: p.full_name


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What do you want to do with the people you selected?",
        choices=[
            (InterestStatus.SELECTED, "Choose them: add them to the activities and tell them what happens next"),
            (InterestStatus.RESERVE, "Put them on the reserve list"),
            (InterestStatus.DECLINED, "Decline them with a kind message"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to do with the people you selected"},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="People who said they were interested are told this.",
        error_messages={"required": "Say why the opportunity is cancelled"},
    )


class StaffFilterForm(FilterForm):
    state = forms.ChoiceField(label="Show", choices=[("", "All"), *OpportunityState.choices], required=False)


class PartnerFilterForm(FilterForm):
    way = forms.ChoiceField(
        label="How you want to take part", choices=[("", "Any way"), *WayToTakePart.choices], required=False
    )
    topic = forms.ChoiceField(label="Topic", choices=[("", "Any topic")], required=False)

    def __init__(self, *args: Any, topics: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["topic"]
        field.choices = [("", "Any topic"), *((t, t) for t in topics)]

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Organisation, User
from core.choices import ActivityFormat, InnovationStage, InvolvementMethod, LadderLevel, SeldomHeardGroup, SupportType
from core.formatting import UK_TIME
from core.forms import DATE_HINT, DateField, FilterForm, TimeField
from core.idempotency import SubmissionTokenField
from involvement.models import ActivityStatus, OutcomeStatus, ParticipationResponse
from programmes.lookups import programme_filter_field
from programmes.models import Programme, StrategyPriority

# What a ModelChoiceField says of an id that is not in its menu (the filters' menus are plain choices).
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."

SCORE_CHOICES = [
    (5, "Strongly agree"),
    (4, "Agree"),
    (3, "Neither agree nor disagree"),
    (2, "Disagree"),
    (1, "Strongly disagree"),
]


class ActivityForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Which AHSN is running it?",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the AHSN running the activity"},
    )
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=Programme.objects.none(),
        required=False,
        empty_label="Not part of a programme",
        help_text="Your AHSN's programmes and national programmes shared with it.",
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title for the activity"}
    )
    start_date = DateField(label="Date", error_messages={"required": "Enter the date of the activity"})
    start_time = TimeField(label="Start time", error_messages={"required": "Enter the start time"})
    end_date = DateField(
        label="End date", required=False, help_text=f"Only if it ends on a different day. {DATE_HINT}."
    )
    end_time = TimeField(label="End time", error_messages={"required": "Enter the end time"})
    format = forms.ChoiceField(
        label="Format",
        choices=ActivityFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the format"},
    )
    location = forms.CharField(label="Location", max_length=255, required=False, help_text="The venue and address.")
    joining_details = forms.CharField(
        label="Joining details",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For online sessions: the link and any code. Only the people taking part see this.",
    )
    purpose = forms.CharField(
        label="What it is for",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="In plain English: why we are doing it and what will change because of it. "
        "The lay partners taking part see this on their page for the activity.",
    )
    what_to_expect = forms.CharField(
        label="What to expect",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What people will do, for how long, and anything to read or prepare beforehand.",
    )
    method = forms.ChoiceField(
        label="Method",
        choices=[("", "Choose a method"), *InvolvementMethod.choices],
        error_messages={"required": "Choose the method"},
    )
    level = forms.ChoiceField(
        label="Level on the ladder of co-production",
        choices=LadderLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the level on the ladder of co-production"},
    )
    stage = forms.ChoiceField(
        label="Innovation stage", choices=[("", "Not at a particular stage"), *InnovationStage.choices], required=False
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Strategy priorities",
        queryset=StrategyPriority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    seldom_heard_groups = forms.MultipleChoiceField(
        label="Seldom-heard groups reached",
        choices=SeldomHeardGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    support_offered = forms.MultipleChoiceField(
        label="Support offered", choices=SupportType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    public_participants_count = forms.IntegerField(
        label="Members of the public who took part without a record",
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
        help_text="For example people at a public event who did not give their details.",
        error_messages={"min_value": "The number cannot be negative", "invalid": "Enter a whole number, like 12"},
    )
    lead = forms.ModelChoiceField(
        label="Activity lead",
        queryset=User.objects.none(),
        required=False,
        empty_label="No lead",
        help_text="Reminders about this activity go to them.",
    )

    def __init__(
        self,
        *args: Any,
        organisations: Any,
        programmes: Any,
        fixed_organisation: Organisation | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        org_field: Any = self.fields["organisation"]
        org_field.queryset = organisations
        org_ids = [o.pk for o in organisations]
        if fixed_organisation is not None:
            del self.fields["organisation"]
            org_ids = [fixed_organisation.pk]
        elif len(org_ids) == 1:
            org_field.widget = forms.HiddenInput()
            org_field.initial = org_ids[0]
        programme_field: Any = self.fields["programme"]
        programme_field.queryset = programmes
        programme_field.label_from_instance = lambda p: (
            p.name if p.organisation_id in org_ids else f"{p.name} ({p.organisation.short_name})"
        )
        priorities_field: Any = self.fields["priorities"]
        priorities_field.queryset = StrategyPriority.objects.filter(active=True).order_by("strategy", "order")
        lead_field: Any = self.fields["lead"]
        lead_field.queryset = (
            User.objects.filter(memberships__organisation_id__in=org_ids).distinct().order_by("full_name", "email")
        )
        lead_field.label_from_instance = lambda u: u.full_name or u.email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start_date, start_time, end_time = data.get("start_date"), data.get("start_time"), data.get("end_time")
        if start_date and start_time and end_time:
            end_date = data.get("end_date") or start_date
            starts_at = datetime.combine(start_date, start_time, tzinfo=UK_TIME)
            ends_at = datetime.combine(end_date, end_time, tzinfo=UK_TIME)
            if ends_at <= starts_at:
                self.add_error("end_time", "The end must be after the start")
            data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data

    @staticmethod
    def initial_for(activity: Any) -> dict[str, Any]:
        start, end = timezone.localtime(activity.starts_at, UK_TIME), timezone.localtime(activity.ends_at, UK_TIME)
        return {
            "organisation": activity.organisation_id,
            "programme": activity.programme_id,
            "title": activity.title,
            "start_date": start.date(),
            "start_time": start.time(),
            "end_date": end.date() if end.date() != start.date() else None,
            "end_time": end.time(),
            "format": activity.format,
            "location": activity.location,
            "joining_details": activity.joining_details,
            "purpose": activity.purpose,
            "what_to_expect": activity.what_to_expect,
            "method": activity.method,
            "level": activity.level,
            "stage": activity.stage,
            "priorities": list(activity.priorities.all()),
            "seldom_heard_groups": list(activity.seldom_heard_groups),
            "support_offered": list(activity.support_offered),
            "public_participants_count": activity.public_participants_count,
            "lead": activity.lead_id,
        }

    def activity_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "format": data["format"],
            "location": data["location"],
            "joining_details": data["joining_details"],
            "purpose": data["purpose"],
            "what_to_expect": data["what_to_expect"],
            "method": data["method"],
            "level": data["level"],
            "stage": data["stage"],
            "seldom_heard_groups": data["seldom_heard_groups"],
            "support_offered": data["support_offered"],
            "public_participants_count": data["public_participants_count"] or 0,
            "lead": data["lead"],
            "programme": data["programme"],
        }


class NewActivityForm(ActivityForm):
    """Logging an activity: sent twice, it is logged once (core.idempotency)."""

    submission_token = SubmissionTokenField()


class DuplicateForm(forms.Form):
    start_date = DateField(
        label="Date of the new session", error_messages={"required": "Enter the date of the new session"}
    )
    start_time = TimeField(label="Start time", error_messages={"required": "Enter the start time"})
    end_time = TimeField(label="End time", error_messages={"required": "Enter the end time"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_date") and data.get("start_time") and data.get("end_time"):
            data["starts_at"] = datetime.combine(data["start_date"], data["start_time"], tzinfo=UK_TIME)
            data["ends_at"] = datetime.combine(data["start_date"], data["end_time"], tzinfo=UK_TIME)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end_time", "The end must be after the start")
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone taking part will be told, with this reason.",
        error_messages={"required": "Say why the activity is cancelled"},
    )


class AddParticipantsForm(forms.Form):
    """Which partners to add. The page draws the search results; the service checks each one."""

    partners = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], required=True, error_messages={"required": "Choose at least one person to add"}
    )
    role = forms.CharField(label="Their role", max_length=100, required=False, help_text="For example panel member.")
    expected_hours = forms.DecimalField(
        label="Expected hours",
        min_value=Decimal("0"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "step": "0.25", "inputmode": "decimal"}),
        error_messages={
            "min_value": "Expected hours cannot be negative",
            "invalid": "Enter a number of hours, like 2.5",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id may be posted: whether the person can be added is the service's decision.
        field: Any = self.fields["partners"]
        field.valid_value = lambda value: True


class AttendanceRowForm(forms.Form):
    participation = forms.IntegerField(widget=forms.HiddenInput)
    attended = forms.ChoiceField(
        label="Attended?",
        choices=[("yes", "Attended"), ("no", "Did not attend")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they attended"},
    )
    hours = forms.DecimalField(
        label="Hours taken part",
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "step": "0.25", "inputmode": "decimal"}),
        error_messages={"invalid": "Enter a number of hours, like 2.5"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours = data.get("hours")
        if hours is not None and hours < 0:
            self.add_error("hours", "Hours cannot be negative")
        if data.get("attended") == "yes" and hours is None and "hours" not in self.errors:
            self.add_error("hours", "Enter the hours they took part, or 0")
        return data


class OutcomeForm(forms.Form):
    """Changing an outcome's wording. Where it is now moves on the "record progress" page."""

    what_we_heard = forms.CharField(
        label="What we heard (you said)",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what we heard"},
    )
    what_we_did = forms.CharField(
        label="What we did",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what we did, or are doing, about it"},
    )
    shareable = forms.BooleanField(label="This can be shared as an example in reports", required=False)
    public = forms.BooleanField(
        label="Show it on our public “You said, we did” page",
        required=False,
        help_text="The page shows what we heard, what we did, where it is now and the date. Do not name anyone "
        "in the wording.",
    )


def _status_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=OutcomeStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where this is now"},
    )


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Needed if it was not taken forward. The people involved will see it.",
    )


def _reason_needed(form: forms.Form, data: dict[str, Any]) -> None:
    if data.get("status") == OutcomeStatus.NOT_TAKEN_FORWARD and not (data.get("reason") or "").strip():
        form.add_error("reason", "Say why it was not taken forward")


class NewOutcomeForm(OutcomeForm):
    """Recording an outcome: sent twice, it is recorded once (core.idempotency)."""

    field_order = ["what_we_heard", "what_we_did", "status", "reason", "decided_on", "shareable", "public"]

    status = _status_field("Where is this now?")
    reason = _reason_field()
    decided_on = DateField(label="Date", error_messages={"required": "Enter the date"})
    submission_token = SubmissionTokenField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _reason_needed(self, data)
        return data


class OutcomeProgressForm(forms.Form):
    """One step in an outcome's history; everyone who took part is told."""

    status = _status_field("Where is this now?")
    changed_on = DateField(label="When did it change?", error_messages={"required": "Enter the date it changed"})
    note = forms.CharField(
        label="What happened",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In a sentence or two. The people who took part will see this.",
        error_messages={
            "required": "Say what happened",
            "max_length": "What happened must be 300 characters or fewer",
        },
    )
    reason = _reason_field()
    evidence_link = forms.URLField(
        label="Link to evidence (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="For example a published report or a changed web page.",
        error_messages={"invalid": "Enter a web address, like https://www.example.nhs.uk/report"},
    )
    evidence_file = forms.FileField(
        label="Upload evidence (optional)",
        required=False,
        help_text="A PDF, PNG or JPEG file. Staff and the people who took part can open it.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _reason_needed(self, data)
        return data


class FeedbackForm(forms.Form):
    listened_to = forms.TypedChoiceField(
        label="I felt listened to",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an answer for “I felt listened to”"},
    )
    role_clear = forms.TypedChoiceField(
        label="My role was clear",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an answer for “My role was clear”"},
    )
    support_right = forms.TypedChoiceField(
        label="The support was right for me",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an answer for “The support was right for me”"},
    )
    take_part_again = forms.TypedChoiceField(
        label="I would take part again",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an answer for “I would take part again”"},
    )
    comments = forms.CharField(
        label="Anything else you want to tell us?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    may_use_name = forms.BooleanField(
        label="Staff may see my name with my comments",
        required=False,
        help_text="If you leave this unticked, staff see your comments without your name.",
    )


class ActivityFilterForm(FilterForm):
    """The activity list's filters. The AHSN and priority menus are built from (id, name) pairs, not
    a model for each option: the values cleaned are ids (None when not chosen)."""

    organisation = forms.TypedChoiceField(
        label="AHSN", coerce=int, empty_value=None, required=False, error_messages={"invalid_choice": INVALID_CHOICE}
    )
    programme = forms.CharField(label="Programme", required=False)  # replaced in __init__
    date_from = DateField(label="From", required=False)
    date_to = DateField(label="To", required=False)
    level = forms.ChoiceField(label="Level", choices=[("", "Any level"), *LadderLevel.choices], required=False)
    method = forms.ChoiceField(label="Method", choices=[("", "Any method"), *InvolvementMethod.choices], required=False)
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *ActivityStatus.choices], required=False)
    priority = forms.TypedChoiceField(
        label="Strategy priority",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )

    def __init__(
        self,
        *args: Any,
        organisations: Iterable[tuple[int, str]],
        programmes: Any,
        priorities: Iterable[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        """`organisations` and `priorities`: the menus' (id, label) pairs, in the order shown;
        `programmes`: as `programme_filter_field` takes them (`selectors.activity_filter_menus`)."""
        super().__init__(*args, **kwargs)
        org_field: Any = self.fields["organisation"]
        org_field.choices = [("", "All your AHSNs"), *((str(pk), name) for pk, name in organisations)]
        self.fields["programme"] = programme_filter_field(programmes)
        priority_field: Any = self.fields["priority"]
        priority_field.choices = [("", "Any priority"), *((str(pk), label) for pk, label in priorities)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the date range must be on or after the start")
        return data


class ActivityAnswerForm(forms.Form):
    """A lay partner's answer on their page for an activity: coming, or apologies with a reason."""

    response = forms.ChoiceField(
        choices=[(ParticipationResponse.COMING, "Coming"), (ParticipationResponse.APOLOGIES, "Sending apologies")],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label="Reason (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        help_text="Only if you want to. The activity lead will see it.",
    )

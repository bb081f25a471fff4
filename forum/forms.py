"""Forms for forum pages. Times are entered and shown in UK time (Europe/London)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation, User
from core.choices import ActivityFormat
from core.forms import DateField, TimeField
from forum.models import Action, ForumMember, Meeting
from forum.rendering import unsafe_markup
from forum.uploads import ACCEPTED_LABELS
from partners.models import LayPartner


class ForumForm(forms.Form):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Which organisation runs this forum?",
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation that runs this forum"},
    )
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the forum's name"})
    slug = forms.SlugField(
        label="Web address name",
        max_length=80,
        required=False,
        help_text="Lower-case letters, numbers and hyphens, for example wessex-pcie-group. "
        "Leave empty to make one from the name.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the forum is for and who belongs to it.",
    )
    is_public = forms.BooleanField(
        label="Publish notes openly",
        required=False,
        help_text="Published notes, decisions and actions can then be read by anyone without signing in. "
        "Lay partners are only named where they have agreed to be.",
    )

    def __init__(self, *args: Any, organisations: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
            del self.fields["slug"]
        else:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "slug" in self.fields and not data.get("slug") and data.get("name"):
            data["slug"] = slugify(data["name"])[:80]
        return data


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Member of staff",
        empty_label="Choose a member of staff",
    )
    partner = forms.ModelChoiceField(
        queryset=LayPartner.objects.none(),
        required=False,
        label="Or a lay partner",
        empty_label="Choose a lay partner",
    )
    role = forms.ChoiceField(
        choices=ForumMember.Role.choices, initial=ForumMember.Role.MEMBER, label="Role in the forum"
    )

    def __init__(self, *args: Any, users: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name or u.email} ({u.email})"  # type: ignore[attr-defined]
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        self.fields["partner"].label_from_instance = lambda p: f"{p.display_name} ({p.reference})"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("user")) == bool(data.get("partner")):
            raise forms.ValidationError("Choose either a member of staff or a lay partner, not both")
        return data


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=ForumMember.Role.choices, label="Role in the forum")


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Optional. For example: Summer meeting.")
    date = DateField(label="Date", error_messages={"required": "Enter the date of the meeting"})
    start_time = TimeField(label="Start time (UK time)", error_messages={"required": "Enter the start time"})
    end_time = TimeField(label="End time (UK time)", error_messages={"required": "Enter the end time"})
    format = forms.ChoiceField(
        choices=[c for c in ActivityFormat.choices if c[0] != ActivityFormat.ASYNCHRONOUS],
        widget=forms.RadioSelect,
        label="How will people join?",
        error_messages={"required": "Choose how people will join"},
    )
    venue = forms.CharField(max_length=300, required=False, label="Venue", help_text="Name and address.")
    access_information = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Access information",
        help_text="For example: step-free entrance, hearing loop, accessible toilet, parking, nearest station.",
    )
    joining_link = forms.URLField(
        required=False,
        max_length=500,
        label="Joining link",
        assume_scheme="https",
        error_messages={"invalid": "Enter a joining link starting with https://"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if date and start and end:
            tz = timezone.get_default_timezone()
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(date, start), tz)
            data["ends_at"] = timezone.make_aware(dt.datetime.combine(date, end), tz)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end_time", "The end time must be after the start time")
        fmt = data.get("format")
        if fmt in (ActivityFormat.IN_PERSON, ActivityFormat.HYBRID) and not data.get("venue"):
            self.add_error("venue", "Enter the venue for a meeting in person")
        if fmt in (ActivityFormat.ONLINE, ActivityFormat.HYBRID) and not data.get("joining_link"):
            self.add_error("joining_link", "Enter the joining link for an online meeting")
        return data

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        start = timezone.localtime(meeting.starts_at)
        end = timezone.localtime(meeting.ends_at)
        return {
            "title": meeting.title,
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "format": meeting.format,
            "venue": meeting.venue,
            "access_information": meeting.access_information,
            "joining_link": meeting.joining_link,
        }


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is the meeting cancelled?",
        help_text="Members are told this.",
        error_messages={"required": "Enter why the meeting is cancelled"},
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300, label="Item", error_messages={"required": "Enter the agenda item"})
    presenter = forms.CharField(max_length=200, required=False, label="Presenter")
    minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=480,
        label="Time (minutes)",
        error_messages={"invalid": "Enter the time as a whole number of minutes"},
    )


class PaperForm(forms.Form):
    file = forms.FileField(
        label="Upload a paper",
        help_text=f"{ACCEPTED_LABELS}. Smaller than {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
        "Only members of the forum can open it.",
        error_messages={"required": "Select a file to upload"},
    )


class ApologyForm(forms.Form):
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Anything you want to tell the co-chairs (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApologyRecordForm(forms.Form):
    """The secretariat records apologies a member gave by phone or email."""

    member = forms.ModelChoiceField(
        queryset=ForumMember.objects.none(),
        label="Who sent apologies?",
        empty_label="Choose a member",
        error_messages={"required": "Choose the member who sent apologies"},
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label="What they told you (optional)",
        help_text="For example, how they sent apologies. Only people who run the forum see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: f"{m.name} ({m.get_role_display().lower()})"  # type: ignore[attr-defined]


class NotesForm(forms.Form):
    body_markdown = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18}),
        label="Notes",
        required=False,
        help_text="Use ## for a heading, * for a bullet point, **bold** and [link text](https://…) for links.",
    )
    amendment_note = forms.CharField(
        max_length=500,
        required=False,
        label="What did you correct, and why?",
        help_text="These notes are published. Your reason is shown with them.",
    )

    def __init__(self, *args: Any, published: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not published:
            del self.fields["amendment_note"]
        else:
            self.fields["amendment_note"].required = True
            self.fields["amendment_note"].error_messages["required"] = "Say what you corrected and why"

    def clean_body_markdown(self) -> str:
        body: str = self.cleaned_data.get("body_markdown", "")
        problem = unsafe_markup(body)
        if problem:
            raise forms.ValidationError(problem)
        return body


class ActionForm(forms.Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Action", error_messages={"required": "Enter the action"}
    )
    owner = forms.ModelChoiceField(
        queryset=ForumMember.objects.none(), required=False, label="Who owns it?", empty_label="Nobody yet"
    )
    due_on = DateField(required=False, label="Due date")

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = lambda m: m.name  # type: ignore[attr-defined]


class ActionUpdateForm(ActionForm):
    status = forms.ChoiceField(choices=Action.Status.choices, widget=forms.RadioSelect, label="Status")
    update_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Progress update")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].disabled = True


class DecisionForm(forms.Form):
    what = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was decided?",
        error_messages={"required": "Enter what was decided"},
    )
    why = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why?",
        help_text="The reasons, and what people said that shaped the decision.",
        error_messages={"required": "Enter why it was decided"},
    )


class AttendanceForm(forms.Form):
    """One checkbox (and, for lay partners, hours) per member."""

    def __init__(
        self,
        *args: Any,
        members: list[ForumMember],
        recorded: dict[int, bool],
        default_hours: Decimal,
        apologies: set[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        self.rows: list[dict[str, Any]] = []
        for member in members:
            field_name = f"attended_{member.pk}"
            self.fields[field_name] = forms.BooleanField(
                required=False,
                label=f"{member.name} ({member.get_role_display().lower()})",
                initial=recorded.get(member.pk, False),
                help_text="Sent apologies" if apologies and member.pk in apologies else "",
            )
            row: dict[str, Any] = {"member": member, "attended": field_name, "hours": None}
            if member.is_lay:
                hours_name = f"hours_{member.pk}"
                self.fields[hours_name] = forms.DecimalField(
                    required=False,
                    min_value=Decimal("0.25"),
                    max_value=Decimal("24"),
                    decimal_places=2,
                    label=f"Hours for {member.name}",
                    initial=default_hours,
                    help_text="The meeting's length, to the nearest quarter hour. Change it if they were there for less time.",
                    error_messages={"invalid": "Enter the hours as a number, like 2.5"},
                )
                row["hours"] = hours_name
            self.rows.append(row)

    def cleaned_rows(self) -> list[tuple[ForumMember, bool, Decimal | None]]:
        rows = []
        for row in self.rows:
            hours = self.cleaned_data.get(row["hours"]) if row["hours"] else None
            rows.append((row["member"], bool(self.cleaned_data.get(row["attended"])), hours))
        return rows

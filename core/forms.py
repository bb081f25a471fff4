"""Forms for core pages (notification preferences, the reminder thresholds in the admin), and what
every list page's filters share: whatever is typed or pasted into the address bar, a list page
answers with a message or ignores it, never with a server error (tests/core/test_query_fuzz.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from core.models import NotificationFrequency, ReminderSettings
from core.notifications import KindGroup


class NotificationPreferencesForm(forms.Form):
    """One question per group of messages: straight away, weekly summary, or not at all."""

    def __init__(self, *args: Any, groups: list[KindGroup], initial_frequencies: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[group.key] = forms.ChoiceField(
                label=group.label,
                help_text=group.hint,
                choices=NotificationFrequency.choices,
                widget=forms.RadioSelect,
                initial=initial_frequencies.get(group.key, NotificationFrequency.IMMEDIATELY),
            )

    def frequencies(self) -> dict[str, str]:
        return {group.key: self.cleaned_data[group.key] for group in self.groups}


# The widest thresholds that still make sense: a reminder more than two weeks ahead is forgotten by
# the day, and a reminder about something a year old is no use to anyone.
MAX_REMINDER_HOURS = 14 * 24
MAX_REMINDER_DAYS = 365
_DAY_FIELDS = (
    "unclaimed_after_days",
    "claim_deadline_warning_days",
    "lead_digest_after_days",
    "finance_digest_after_days",
    "notes_first_reminder_days",
    "notes_second_reminder_days",
    "outcome_after_days",
)


class ReminderSettingsForm(forms.ModelForm):
    """The reminder thresholds network admins change in the admin, checked so no reminder is
    switched off or scrambled by mistake (0 hours would never remind anyone)."""

    class Meta:
        model = ReminderSettings
        fields = ("activity_reminder_hours", *_DAY_FIELDS)

    def clean_activity_reminder_hours(self) -> int:
        hours = self.cleaned_data["activity_reminder_hours"]
        if not 1 <= hours <= MAX_REMINDER_HOURS:
            raise forms.ValidationError(
                f"Enter a number of hours between 1 and {MAX_REMINDER_HOURS} (two weeks)", code="out_of_range"
            )
        return int(hours)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in _DAY_FIELDS:
            days = cleaned.get(name)
            if days is not None and not 1 <= days <= MAX_REMINDER_DAYS:
                self.add_error(name, f"Enter a number of days between 1 and {MAX_REMINDER_DAYS}")
        first = cleaned.get("notes_first_reminder_days")
        second = cleaned.get("notes_second_reminder_days")
        if (
            first is not None
            and second is not None
            and second <= first
            and "notes_second_reminder_days" not in self.errors
        ):
            self.add_error(
                "notes_second_reminder_days",
                f"The second reminder about unpublished notes must come after the first ({first} days)",
            )
        return cleaned


# --- Filters read from the query string ---------------------------------------------------------

# Dates a filter accepts: any real record's, and far enough from the ends of the calendar
# (date.max is 31 December 9999) that "the day after the end of the range" is still a date.
EARLIEST_FILTER_DATE = date(1900, 1, 1)
LATEST_FILTER_DATE = date(2999, 12, 31)
# The largest id PostgreSQL's bigint holds.
LARGEST_ID = 2**63 - 1


class FilterForm(forms.Form):
    """The base of every form that filters a list from the query string.

    Text fields already refuse NUL characters ("Null characters are not allowed."), which
    PostgreSQL cannot store or compare. Dates are kept between EARLIEST_FILTER_DATE and
    LATEST_FILTER_DATE, with a message on the field."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(field, forms.DateField) and value and not EARLIEST_FILTER_DATE <= value <= LATEST_FILTER_DATE:
                self.add_error(
                    name,
                    f"Enter a date between {EARLIEST_FILTER_DATE:%-d %B %Y} and {LATEST_FILTER_DATE:%-d %B %Y}",
                )
        return data


def query_id(value: str | None) -> int | None:
    """A record's id from the query string, or None if it cannot be one: only ASCII digits (`str.isdigit`
    also accepts superscripts and other scripts' digits, which int() refuses or reads differently) and no
    larger than a bigint."""
    if not value or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= LARGEST_ID else None


def query_search(value: str | None, *, max_length: int = 100) -> str:
    """Words to search for from the query string: without NUL and other control characters, which no
    one can type into a search box and PostgreSQL cannot compare, and no longer than a search box."""
    return "".join(c for c in (value or "") if c.isprintable() or c == " ")[:max_length].strip()

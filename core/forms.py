"""Forms for core pages (notification preferences, the reminder thresholds in the admin), and the
date and time fields every form in the portal uses.

Dates are asked for with the NHS.UK date input: three boxes, day, month and year. A browser's own
date picker (``type="date"``) cannot show a date in the format Django writes it, so saved dates
looked empty when a form was opened again; and the NHS service manual asks for the three boxes.
Times are one text box that takes a time as people write it ("10am", "2:30pm", "14:30", "midday")
and shows a saved time the way every page writes it ("10am"). Separate hour and minute boxes
would force the 24-hour clock, which the NHS style does not use, or need a third am/pm question.

    from core.forms import DateField, TimeField
    due_on = DateField(label="Due date", required=False)
    start_time = TimeField(label="Start time", error_messages={"required": "Enter the start time"})
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms

from core.formatting import date_text, time_text
from core.models import NotificationFrequency, ReminderSettings
from core.notifications import KindGroup

INVALID_DATE = "Enter a real date, like 27 3 2026"
DATE_HINT = "For example, 27 3 2026"
INVALID_TIME = "Enter a time, like 10am, 2:30pm or 14:30"
TIME_HINT = "For example, 10am, 2:30pm or 14:30"

# Month names and their short forms, as people type them ("27 March 2025", "27 mar 2025").
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class DateInput(forms.MultiWidget):
    """The NHS.UK date input: day, month and year boxes (``name_day``, ``name_month``, ``name_year``).

    The crispy pack draws it as a fieldset with a legend (templates/nhsuk/field/multi.html). A
    request that sends the whole date under the field's own name, as ISO 8601 ("2026-03-27"), is
    understood too, so links such as ``/activities/?date_from=2026-03-01`` keep working.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def box() -> forms.TextInput:
            return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

        super().__init__({"day": box(), "month": box(), "year": box()}, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            value = _iso_date(value) or value
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str | None]:
        parts: list[str | None] = super().value_from_datadict(data, files, name)
        whole = data.get(name)
        if whole and all(part in (None, "") for part in parts):
            day = _iso_date(str(whole))
            # Something we cannot read is shown back in the first box, and is an invalid date.
            return self.decompress(day) if day else [str(whole), None, None]
        return parts

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


class DateField(forms.MultiValueField):
    """A date typed as day, month and year. Every date a person types in the portal uses it.

    Whatever is wrong (a box left empty, a 31 February, a two-digit year), the message is the
    same: "Enter a real date, like 27 3 2026", and the boxes show what was typed. The month may
    be a name ("March" or "mar") as well as a number.
    """

    widget = DateInput
    default_error_messages = {"invalid": INVALID_DATE, "incomplete": INVALID_DATE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        error_messages = {**(kwargs.pop("error_messages", None) or {})}
        error_messages.pop("invalid", None)  # one message for an invalid date, everywhere
        parts = (
            forms.CharField(required=False, strip=True),
            forms.CharField(required=False, strip=True),
            forms.CharField(required=False, strip=True),
        )
        super().__init__(fields=parts, require_all_fields=False, error_messages=error_messages, **kwargs)

    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any(data_list):
            return None
        day_text, month_text, year_text = (str(part or "").strip().lower() for part in data_list)
        month = MONTH_NUMBERS.get(month_text) if not month_text.isdigit() else int(month_text)
        if not (day_text.isdigit() and month and year_text.isdigit() and len(year_text) == 4):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            value = date(int(year_text), month, int(day_text))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if value.year < 1900:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class TimeInput(forms.TextInput):
    """One box for a time; a saved time is shown as the pages write it ("10am", "2:30pm")."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"class": "nhsuk-input--width-5", "autocomplete": "off", "spellcheck": "false"}
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, time | datetime):
            return time_text(value)
        return super().format_value(value)


_WORDS = {"midday": time(12, 0), "noon": time(12, 0), "midnight": time(0, 0)}
_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?(?P<half>am|pm)?$")


def parse_time(text: str) -> time | None:
    """A time as people write it, or None.

    "10am", "10:30am", "10.30 p.m.", "2pm", "12pm" (midday), "12am" (midnight), "midday", "noon",
    "midnight", and the 24-hour clock with minutes: "14:30", "09:00", "1430". A bare "3" could be
    3am or 3pm, so it is not accepted.
    """
    cleaned = re.sub(r"\s+", "", str(text).lower()).replace("a.m.", "am").replace("p.m.", "pm")
    if cleaned in ("12midday", "12noon", "12midnight"):
        cleaned = cleaned[2:]
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _CLOCK.match(cleaned)
    if not match:
        return None
    hour, minute, half = int(match["hour"]), int(match["minute"] or 0), match["half"]
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match["minute"] is None or hour > 23:
        return None
    return time(hour, minute)


class TimeField(forms.TimeField):
    """A time typed in one box, in the 12-hour or the 24-hour clock (see ``parse_time``)."""

    widget = TimeInput
    default_error_messages = {"invalid": INVALID_TIME}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", TIME_HINT)
        error_messages = {**(kwargs.pop("error_messages", None) or {})}
        error_messages.pop("invalid", None)  # one message for a time we cannot read, everywhere
        super().__init__(error_messages=error_messages, **kwargs)

    def to_python(self, value: Any) -> time | None:
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        if isinstance(value, datetime):
            return value.time()
        parsed = parse_time(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


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
            if (
                isinstance(field, (forms.DateField, DateField))
                and value
                and not EARLIEST_FILTER_DATE <= value <= LATEST_FILTER_DATE
            ):
                self.add_error(
                    name,
                    f"Enter a date between {date_text(EARLIEST_FILTER_DATE)} and {date_text(LATEST_FILTER_DATE)}",
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

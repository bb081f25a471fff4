"""Dates and times written the NHS way, for pages, emails, notifications and reports alike.

The NHS.UK content style guide writes times with the 12-hour clock and no ":00" on the hour
("10am", "10:30am", "midday", "midnight") and dates in full ("27 March 2026"). Every place the
portal shows a date or a time calls one of these functions (templates through the filters of
the ``portal`` template library), so a person never sees "10:00 a.m." on one page and "10am" on
the next. Aware datetimes are shown in UK time (Europe/London) whatever the active time zone.

    date_text(date(2026, 3, 27))              -> "27 March 2026"
    day_text(date(2026, 3, 27))               -> "Friday 27 March 2026"
    time_text(time(14, 30))                   -> "2:30pm"
    datetime_text(moment)                     -> "27 March 2026, 2:30pm"
    moment_text(moment)                       -> "27 March 2026 at 2:30pm" (in a sentence)
    moment_text(moment, with_day=True)        -> "Friday 27 March 2026 at 2:30pm"
    when_text(starts_at, ends_at)             -> "Friday 27 March 2026, 10am to 12:30pm"
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

UK_TIME = ZoneInfo("Europe/London")


def local_datetime(value: datetime) -> datetime:
    """An aware datetime in UK time; a naive one is taken to be UK time already."""
    if timezone.is_naive(value):
        return value
    return timezone.localtime(value, UK_TIME)


def local_date(value: date | datetime) -> date:
    """The UK calendar day of a moment (a date is returned as it is)."""
    if isinstance(value, datetime):
        return local_datetime(value).date()
    return value


def date_text(value: date | datetime | None) -> str:
    """ "27 March 2026" (the UK day, for a datetime). Empty for no date."""
    if value is None or value == "":
        return ""
    day = local_date(value)
    return f"{day.day} {day:%B %Y}"


def day_text(value: date | datetime | None) -> str:
    """ "Friday 27 March 2026": the date with its day of the week."""
    if value is None or value == "":
        return ""
    day = local_date(value)
    return f"{day:%A} {date_text(day)}"


def time_text(value: time | datetime | None) -> str:
    """ "10am", "10:30am", "2:05pm", "midday" or "midnight" (UK time, for a datetime)."""
    if value is None or value == "":
        return ""
    moment = local_datetime(value).timetz() if isinstance(value, datetime) else value
    if moment.minute == 0:
        if moment.hour == 0:
            return "midnight"
        if moment.hour == 12:
            return "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def datetime_text(value: datetime | None) -> str:
    """ "27 March 2026, 2:30pm": when something happened (sent, approved, compiled)."""
    if value is None or value == "":
        return ""
    return f"{date_text(value)}, {time_text(value)}"


def moment_text(value: datetime, *, with_day: bool = False) -> str:
    """ "27 March 2026 at 2:30pm", or "Friday 27 March 2026 at 2:30pm": a moment inside a sentence
    ("The meeting is now on ...", "was compiled on ...")."""
    return f"{day_text(value) if with_day else date_text(value)} at {time_text(value)}"


def when_text(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """ "Friday 27 March 2026, 10am to 12:30pm": when an activity or meeting happens.

    An end on a later day is written in full: "Friday 27 March 2026, 10am to Saturday 28 March
    2026, 1pm".
    """
    text = f"{day_text(starts_at)}, {time_text(starts_at)}"
    if ends_at is None:
        return text
    if local_date(ends_at) == local_date(starts_at):
        return f"{text} to {time_text(ends_at)}"
    return f"{text} to {day_text(ends_at)}, {time_text(ends_at)}"

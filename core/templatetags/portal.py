from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import template

from core import formatting
from core.dashboard import sections_html
from core.money import format_money

register = template.Library()


@register.filter
def dashboard_sections(sections: Any, prefix: str = "section") -> Any:
    """`{{ sections|dashboard_sections:"home-section" }}`: home page sections (core.dashboard)."""
    return sections_html(sections, prefix)


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """Show an amount as £1,234.50."""
    return format_money(value)


@register.filter
def suppressed(count: int | None) -> str:
    """Small counts (under 5) show as "<5" so nobody can be identified from a report."""
    if count is None:
        return "0"
    return "<5" if 0 < count < 5 else f"{count:,}"


# Dates and times, NHS style (core/formatting.py). Each gives "" for no value, so
# ``{{ action.due_on|date_text|default:"No date" }}`` works. ISO 8601 text (as in a person's
# data export, "2026-03-27T10:00:00+00:00") is read as the date or moment it stands for.


def _from_iso(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return None


@register.filter
def date_text(value: date | datetime | None) -> str:
    """27 March 2026"""
    return formatting.date_text(_from_iso(value))


@register.filter
def day_text(value: date | datetime | None) -> str:
    """Friday 27 March 2026"""
    return formatting.day_text(_from_iso(value))


@register.filter
def time_text(value: time | datetime | None) -> str:
    """10am, 10:30am, midday, midnight"""
    return formatting.time_text(_from_iso(value))


@register.filter
def datetime_text(value: datetime | None) -> str:
    """27 March 2026, 2:30pm"""
    return formatting.datetime_text(_from_iso(value))


@register.filter
def when_text(starts_at: datetime | None, ends_at: datetime | None = None) -> str:
    """``{{ meeting.starts_at|when_text:meeting.ends_at }}``: Friday 27 March 2026, 10am to 12:30pm"""
    if not starts_at:
        return ""
    return formatting.when_text(starts_at, ends_at or None)

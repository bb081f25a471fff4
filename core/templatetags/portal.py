from __future__ import annotations

from decimal import Decimal

from django import template

from core.money import format_money

register = template.Library()


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

"""How an indicator value is written: the same text in the HTML page, the PDF and the CSV."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.money import format_money

NO_DATA = "No data"


def _trim(number: float) -> str:
    text = f"{number:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def display_value(value: Any, unit: str) -> str:
    """`unit` is one of count, percent, money, days, score."""
    if value is None:
        return NO_DATA
    if isinstance(value, str) and unit != "money":
        return value
    if unit == "count":
        return f"{int(value):,}"
    if unit == "percent":
        return f"{_trim(float(value))}%"
    if unit == "money":
        return format_money(Decimal(str(value)))
    if unit == "days":
        return f"{_trim(float(value))} days"
    if unit == "score":
        return f"{float(value):.1f}"
    return str(value)


# The network's small-number rule: a count from 1 to 4 is shown as "<5", and a figure worked out
# from fewer than 5 (a percentage's base, the lay partners behind an amount, the claims behind a
# median) is not shown at all.
SMALL_NUMBER = 5
SMALL_COUNT = "<5"
SMALL_BASE = "Suppressed"


def suppressed_display(value: Any, unit: str, *, base: int | None = None) -> str:
    """`display_value` with the small-number rule: counts under 5 as "<5"; any other figure whose
    `base` is from 1 to 4 suppressed."""
    if unit == "count":
        count = int(value or 0)
        return SMALL_COUNT if 0 < count < SMALL_NUMBER else display_value(count, unit)
    if base is not None and 0 < base < SMALL_NUMBER:
        return SMALL_BASE
    if not base:
        # Nothing paid is £0.00, as in the network's own figure; no share or median is "No data".
        return display_value("0.00", unit) if unit == "money" else NO_DATA
    return display_value(value, unit)

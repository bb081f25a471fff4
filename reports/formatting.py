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

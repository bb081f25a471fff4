"""Reading one cell of a spreadsheet as a date, a choice, a yes/no or a number.

Every reader raises `CellError` with a plain-English message naming what it expected; the check
adds the column and row. Dates are read the ways people write them in UK spreadsheets:
27/03/2025, 27-03-2025, 2025-03-27, 27 March 2025, 27 Mar 2025, and Excel's own dates (a cell
formatted as a date arrives from openpyxl as a datetime; an unformatted one as a serial number)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from core.forms import MONTH_NUMBERS

# Excel's day 0 (its serials count from 1900-01-00, with the 1900 leap-year bug, so from 1899-12-30).
EXCEL_EPOCH = date(1899, 12, 30)
# Serials between these are days from 1982 to 2064: wide enough for history, narrow enough that a
# phone number or an hours figure is not mistaken for a date.
EXCEL_SERIAL_RANGE = (30000, 60000)

DATE_EXAMPLE = "like 27/03/2025, 2025-03-27 or 27 March 2025"

_NUMERIC_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")
_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?::\d{2})?\s*(?P<half>am|pm)?$")

YES_WORDS = frozenset({"yes", "y", "true", "1", "attended", "agreed", "x", "✓"})
NO_WORDS = frozenset({"no", "n", "false", "0", "did not attend", "not attended", "absent", "declined"})


class CellError(ValueError):
    """A cell that cannot be read as what its column holds. The message is for the person."""


def text(value: Any) -> str:
    """A cell as trimmed text ('' for empty). Whole numbers read as numbers lose Excel's '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    return str(value).strip()


def _real_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise CellError(f"is not a real date (use a date {DATE_EXAMPLE})") from exc


def _serial_date(number: float) -> date:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= number <= high:
        raise CellError(f"is not a date (use a date {DATE_EXAMPLE})")
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(value: Any) -> date | None:
    """None for an empty cell; a date for any of the accepted ways of writing one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_date(float(value))
    raw = str(value).strip().lower()
    if not raw:
        return None
    if match := _NUMERIC_DMY.match(raw):
        return _real_date(int(match[3]), int(match[2]), int(match[1]))
    if match := _ISO.match(raw):
        return _real_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _WORDS.match(raw):
        month = MONTH_NUMBERS.get(match[2])
        if month is None:
            raise CellError(f"has a month we do not recognise (use a date {DATE_EXAMPLE})")
        return _real_date(int(match[3]), month, int(match[1]))
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return _serial_date(float(raw))
    raise CellError(f"is not a date we can read (use a date {DATE_EXAMPLE})")


def parse_time(value: Any) -> time | None:
    """None for empty; 10am, 2:30pm, 14:30, 14.30, or an Excel time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # Excel stores a time as a fraction of a day
        minutes = round(value * 24 * 60)
        return time(minutes // 60 % 24, minutes % 60)
    raw = re.sub(r"\s+", "", str(value).strip().lower())
    if raw in {"midday", "noon"}:
        return time(12, 0)
    match = _CLOCK.match(raw)
    if not match:
        raise CellError("is not a time (use a time like 10am, 2:30pm or 14:30)")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise CellError("is not a time (use a time like 10am, 2:30pm or 14:30)")
        hour = hour % 12 + (12 if match["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise CellError("is not a time (use a time like 10am, 2:30pm or 14:30)")
    return time(hour, minute)


def parse_yes_no(value: Any) -> bool | None:
    raw = text(value).lower()
    if not raw:
        return None
    if raw in YES_WORDS:
        return True
    if raw in NO_WORDS:
        return False
    raise CellError("must be yes or no")


def parse_decimal(value: Any, *, places: int = 2) -> Decimal | None:
    raw = text(value).replace(",", "")
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise CellError("must be a number, like 2 or 1.5") from exc
    if not number.is_finite():
        raise CellError("must be a number, like 2 or 1.5")
    return round(number, places)


def parse_whole_number(value: Any) -> int | None:
    number = parse_decimal(value, places=6)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise CellError("must be a whole number, like 0 or 12")
    return int(number)


def _key(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def choice_lookup(choices: type[models.TextChoices], extra: dict[str, str] | None = None) -> dict[str, str]:
    """{normalised label or value: value} for a set of choices, plus any extra words."""
    table = {}
    for value, label in choices.choices:
        table[_key(str(value))] = str(value)
        table[_key(str(label))] = str(value)
    for word, value in (extra or {}).items():
        table[_key(word)] = value
    return table


def parse_choice(value: Any, table: dict[str, str], choices: type[models.TextChoices]) -> str | None:
    raw = text(value)
    if not raw:
        return None
    found = table.get(_key(raw))
    if found is None:
        labels = ", ".join(str(label) for label in choices.labels)
        raise CellError(f"must be one of: {labels}")
    return found


def parse_choices(value: Any, table: dict[str, str], choices: type[models.TextChoices]) -> list[str]:
    """Several choices in one cell, separated by commas or semicolons."""
    raw = text(value)
    found: list[str] = []
    for part in re.split(r"[;,\n]", raw):
        if part.strip():
            item = parse_choice(part, table, choices)
            if item and item not in found:
                found.append(item)
    return found


def normalise_header(value: Any) -> str:
    """'  Email Address ' / 'email_address' / 'E-mail address:' -> 'email address'."""
    return _key(text(value).replace("_", " ").replace("-", ""))


def normalised_headers(values: Iterable[Any]) -> list[str]:
    return [normalise_header(value) for value in values]

"""UK phone numbers and postcodes: checked, then stored in one tidy form."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_PHONE_STRIP = re.compile(r"[\s\-().]")
_UK_PHONE = re.compile(r"^0\d{9,10}$")
_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2})$")

PHONE_ERROR = "Enter a UK phone number, like 01632 960 001, 07700 900 982 or +44 7700 900 982"
POSTCODE_ERROR = "Enter a real postcode, like SO16 7NS"


def normalise_uk_phone(value: str) -> str:
    """'+44 (0)7700 900-982' -> '07700900982'. Raises ValidationError if it is not a UK number."""
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = _PHONE_STRIP.sub("", raw)
    if digits.startswith("+44"):
        digits = digits[3:]
        if digits.startswith("0"):
            digits = digits[1:]
        digits = "0" + digits
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if not _UK_PHONE.match(digits):
        raise ValidationError(PHONE_ERROR, code="invalid_phone")
    return digits


def normalise_postcode(value: str) -> str:
    """'so167ns' -> 'SO16 7NS'. Raises ValidationError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (value or "")).upper()
    if not compact:
        return ""
    if not _POSTCODE.match(compact):
        raise ValidationError(POSTCODE_ERROR, code="invalid_postcode")
    return f"{compact[:-3]} {compact[-3:]}"

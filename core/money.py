"""Money is Decimal, rounded once, half-up, to the penny; typed amounts are read exactly or refused.

What a person may type for an amount (and for miles), and nothing else:

* digits, with an optional point and digits after it: ``12``, ``12.5``, ``12.50``;
* a pound sign in front, for money: ``£12.50``;
* commas between thousands, only where they belong: ``1,250.00`` (not ``12,50`` or ``1,2500``);
* spaces before or after (a phone keyboard adds them), and a minus sign in front, so that the
  caller can say "must be more than £0" rather than "not a number".

Everything else is refused with a message that says what to type: a comma used as a decimal point
(``2,50`` would otherwise be read as £250), exponents (``1e2``), underscores (``1_000``), other
scripts' digits, ``NaN`` and ``Infinity``. Python's ``Decimal()`` accepts most of those, which is
why nothing here hands typed text to it before the pattern has matched."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")

# The whole grammar. ASCII digits only: `\d` would also match Arabic-Indic or full-width digits.
_NUMBER = re.compile(
    r"""
    (?P<minus>-)?
    (?P<pound>£)?
    (?P<whole>[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)
    (?:\.(?P<fraction>[0-9]+))?
    """,
    re.VERBOSE | re.ASCII,
)
# Spaces a keyboard or a copy and paste may add before or after (not every Unicode space).
_AROUND = " \t\r\n\u00a0"
# "2,50" or "12,5": a comma where a point was meant (the way amounts are written in much of Europe).
_COMMA_FOR_POINT = re.compile(r"-?£?[0-9]+,[0-9]{1,2}", re.ASCII)


class AmountError(ValueError):
    """Typed text that is not an amount the portal accepts. The message says what to type."""


def round_money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | int | str | None) -> str:
    if value is None:
        return ""
    amount = round_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def _read(value: object, *, pound_sign: bool) -> Decimal | None:
    """The number `value` spells under the grammar above, or None if it spells none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if not isinstance(value, str):
        return None
    match = _NUMBER.fullmatch(value.strip(_AROUND))
    if match is None or (match["pound"] and not pound_sign):
        return None
    text = match["whole"].replace(",", "")
    if match["fraction"] is not None:
        text = f"{text}.{match['fraction']}"
    return -Decimal(text) if match["minus"] else Decimal(text)


def parse_money(value: object, *, what: str = "The amount") -> Decimal:
    """An amount of money exactly as typed (``12.50``, ``£12.50``, ``12``, ``1,250.00``), or an
    AmountError whose message says what to type. Whether it is big or small enough is the
    caller's rule."""
    amount = _read(value, pound_sign=True)
    if amount is None:
        if isinstance(value, str) and _COMMA_FOR_POINT.fullmatch(value.strip(_AROUND)):
            raise AmountError(f"{what} must have a full stop between pounds and pence, like 2.50")
        raise AmountError(f"{what} must be an amount of money, like 12.50 or £1,250.00")
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise AmountError(f"{what} must be in pounds and pence, with no more than 2 numbers after the point")
    return amount


def parse_miles(value: object, *, what: str = "Miles") -> Decimal:
    """A distance exactly as typed (``12``, ``23.5``, ``1,000``), or an AmountError whose message
    says what to type. How many places and how far are the caller's rules."""
    miles = _read(value, pound_sign=False)
    if miles is None:
        if isinstance(value, str) and _COMMA_FOR_POINT.fullmatch(value.strip(_AROUND)):
            raise AmountError(f"{what} must have a full stop before any part of a mile, like 12.5")
        raise AmountError(f"{what} must be a number, like 12.5")
    return miles

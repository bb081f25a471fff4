"""Payments to lay partners: money paid, claims by state and how long payment takes."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce

from payments.models import Claim, ClaimLine, ClaimStatus, LineKind
from payments.selectors import payment_turnaround
from reports.indicator_base import by_quarter, in_quarter, indicator, per_quarter

if TYPE_CHECKING:
    from reports.indicator_base import Scope, Window

MONEY_TABLE = "Money paid to lay partners"
CLAIMS_TABLE = "Claims submitted in the quarter, by where they are now"
TURNAROUND_TABLE = "Days from submitting a claim to being paid"


def add(section: dict[str, Any], scope: Scope, window: Window) -> None:
    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Decimal("0.00")
    lines = ClaimLine.objects.filter(
        scope.q("claim__organisation"),
        claim__status=ClaimStatus.PAID,
        claim__paid_at__gte=window.start_datetime,
        claim__paid_at__lt=window.end_datetime,
    )
    paid = lines.aggregate(
        **per_quarter(
            window,
            "fees",
            lambda q: Coalesce(
                Sum("amount", filter=in_quarter("claim__paid_at", q) & Q(kind=LineKind.FEE)), zero, output_field=money
            ),
        ),
        **per_quarter(
            window,
            "expenses",
            lambda q: Coalesce(
                Sum("amount", filter=in_quarter("claim__paid_at", q) & ~Q(kind=LineKind.FEE)), zero, output_field=money
            ),
        ),
        **per_quarter(
            window, "claims_paid", lambda q: Count("claim", distinct=True, filter=in_quarter("claim__paid_at", q))
        ),
    )
    rows = section["indicators"]
    fees = by_quarter(window, paid, "fees")
    expenses = by_quarter(window, paid, "expenses")
    rows.append(
        indicator(
            key="payments.fees",
            label="Involvement payments paid",
            unit="money",
            table=MONEY_TABLE,
            values=fees,
            window=window,
        )
    )
    rows.append(
        indicator(
            key="payments.expenses",
            label="Expenses paid",
            unit="money",
            table=MONEY_TABLE,
            values=expenses,
            window=window,
        )
    )
    rows.append(
        indicator(
            key="payments.total",
            label="Total paid",
            unit="money",
            table=MONEY_TABLE,
            values={q: (fees[q] or zero) + (expenses[q] or zero) for q in window.quarters},
            window=window,
        )
    )
    rows.append(
        indicator(
            key="payments.claims_paid",
            label="Claims paid",
            unit="count",
            table=MONEY_TABLE,
            values=by_quarter(window, paid, "claims_paid"),
            window=window,
        )
    )
    section["charts"].append(
        {
            "key": "trend_paid",
            "kind": "trend",
            "unit": "money",
            "title": "Involvement payments and expenses paid (pounds), last four quarters",
            "labels": [q.label for q in window.trend],
            "values": [float((fees[q] or zero) + (expenses[q] or zero)) for q in window.trend],
        }
    )

    # Claims by state: claims first submitted in the quarter, by their status now.
    submitted = Claim.objects.filter(
        scope.q(),
        first_submitted_at__gte=window.start_datetime,
        first_submitted_at__lt=window.end_datetime,
    )
    states = [
        (ClaimStatus.SUBMITTED, "Waiting for approval"),
        (ClaimStatus.RETURNED, "Returned for changes"),
        (ClaimStatus.APPROVED, "Approved, not yet paid"),
        (ClaimStatus.PAID, "Paid"),
        (ClaimStatus.REJECTED, "Rejected"),
        (ClaimStatus.WITHDRAWN, "Withdrawn"),
    ]
    state_row = submitted.aggregate(
        **{
            f"{value}__{q.year}_{q.quarter}": Count("pk", filter=in_quarter("first_submitted_at", q) & Q(status=value))
            for value, _label in states
            for q in window.quarters
        },
        **per_quarter(window, "all", lambda q: Count("pk", filter=in_quarter("first_submitted_at", q))),
    )
    rows.append(
        indicator(
            key="claims.all",
            label="Claims submitted",
            unit="count",
            table=CLAIMS_TABLE,
            values=by_quarter(window, state_row, "all"),
            window=window,
        )
    )
    for value, label in states:
        rows.append(
            indicator(
                key=f"claims.{value}",
                label=label,
                unit="count",
                table=CLAIMS_TABLE,
                values=by_quarter(window, state_row, value),
                window=window,
            )
        )

    # Turnaround: the payments app's own selector, once for each period shown.
    org_ids = scope.organisation_ids()
    turnaround = {q: payment_turnaround(org_ids, q.start, q.end) for q in window.period_quarters.values()}
    for key, label in (("median_days", "Median days to payment"), ("p90_days", "90th percentile: days to payment")):
        rows.append(
            indicator(
                key=f"payments.{key}",
                label=label,
                unit="days",
                table=TURNAROUND_TABLE,
                values={q: result[key] for q, result in turnaround.items()},
                window=window,
            )
        )

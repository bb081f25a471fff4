"""Comparing AHSNs: the network report's headline indicators with one row per AHSN.

Only the network report has it (an AHSN's report never holds another AHSN's figures). Each figure
is this quarter's, counted exactly as the indicator is for the whole network, and computed for
every AHSN at once (one GROUP BY organisation query per source table: a fixed number of queries
however many AHSNs there are). The network's small-number rule applies to every cell
(`reports.formatting.suppressed_display`): counts from 1 to 4 are shown as "<5", and a share,
an amount or a median worked out from fewer than 5 is not shown.

What is stored is display text only, so a suppressed figure never reaches the stored report.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from accounts.models import Organisation
from core.choices import LadderLevel
from involvement.models import Outcome
from payments.models import ClaimLine, ClaimStatus
from payments.selectors import payment_turnaround_by_organisation
from reports.formatting import suppressed_display
from reports.indicators import Scope, Window, counted_activities, counted_participations, in_quarter

# The figures a board reads first, in this order: the top of the report and its comparison.
HEADLINE_KEYS = (
    "activities.total",
    "activities.codesign_or_coproduction_share",
    "partners.involved",
    "outcomes.total",
    "payments.total",
    "payments.median_days",
)

# Where the raw cells sit among the builders' results while a report compiles.
COMPARISON_KEY = "comparison"

# (value, base) for one AHSN: the base is what the small-number rule looks at.
Cell = tuple[Any, int | None]


def _activity_cells(scope: Scope, window: Window) -> dict[str, dict[int, Cell]]:
    rows = (
        counted_activities(scope, window)
        .filter(in_quarter("starts_at", window.quarter))
        .values("organisation_id")
        .annotate(
            total=Count("pk"),
            upper=Count("pk", filter=Q(level__in=[LadderLevel.CO_DESIGN, LadderLevel.CO_PRODUCTION])),
        )
        .order_by()
    )
    totals: dict[int, Cell] = {}
    shares: dict[int, Cell] = {}
    for row in rows:
        total = row["total"]
        totals[row["organisation_id"]] = (total, total)
        shares[row["organisation_id"]] = (round(100 * row["upper"] / total, 1) if total else None, total)
    return {"activities.total": totals, "activities.codesign_or_coproduction_share": shares}


def _partner_cells(scope: Scope, window: Window) -> dict[str, dict[int, Cell]]:
    rows = (
        counted_participations(scope, window)
        .filter(in_quarter("activity__starts_at", window.quarter))
        .values("activity__organisation_id")
        .annotate(n=Count("partner_id", distinct=True))
        .order_by()
    )
    return {"partners.involved": {row["activity__organisation_id"]: (row["n"], row["n"]) for row in rows}}


def _outcome_cells(scope: Scope, window: Window) -> dict[str, dict[int, Cell]]:
    rows = (
        Outcome.objects.filter(scope.q(), in_quarter("decided_on", window.quarter, dates=True))
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {"outcomes.total": {row["organisation_id"]: (row["n"], row["n"]) for row in rows}}


def _payment_cells(scope: Scope, window: Window, organisation_ids: list[int]) -> dict[str, dict[int, Cell]]:
    """Money paid (fees and expenses), judged by how many lay partners it was paid to; the median
    days to payment, judged by how many claims were paid."""
    quarter = window.quarter
    rows = (
        ClaimLine.objects.filter(
            scope.q("claim__organisation"),
            in_quarter("claim__paid_at", quarter),
            claim__status=ClaimStatus.PAID,
        )
        .values("claim__organisation_id")
        .annotate(total=Sum("amount"), partners=Count("claim__partner_id", distinct=True))
        .order_by()
    )
    money: dict[int, Cell] = {
        row["claim__organisation_id"]: (str(row["total"] or Decimal("0.00")), row["partners"]) for row in rows
    }
    turnaround = payment_turnaround_by_organisation(organisation_ids, quarter.start, quarter.end)
    median: dict[int, Cell] = {pk: (result["median_days"], result["count"]) for pk, result in turnaround.items()}
    return {"payments.total": money, "payments.median_days": median}


def compare_ahsns(scope: Scope, window: Window) -> dict[str, Any]:
    """Raw cells for every AHSN (the network report only; {} for an AHSN's report):
    `{"organisations": [[id, name], ...], "cells": {indicator key: {id: [value, base]}}}`."""
    if not scope.is_network:
        return {}
    organisations = list(
        Organisation.objects.filter(kind=Organisation.Kind.AHSN).order_by("name").values_list("pk", "name")
    )
    ids = [pk for pk, _name in organisations]
    cells: dict[str, dict[int, Cell]] = {
        **_activity_cells(scope, window),
        **_partner_cells(scope, window),
        **_outcome_cells(scope, window),
        **_payment_cells(scope, window, ids),
    }
    return {"organisations": organisations, "cells": cells}


def comparison_tables(raw: dict[str, Any], indicators: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One table per headline indicator (label and unit as the report shows them), each with one
    row per AHSN, in name order, written with the small-number rule. An AHSN with nothing counted
    shows 0 for a count and "No data" for anything else."""
    if not raw:
        return []
    tables = []
    for key in HEADLINE_KEYS:
        row = indicators.get(key)
        if row is None:
            continue
        unit = row["unit"]
        by_organisation = raw["cells"].get(key, {})
        rows = []
        for pk, name in raw["organisations"]:
            value, base = by_organisation.get(pk, (None, None))
            rows.append({"organisation": name, "display": suppressed_display(value, unit, base=base)})
        tables.append({"key": key, "label": row["label"], "unit": unit, "rows": rows})
    return tables

"""Priority 2.2: equality monitoring of the scope's lay partners, only ever as suppressed counts.

The counts come from `partners.selectors.equality_aggregates`, which suppresses counts from 1
to 4 as "<5" and hides a second cell where one suppressed count could otherwise be worked out.
They describe the partners linked to the scope on the day the report is compiled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partners.selectors import equality_aggregates

if TYPE_CHECKING:
    from reports.indicator_base import Scope, Window


def add(section: dict[str, Any], scope: Scope, window: Window) -> None:
    aggregates = equality_aggregates(scope.organisation_ids())
    section["equality"] = [
        {"question": str(question), "rows": [[str(label), str(count)] for label, count in answers]}
        for question, answers in aggregates.items()
    ]

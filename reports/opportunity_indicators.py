"""Opportunities in the quarterly report.

Priority 1 (visible leadership): opportunities published (opened in the quarter) and the median
days from opening to filled (for those filled in the quarter).
Priority 2 (diverse perspectives): people who said they were interested (interest recorded in the
quarter), people new to involvement who were selected (no attended activity before they were
chosen), and the share of people selected who belong to a seldom-heard group by their own equality
answers. That share is suppressed ("<5") when fewer than five such people were selected, like
every other count of people in the report.

Each is one conditional aggregate per quarter of the window: a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q

from core.templatetags.portal import suppressed
from involvement.models import ActivityStatus, Participation
from opportunities.models import Interest, InterestStatus, Opportunity
from partners.models import PREFER_NOT_TO_SAY, EqualityMonitoring
from reports.aggregates import Percentile
from reports.indicator_base import Scope, Window, by_quarter, in_quarter, indicator, per_quarter

if TYPE_CHECKING:
    from core.quarters import FinancialQuarter

LEADERSHIP_TABLE = "Opportunities to take part"
DIVERSITY_TABLE = "Who came forward for opportunities"


def _days(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86400 / 1_000_000, 1)


def add_leadership(section: dict[str, Any], scope: Scope, window: Window) -> None:
    row = Opportunity.objects.filter(scope.q()).aggregate(
        **per_quarter(window, "published", lambda q: Count("pk", filter=in_quarter("opened_at", q))),
        **per_quarter(
            window,
            "to_filled",
            lambda q: Percentile(F("filled_at") - F("opened_at"), 0.5, filter=in_quarter("filled_at", q)),
        ),
    )
    section["indicators"].append(
        indicator(
            key="opportunities.published",
            label="Opportunities published",
            unit="count",
            table=LEADERSHIP_TABLE,
            values=by_quarter(window, row, "published"),
            window=window,
        )
    )
    days = {q: _days(v) for q, v in by_quarter(window, row, "to_filled").items()}
    section["indicators"].append(
        indicator(
            key="opportunities.days_to_filled",
            label="Median days from opening to filled",
            unit="days",
            table=LEADERSHIP_TABLE,
            values=days,
            window=window,
        )
    )


def _seldom_heard() -> Exists:
    return Exists(
        EqualityMonitoring.objects.filter(partner_id=OuterRef("partner_id"), seldom_heard_groups__len__gt=0).exclude(
            seldom_heard_groups=[PREFER_NOT_TO_SAY]
        )
    )


def _involved_before() -> Exists:
    """Had taken part in something (attended, not cancelled) before they were chosen."""
    return Exists(
        Participation.objects.filter(
            partner_id=OuterRef("partner_id"), attended=True, activity__starts_at__lt=OuterRef("decided_at")
        ).exclude(activity__status=ActivityStatus.CANCELLED)
    )


def _share(selected: int | None, seldom: int | None) -> Any:
    if not selected:
        return None
    if seldom and seldom < 5:
        return suppressed(seldom)
    return round(100 * (seldom or 0) / selected, 1)


def add_diversity(section: dict[str, Any], scope: Scope, window: Window) -> None:
    interests = Interest.objects.filter(scope.q("opportunity__organisation")).annotate(
        seldom=_seldom_heard(), before=_involved_before()
    )

    def selected(q: FinancialQuarter) -> Q:
        return in_quarter("decided_at", q) & Q(status=InterestStatus.SELECTED)

    row = interests.aggregate(
        **per_quarter(
            window, "interested", lambda q: Count("partner_id", distinct=True, filter=in_quarter("created_at", q))
        ),
        **per_quarter(window, "selected", lambda q: Count("partner_id", distinct=True, filter=selected(q))),
        **per_quarter(
            window, "selected_new", lambda q: Count("partner_id", distinct=True, filter=selected(q) & Q(before=False))
        ),
        **per_quarter(
            window, "selected_seldom", lambda q: Count("partner_id", distinct=True, filter=selected(q) & Q(seldom=True))
        ),
    )
    chosen = by_quarter(window, row, "selected")
    seldom = by_quarter(window, row, "selected_seldom")
    rows = [
        (
            "opportunities.people_interested",
            "People who said they were interested in an opportunity",
            "count",
            by_quarter(window, row, "interested"),
        ),
        ("opportunities.selected", "People chosen for an opportunity", "count", chosen),
        (
            "opportunities.selected_new",
            "People new to involvement who were chosen",
            "count",
            by_quarter(window, row, "selected_new"),
        ),
        (
            "opportunities.selected_seldom_heard_share",
            "Share of people chosen from seldom-heard groups",
            "percent",
            {q: _share(chosen[q], seldom[q]) for q in window.quarters},
        ),
    ]
    for key, label, unit, values in rows:
        section["indicators"].append(
            indicator(key=key, label=label, unit=unit, table=DIVERSITY_TABLE, values=values, window=window)
        )

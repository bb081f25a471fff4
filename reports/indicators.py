"""The quarterly report's indicators: database aggregation, grouped by strategy priority theme.

`compile_indicators(scope=..., quarter=...)` returns the JSON-ready dictionary a report version
stores. Every indicator is computed for five quarters at once (this quarter back to the same
quarter last year) with one conditional aggregate per quarter, so the number of queries is
fixed whatever the size of the data: never a Python loop over rows.

Values shown for each indicator: this quarter, the previous quarter and the same quarter last
year; the trend charts use the last four quarters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, Min, OuterRef, Q, QuerySet

from accounts.models import Organisation
from core.choices import InnovationStage, InvolvementMethod, LadderLevel, SeldomHeardGroup, SupportType
from core.quarters import FinancialQuarter
from reports.formatting import display_value

PERIODS = ("this", "previous", "last_year")
PERIOD_HEADINGS = {"this": "This quarter", "previous": "Previous quarter", "last_year": "Same quarter last year"}

# The support the strategy asks us to report on, in this order.
REPORTED_SUPPORT = (
    SupportType.INTERPRETER,
    SupportType.BSL,
    SupportType.CARER_COSTS,
    SupportType.BOOKED_TRAVEL,
    SupportType.EASY_READ,
)

THEMES = {
    "1": "Visible leadership",
    "2": "Diverse perspectives",
    "3": "Continuous improvement",
    "4": "Evidence of change",
}

# Theme key for the money section, which is not one of the strategy's priorities.
PAYMENTS_KEY = "payments"


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


def _key(name: str, quarter: FinancialQuarter) -> str:
    return f"{name}__{quarter.year}_{quarter.quarter}"


def per_quarter(window: Window, name: str, make: Callable[[FinancialQuarter], Any]) -> dict[str, Any]:
    """One aggregate expression per quarter of the window, keyed for `.aggregate()`."""
    return {_key(name, q): make(q) for q in window.quarters}


def by_quarter(window: Window, row: dict[str, Any], name: str) -> dict[FinancialQuarter, Any]:
    return {q: row.get(_key(name, q)) for q in window.quarters}


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


def _count_rows(
    *,
    window: Window,
    queryset: QuerySet[Any],
    date_field: str,
    dates: bool = False,
    choices: Iterable[tuple[str, str]],
    field: str,
    prefix: str,
    table: str,
    label: Callable[[str], str],
    extra: Q | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[FinancialQuarter, int]]]:
    """Counts per category and quarter in one query (one conditional COUNT per cell)."""
    choices = list(choices)
    aggregates: dict[str, Any] = {}
    for value, _label in choices:
        for q in window.quarters:
            condition = in_quarter(date_field, q, dates=dates) & Q(**{field: value})
            if extra is not None:
                condition &= extra
            aggregates[_key(f"{prefix}_{value}", q)] = Count("pk", filter=condition)
    row = queryset.aggregate(**aggregates) if aggregates else {}
    counts = {value: by_quarter(window, row, f"{prefix}_{value}") for value, _label in choices}
    rows = [
        indicator(
            key=f"{prefix}.{value}",
            label=label(choice_label),
            unit="count",
            table=table,
            values=counts[value],
            window=window,
        )
        for value, choice_label in choices
    ]
    return rows, counts


# --- Priority 1: visible leadership --------------------------------------------------------------


def programme_active_in(quarter: FinancialQuarter) -> Q:
    """Programmes whose work had started by the end of the quarter and had not closed before it
    began. A closed programme with no closed date (not possible through the portal) never counts."""
    from programmes.models import ProgrammeStatus

    return (
        Q(start_on__lte=quarter.end)
        & (Q(closed_on__isnull=True) | Q(closed_on__gte=quarter.start))
        & ~Q(status=ProgrammeStatus.CLOSED, closed_on__isnull=True)
    )


def _activities(scope: Scope, window: Window) -> QuerySet[Any]:
    from involvement.models import Activity, ActivityStatus

    return Activity.objects.filter(
        scope.q(),
        starts_at__gte=window.start_datetime,
        starts_at__lt=window.end_datetime,
    ).exclude(status=ActivityStatus.CANCELLED)


def visible_leadership(scope: Scope, window: Window) -> dict[str, Any]:
    from involvement.models import Activity, ActivityStatus
    from programmes.models import Programme

    rows: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []

    # Programmes active at some time in the quarter (by when the work started and closed, not
    # when it was entered), and of those the ones with at least one involvement activity (not
    # cancelled) in the quarter.
    def active(q: FinancialQuarter) -> Q:
        return programme_active_in(q)

    def involved(q: FinancialQuarter) -> Exists:
        return Exists(
            Activity.objects.filter(programme_id=OuterRef("pk"))
            .filter(in_quarter("starts_at", q))
            .exclude(status=ActivityStatus.CANCELLED)
        )

    programmes = Programme.objects.filter(scope.q()).aggregate(
        **per_quarter(window, "active", lambda q: Count("pk", filter=active(q))),
        **per_quarter(window, "involved", lambda q: Count("pk", filter=active(q) & Q(involved(q)))),
    )
    active_counts = by_quarter(window, programmes, "active")
    involved_counts = by_quarter(window, programmes, "involved")
    table = "Programmes"
    rows.append(
        indicator(
            key="programmes.active",
            label="Active programmes",
            unit="count",
            table=table,
            values=active_counts,
            window=window,
        )
    )
    rows.append(
        indicator(
            key="programmes.with_involvement",
            label="Active programmes with at least one involvement activity",
            unit="count",
            table=table,
            values=involved_counts,
            window=window,
        )
    )
    rows.append(
        indicator(
            key="programmes.with_involvement_share",
            label="Share of active programmes with involvement",
            unit="percent",
            table=table,
            values=share(involved_counts, active_counts),
            window=window,
        )
    )

    activities = _activities(scope, window)
    totals_row = activities.aggregate(
        **per_quarter(window, "all", lambda q: Count("pk", filter=in_quarter("starts_at", q)))
    )
    totals = by_quarter(window, totals_row, "all")
    table = "Activities by level on the ladder of co-production"
    rows.append(
        indicator(
            key="activities.total",
            label="Involvement activities",
            unit="count",
            table=table,
            values=totals,
            window=window,
        )
    )
    ladder_rows, ladder = _count_rows(
        window=window,
        queryset=activities,
        date_field="starts_at",
        choices=LadderLevel.choices,
        field="level",
        prefix="ladder",
        table=table,
        label=lambda text: text,
    )
    rows.extend(ladder_rows)
    upper = {
        q: (ladder[LadderLevel.CO_DESIGN][q] or 0) + (ladder[LadderLevel.CO_PRODUCTION][q] or 0)
        for q in window.quarters
    }
    rows.append(
        indicator(
            key="activities.codesign_or_coproduction_share",
            label="Share at co-design or co-production",
            unit="percent",
            table=table,
            values=share(upper, totals),
            window=window,
        )
    )
    charts.append(
        {
            "key": "ladder",
            "kind": "bars",
            "title": "Activities by level on the ladder of co-production, this quarter",
            "table": table,
            "labels": [label for _value, label in LadderLevel.choices],
            "values": [ladder[value][window.quarter] or 0 for value, _label in LadderLevel.choices],
        }
    )
    charts.append(
        {
            "key": "trend_activities",
            "kind": "trend",
            "unit": "count",
            "title": "Involvement activities, last four quarters",
            "labels": [q.label for q in window.trend],
            "values": [totals[q] or 0 for q in window.trend],
        }
    )

    stage_choices = [*InnovationStage.choices, ("", "Stage not recorded")]
    stage_rows, _stages = _count_rows(
        window=window,
        queryset=activities,
        date_field="starts_at",
        choices=stage_choices,
        field="stage",
        prefix="stage",
        table="Activities by innovation stage",
        label=lambda text: text,
    )
    rows.extend(stage_rows)

    section: dict[str, Any] = {"indicators": rows, "charts": charts, "examples": [], "notes": []}
    _add_forum(section, scope, window)
    return section


def _add_forum(section: dict[str, Any], scope: Scope, window: Window) -> None:
    """Forum meetings this financial year against three, lay co-chair in post, days to notes."""
    from reports import forum_indicators

    forum_indicators.add(section, scope, window)


# --- Priority 2: diverse perspectives -----------------------------------------------------------


def diverse_perspectives(scope: Scope, window: Window) -> dict[str, Any]:
    from involvement.models import Participation
    from partners.models import LayPartner, PartnerLink

    rows: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []
    table = "Lay partners"

    participations = Participation.objects.filter(
        scope.q("activity__organisation"),
        attended=True,
        activity__starts_at__gte=window.start_datetime,
        activity__starts_at__lt=window.end_datetime,
    ).exclude(activity__status="cancelled")
    unique_row = participations.aggregate(
        **per_quarter(
            window,
            "unique",
            lambda q: Count("partner_id", distinct=True, filter=in_quarter("activity__starts_at", q)),
        )
    )
    unique = by_quarter(window, unique_row, "unique")
    rows.append(
        indicator(
            key="partners.involved",
            label="Lay partners who took part",
            unit="count",
            table=table,
            values=unique,
            window=window,
        )
    )

    # New to this AHSN: the link's joining date. New to the network: their first link anywhere.
    if scope.is_network:
        new_row = (
            LayPartner.objects.annotate(first_joined=Min("links__joined_on"))
            .filter(first_joined__gte=window.quarters[0].start, first_joined__lt=window.quarter.end_exclusive)
            .aggregate(
                **per_quarter(window, "new", lambda q: Count("pk", filter=in_quarter("first_joined", q, dates=True)))
            )
        )
    else:
        new_row = PartnerLink.objects.filter(scope.q()).aggregate(
            **per_quarter(window, "new", lambda q: Count("pk", filter=in_quarter("joined_on", q, dates=True)))
        )
    rows.append(
        indicator(
            key="partners.new",
            label="New lay partners joined",
            unit="count",
            table=table,
            values=by_quarter(window, new_row, "new"),
            window=window,
        )
    )
    charts.append(
        {
            "key": "trend_partners",
            "kind": "trend",
            "unit": "count",
            "title": "Lay partners who took part, last four quarters",
            "labels": [q.label for q in window.trend],
            "values": [unique[q] or 0 for q in window.trend],
        }
    )

    activities = _activities(scope, window)
    reach_table = "Activities reaching seldom-heard groups"
    reach_aggregates: dict[str, Any] = {}
    for value, _label in SeldomHeardGroup.choices:
        for q in window.quarters:
            reach_aggregates[_key(f"reach_{value}", q)] = Count(
                "pk", filter=in_quarter("starts_at", q) & Q(seldom_heard_groups__contains=[value])
            )
    support_table = "Support provided"
    for value in REPORTED_SUPPORT:
        for q in window.quarters:
            reach_aggregates[_key(f"support_{value}", q)] = Count(
                "pk", filter=in_quarter("starts_at", q) & Q(support_offered__contains=[value])
            )
    reach_row = activities.aggregate(**reach_aggregates)
    reach_values: list[int] = []
    for value, label in SeldomHeardGroup.choices:
        counts = by_quarter(window, reach_row, f"reach_{value}")
        reach_values.append(counts[window.quarter] or 0)
        rows.append(
            indicator(key=f"reach.{value}", label=label, unit="count", table=reach_table, values=counts, window=window)
        )
    charts.append(
        {
            "key": "reach",
            "kind": "bars",
            "title": "Activities reaching seldom-heard groups, this quarter",
            "table": reach_table,
            "labels": [label for _value, label in SeldomHeardGroup.choices],
            "values": reach_values,
        }
    )
    for value in REPORTED_SUPPORT:
        rows.append(
            indicator(
                key=f"support.{value}",
                label=f"Activities offering: {SupportType(value).label}",
                unit="count",
                table=support_table,
                values=by_quarter(window, reach_row, f"support_{value}"),
                window=window,
            )
        )

    section: dict[str, Any] = {"indicators": rows, "charts": charts, "examples": [], "notes": []}
    _add_equality(section, scope, window)
    return section


def _add_equality(section: dict[str, Any], scope: Scope, window: Window) -> None:
    from reports import equality_indicators

    equality_indicators.add(section, scope, window)


# --- Priority 3: continuous improvement ------------------------------------------------------------


# Learning and development sessions live in `evidence`, an app above reports: it registers the
# function that counts them (evidence.report_counts, from its AppConfig.ready()). Given the scope,
# the window and a key-maker (`per_quarter`), it returns one `.aggregate()` row with
# "sessions" and "attendance" (lay partners' attendances) per quarter.
DevelopmentCounts = Callable[["Scope", "Window"], dict[str, Any]]
_development_counts: list[DevelopmentCounts] = []


def register_development_counts(counter: DevelopmentCounts) -> DevelopmentCounts:
    if counter not in _development_counts:
        _development_counts.append(counter)
    return counter


def _development_row(scope: Scope, window: Window) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for counter in _development_counts:
        row.update(counter(scope, window))
    return row


def continuous_improvement(scope: Scope, window: Window) -> dict[str, Any]:
    from involvement.models import Feedback

    rows: list[dict[str, Any]] = []
    activities = _activities(scope, window)
    table = "Learning and sharing"
    methods = {"events": InvolvementMethod.EVENT}
    row = activities.aggregate(
        **{
            _key(name, q): Count("pk", filter=in_quarter("starts_at", q) & Q(method=method))
            for name, method in methods.items()
            for q in window.quarters
        }
    )
    development = _development_row(scope, window)
    rows.append(
        indicator(
            key="learning.training_sessions",
            label="Development and training sessions",
            unit="count",
            table=table,
            values=by_quarter(window, development, "sessions"),
            window=window,
        )
    )
    rows.append(
        indicator(
            key="learning.training_attendance",
            label="Lay partner attendances at development and training sessions",
            unit="count",
            table=table,
            values=by_quarter(window, development, "attendance"),
            window=window,
        )
    )
    rows.append(
        indicator(
            key="learning.events",
            label="Knowledge-sharing events",
            unit="count",
            table=table,
            values=by_quarter(window, row, "events"),
            window=window,
        )
    )

    feedback_table = "Feedback from lay partners (scores from 1 to 5)"
    feedback = Feedback.objects.filter(
        scope.q("participation__activity__organisation"),
        participation__activity__starts_at__gte=window.start_datetime,
        participation__activity__starts_at__lt=window.end_datetime,
    )
    questions = {
        "listened_to": "I felt listened to",
        "role_clear": "My role was clear",
        "support_right": "The support was right for me",
        "take_part_again": "I would take part again",
    }
    aggregates: dict[str, Any] = per_quarter(
        window, "responses", lambda q: Count("pk", filter=in_quarter("participation__activity__starts_at", q))
    )
    for field in questions:
        for q in window.quarters:
            aggregates[_key(field, q)] = Avg(field, filter=in_quarter("participation__activity__starts_at", q))
    scores = feedback.aggregate(**aggregates)
    rows.append(
        indicator(
            key="feedback.responses",
            label="Feedback responses",
            unit="count",
            table=feedback_table,
            values=by_quarter(window, scores, "responses"),
            window=window,
        )
    )
    for field, label in questions.items():
        means = {
            q: (round(float(v), 1) if v is not None else None) for q, v in by_quarter(window, scores, field).items()
        }
        rows.append(
            indicator(
                key=f"feedback.{field}",
                label=f"{label} (mean score)",
                unit="score",
                table=feedback_table,
                values=means,
                window=window,
            )
        )
    return {"indicators": rows, "charts": [], "examples": [], "notes": []}


# --- Priority 4: evidence of change ---------------------------------------------------------------


def _outcomes_at_quarter_end(scope: Scope, window: Window) -> list[dict[str, Any]]:
    """Every outcome recorded by the end of each quarter, counted by the status it had then (from
    its history), not by today's: a report compiled again later gives the same figures."""
    from involvement.models import Outcome, OutcomeStatus
    from involvement.selectors import outcome_status_on

    table = "Where outcomes stood at the end of the quarter"
    outcomes = Outcome.objects.filter(scope.q(), decided_on__lt=window.quarter.end_exclusive).annotate(
        **{f"status_at_{i}": outcome_status_on(q.end) for i, q in enumerate(window.quarters)}
    )
    aggregates = {
        _key(f"outcomes_{value}", q): Count("pk", filter=Q(**{f"status_at_{i}": value}))
        for value, _label in OutcomeStatus.choices
        for i, q in enumerate(window.quarters)
    }
    row = outcomes.aggregate(**aggregates)
    return [
        indicator(
            key=f"outcomes.{value}",
            label=f"Outcomes {label.lower()} at the end of the quarter",
            unit="count",
            table=table,
            values=by_quarter(window, row, f"outcomes_{value}"),
            window=window,
        )
        for value, label in OutcomeStatus.choices
    ]


def evidence_of_change(scope: Scope, window: Window) -> dict[str, Any]:
    from involvement.models import Activity, ActivityStatus, Outcome, OutcomeStatus

    rows: list[dict[str, Any]] = []
    table = "Outcomes recorded (“you said, we did”)"
    outcomes = Outcome.objects.filter(
        scope.q(), decided_on__gte=window.quarters[0].start, decided_on__lt=window.quarter.end_exclusive
    )
    totals_row = outcomes.aggregate(
        **per_quarter(window, "all", lambda q: Count("pk", filter=in_quarter("decided_on", q, dates=True)))
    )
    rows.append(
        indicator(
            key="outcomes.total",
            label="Outcomes recorded",
            unit="count",
            table=table,
            values=by_quarter(window, totals_row, "all"),
            window=window,
        )
    )
    rows.extend(_outcomes_at_quarter_end(scope, window))

    completed = Activity.objects.filter(
        scope.q(),
        status=ActivityStatus.COMPLETED,
        starts_at__gte=window.start_datetime,
        starts_at__lt=window.end_datetime,
    )
    completed_row = completed.aggregate(
        **per_quarter(window, "completed", lambda q: Count("pk", filter=in_quarter("starts_at", q))),
    )
    # Counted from the outcomes' side (far fewer rows than activities): one join, no subquery per row.
    outcome_row = Outcome.objects.filter(
        scope.q("activity__organisation"),
        activity__status=ActivityStatus.COMPLETED,
        activity__starts_at__gte=window.start_datetime,
        activity__starts_at__lt=window.end_datetime,
    ).aggregate(
        **per_quarter(
            window,
            "with_outcome",
            lambda q: Count("activity_id", distinct=True, filter=in_quarter("activity__starts_at", q)),
        )
    )
    completed_counts = by_quarter(window, completed_row, "completed")
    with_outcome = by_quarter(window, outcome_row, "with_outcome")
    table = "Completed activities and their outcomes"
    rows.append(
        indicator(
            key="activities.completed",
            label="Completed activities",
            unit="count",
            table=table,
            values=completed_counts,
            window=window,
        )
    )
    rows.append(
        indicator(
            key="activities.completed_with_outcome_share",
            label="Share of completed activities with an outcome recorded",
            unit="percent",
            table=table,
            values=share(with_outcome, completed_counts),
            window=window,
        )
    )

    examples = [
        {
            "what_we_heard": item["what_we_heard"],
            "what_we_did": item["what_we_did"],
            "status": OutcomeStatus(item["status"]).label,
            "decided_on": item["decided_on"].isoformat(),
            "organisation": item["organisation__short_name"],
        }
        for item in Outcome.objects.filter(scope.q(), shareable=True)
        .filter(in_quarter("decided_on", window.quarter, dates=True))
        .order_by("-decided_on", "-pk")
        .values("what_we_heard", "what_we_did", "status", "decided_on", "organisation__short_name")[:5]
    ]
    return {"indicators": rows, "charts": [], "examples": examples, "notes": []}


# --- Payments --------------------------------------------------------------------------------------


def payments(scope: Scope, window: Window) -> dict[str, Any]:
    from reports import payment_indicators

    section: dict[str, Any] = {"indicators": [], "charts": [], "examples": [], "notes": []}
    payment_indicators.add(section, scope, window)
    return section


# --- The whole report ------------------------------------------------------------------------------


def _priorities_by_theme() -> dict[str, list[dict[str, str]]]:
    from programmes.models import StrategyPriority

    grouped: dict[str, list[dict[str, str]]] = {key: [] for key in THEMES}
    for code, title, theme in StrategyPriority.objects.filter(active=True).values_list("code", "title", "theme"):
        key = code.split(".")[0]
        grouped.setdefault(key, []).append({"code": code, "title": title, "theme": theme})
    return grouped


SECTION_BUILDERS: dict[str, Callable[[Scope, Window], dict[str, Any]]] = {
    "1": visible_leadership,
    "2": diverse_perspectives,
    "3": continuous_improvement,
    "4": evidence_of_change,
    PAYMENTS_KEY: payments,
}


SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


def compile_indicators(
    *,
    organisation: Organisation,
    quarter: FinancialQuarter,
    progress: Callable[[int, str], None] | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Every indicator for one scope and quarter, as JSON-ready data.

    Outside a transaction (the worker, the command, the benchmark) the sections are counted by
    `workers` database connections at once (default settings.REPORTS_COMPILE_WORKERS, else 2), all
    reading the same exported snapshot, so the figures are consistent with each other. Inside a
    transaction (tests, or a caller's atomic block) they are counted one after another on the
    caller's connection, which sees the caller's uncommitted rows."""
    scope = Scope(organisation)
    window = Window(quarter)
    priorities = _priorities_by_theme()
    if progress is not None:
        progress(10, "Counting activities, lay partners, outcomes and payments")
    if workers is None:
        workers = int(getattr(settings, "REPORTS_COMPILE_WORKERS", 2))
    if workers > 1 and not connection.in_atomic_block:
        built = _build_in_parallel(scope, window, workers)
    else:
        built = {key: build(scope, window) for key, build in SECTION_BUILDERS.items()}
    if progress is not None:
        progress(70, "Counted everything")
    sections = []
    for key in SECTION_BUILDERS:
        section = built[key]
        theme_priorities = priorities.get(key, [])
        title = THEMES.get(key, "Payments to lay partners")
        if theme_priorities:
            title = theme_priorities[0]["theme"]
        sections.append(
            {
                "key": key,
                "number": key if key in THEMES else "",
                "title": title,
                "priorities": theme_priorities,
                **section,
                "tables": group_tables(section["indicators"]),
            }
        )
    return {
        "format": 1,
        "scope": {
            "id": organisation.pk,
            "name": organisation.name,
            "short_name": organisation.short_name,
            "is_network": scope.is_network,
        },
        "quarter": quarter.label,
        "quarter_months": quarter.months_label,
        "periods": {period: q.label for period, q in window.period_quarters.items()},
        "trend_quarters": [q.label for q in window.trend],
        "sections": sections,
    }


def _build_in_parallel(scope: Scope, window: Window, workers: int) -> dict[str, dict[str, Any]]:
    """Run the section builders on several connections that share one read-only snapshot."""
    from concurrent.futures import ThreadPoolExecutor

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
        if not SNAPSHOT_ID.match(snapshot):
            raise RuntimeError(f"Unexpected snapshot id {snapshot!r}")

        def run(build: Callable[[Scope, Window], dict[str, Any]]) -> dict[str, Any]:
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                    return build(scope, window)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
            futures = {key: pool.submit(run, build) for key, build in SECTION_BUILDERS.items()}
            return {key: future.result() for key, future in futures.items()}


def group_tables(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped into their captioned tables, in first-seen order."""
    tables: dict[str, dict[str, Any]] = {}
    for row in rows:
        tables.setdefault(row["table"], {"caption": row["table"], "rows": []})["rows"].append(row)
    return list(tables.values())

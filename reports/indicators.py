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
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, Min, OuterRef, Q, QuerySet

from accounts.models import Organisation
from core.choices import InnovationStage, InvolvementMethod, LadderLevel, SeldomHeardGroup, SupportType
from core.quarters import FinancialQuarter
from involvement.models import Activity, ActivityStatus, Feedback, Outcome, OutcomeStatus, Participation
from involvement.selectors import outcome_status_on, programmes_with_late_involvement
from partners.models import LayPartner, PartnerLink
from programmes.models import PlannedInvolvement, Programme, ProgrammeStatus, StrategyPriority
from reports import equality_indicators, forum_indicators, opportunity_indicators, payment_indicators
from reports.indicator_base import (
    Scope,
    Window,
    by_quarter,
    in_quarter,
    indicator,
    per_quarter,
    quarter_key,
    share,
)

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
            aggregates[quarter_key(f"{prefix}_{value}", q)] = Count("pk", filter=condition)
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

    return (
        Q(start_on__lte=quarter.end)
        & (Q(closed_on__isnull=True) | Q(closed_on__gte=quarter.start))
        & ~Q(status=ProgrammeStatus.CLOSED, closed_on__isnull=True)
    )


def _plan_rows(scope: Scope, window: Window) -> list[dict[str, Any]]:
    """Priority 1.1: active programmes with an involvement plan due by the quarter's end, and of those
    the ones on plan: no planned line late once the quarter is over (involvement.selectors'
    `plan_against_delivery` is the rule). One query for the five quarters."""

    def planned(q: FinancialQuarter) -> Q:
        return programme_active_in(q) & Q(
            Exists(PlannedInvolvement.objects.filter(programme_id=OuterRef("pk"), period_start__lte=q.end))
        )

    def late(q: FinancialQuarter) -> Exists:
        return Exists(programmes_with_late_involvement(today=q.end_exclusive).filter(programme_id=OuterRef("pk")))

    row = Programme.objects.filter(scope.q()).aggregate(
        **per_quarter(window, "planned", lambda q: Count("pk", filter=planned(q))),
        **per_quarter(window, "on_plan", lambda q: Count("pk", filter=planned(q) & ~Q(late(q)))),
    )
    planned_counts = by_quarter(window, row, "planned")
    on_plan = by_quarter(window, row, "on_plan")
    table = "Programmes"
    return [
        indicator(
            key="programmes.with_plan",
            label="Active programmes with an involvement plan",
            unit="count",
            table=table,
            values=planned_counts,
            window=window,
        ),
        indicator(
            key="programmes.on_plan",
            label="Active programmes whose involvement is on plan (nothing planned is late)",
            unit="count",
            table=table,
            values=on_plan,
            window=window,
        ),
        indicator(
            key="programmes.on_plan_share",
            label="Share of programmes with a plan that are on plan",
            unit="percent",
            table=table,
            values=share(on_plan, planned_counts),
            window=window,
        ),
    ]


def counted_activities(scope: Scope, window: Window) -> QuerySet[Any]:
    """The scope's activities in the window that went ahead (the network's own figures and the
    per-AHSN comparison count the same rows)."""
    return Activity.objects.filter(
        scope.q(),
        starts_at__gte=window.start_datetime,
        starts_at__lt=window.end_datetime,
    ).exclude(status=ActivityStatus.CANCELLED)


def visible_leadership(scope: Scope, window: Window) -> dict[str, Any]:
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

    rows.extend(_plan_rows(scope, window))

    activities = counted_activities(scope, window)
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
    _opportunity_indicators().add_leadership(section, scope, window)
    return section


def _opportunity_indicators() -> Any:
    return opportunity_indicators


def _add_forum(section: dict[str, Any], scope: Scope, window: Window) -> None:
    """Forum meetings this financial year against three, lay co-chair in post, days to notes."""

    forum_indicators.add(section, scope, window)


# --- Priority 2: diverse perspectives -----------------------------------------------------------


def counted_participations(scope: Scope, window: Window) -> QuerySet[Any]:
    """Lay partners' attendances at the scope's activities (not cancelled) in the window."""
    return Participation.objects.filter(
        scope.q("activity__organisation"),
        attended=True,
        activity__starts_at__gte=window.start_datetime,
        activity__starts_at__lt=window.end_datetime,
    ).exclude(activity__status="cancelled")


def diverse_perspectives(scope: Scope, window: Window) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []
    table = "Lay partners"

    participations = counted_participations(scope, window)
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

    activities = counted_activities(scope, window)
    reach_table = "Activities reaching seldom-heard groups"
    reach_aggregates: dict[str, Any] = {}
    for value, _label in SeldomHeardGroup.choices:
        for q in window.quarters:
            reach_aggregates[quarter_key(f"reach_{value}", q)] = Count(
                "pk", filter=in_quarter("starts_at", q) & Q(seldom_heard_groups__contains=[value])
            )
    support_table = "Support provided"
    for value in REPORTED_SUPPORT:
        for q in window.quarters:
            reach_aggregates[quarter_key(f"support_{value}", q)] = Count(
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
    _opportunity_indicators().add_diversity(section, scope, window)
    _add_equality(section, scope, window)
    return section


def _add_equality(section: dict[str, Any], scope: Scope, window: Window) -> None:
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
    rows: list[dict[str, Any]] = []
    activities = counted_activities(scope, window)
    table = "Learning and sharing"
    methods = {"events": InvolvementMethod.EVENT}
    row = activities.aggregate(
        **{
            quarter_key(name, q): Count("pk", filter=in_quarter("starts_at", q) & Q(method=method))
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
            aggregates[quarter_key(field, q)] = Avg(field, filter=in_quarter("participation__activity__starts_at", q))
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
    table = "Where outcomes stood at the end of the quarter"
    outcomes = Outcome.objects.filter(scope.q(), decided_on__lt=window.quarter.end_exclusive).annotate(
        **{f"status_at_{i}": outcome_status_on(q.end) for i, q in enumerate(window.quarters)}
    )
    aggregates = {
        quarter_key(f"outcomes_{value}", q): Count("pk", filter=Q(**{f"status_at_{i}": value}))
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
    section: dict[str, Any] = {"indicators": [], "charts": [], "examples": [], "notes": []}
    payment_indicators.add(section, scope, window)
    return section


# --- The whole report ------------------------------------------------------------------------------


def _priorities_by_theme() -> dict[str, list[dict[str, str]]]:
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
    # Circular: the comparison counts with this module's querysets (counted_activities, ...).
    from reports.comparison import COMPARISON_KEY, compare_ahsns, comparison_tables  # noqa: PLC0415

    builders = {**SECTION_BUILDERS, COMPARISON_KEY: compare_ahsns}
    if workers > 1 and not connection.in_atomic_block:
        built = _build_in_parallel(scope, window, workers, builders)
    else:
        built = {key: build(scope, window) for key, build in builders.items()}
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
    compiled: dict[str, Any] = {
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
    if scope.is_network:
        rows = {row["key"]: row for section in sections for row in section["indicators"]}
        compiled["comparison"] = comparison_tables(built[COMPARISON_KEY], rows)
    return compiled


def _build_in_parallel(
    scope: Scope, window: Window, workers: int, builders: dict[str, Callable[[Scope, Window], dict[str, Any]]]
) -> dict[str, dict[str, Any]]:
    """Run the section builders on several connections that share one read-only snapshot."""

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
            futures = {key: pool.submit(run, build) for key, build in builders.items()}
            return {key: future.result() for key, future in futures.items()}


def group_tables(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped into their captioned tables, in first-seen order."""
    tables: dict[str, dict[str, Any]] = {}
    for row in rows:
        tables.setdefault(row["table"], {"caption": row["table"], "rows": []})["rows"].append(row)
    return list(tables.values())

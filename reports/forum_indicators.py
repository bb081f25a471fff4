"""Priority 1.2 indicators from the forum records: meetings, lay co-chairs and notes."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, Min, OuterRef, Q
from django.db.models.functions import Least, TruncDate

from core.formatting import UK_TIME
from core.quarters import FinancialQuarter
from reports.aggregates import Percentile
from reports.indicator_base import by_quarter, in_quarter, indicator, per_quarter, quarter_key

if TYPE_CHECKING:
    from reports.indicator_base import Scope, Window

MEETINGS_TARGET = 3
TABLE = "Involvement and co-production forum"


def _days(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


def add(section: dict[str, Any], scope: Scope, window: Window) -> None:
    try:
        Forum = apps.get_model("forum", "Forum")
        Meeting = apps.get_model("forum", "Meeting")
        ForumMember = apps.get_model("forum", "ForumMember")
    except LookupError:
        section["notes"].append("Forum indicators are not available: forum records are not in the portal yet.")
        return

    def year_to_date(q: FinancialQuarter) -> Q:
        start = FinancialQuarter(q.year, 1).start_datetime
        return Q(meetings__status="held", meetings__starts_at__gte=start, meetings__starts_at__lt=q.end_datetime)

    def lay_co_chair(q: FinancialQuarter) -> Exists:
        return Exists(
            ForumMember.objects.filter(forum_id=OuterRef("pk"), role="lay_co_chair", joined_on__lte=q.end).filter(
                Q(left_on__isnull=True) | Q(left_on__gt=q.end)
            )
        )

    # A forum counts from its first meeting when that came before it was entered in the portal
    # (forums that met for years before the portal existed); LEAST ignores a missing first meeting.
    forums = (
        Forum.objects.filter(scope.q())
        .annotate(began=Least("created_at", Min("meetings__starts_at")))
        .filter(began__lt=window.end_datetime)
    )
    # Meetings held this financial year (to the end of each quarter), per forum, then summed.
    per_forum = forums.annotate(
        **{quarter_key("held", q): Count("meetings", filter=year_to_date(q)) for q in window.quarters},
        **{quarter_key("co_chair_in_post", q): lay_co_chair(q) for q in window.quarters},
    )
    forum_row = per_forum.aggregate(
        **per_quarter(window, "forums", lambda q: Count("pk", filter=Q(began__lt=q.end_datetime))),
        **per_quarter(
            window,
            "on_target",
            lambda q: Count(
                "pk", filter=Q(began__lt=q.end_datetime, **{f"{quarter_key('held', q)}__gte": MEETINGS_TARGET})
            ),
        ),
        **per_quarter(
            window,
            "co_chair",
            lambda q: Count("pk", filter=Q(began__lt=q.end_datetime, **{quarter_key("co_chair_in_post", q): True})),
        ),
    )
    lag = ExpressionWrapper(
        TruncDate("notes__published_at", tzinfo=UK_TIME) - TruncDate("starts_at", tzinfo=UK_TIME),
        output_field=DurationField(),
    )
    meetings = Meeting.objects.filter(
        scope.q("forum__organisation"),
        status="held",
        starts_at__gte=FinancialQuarter(window.quarters[0].year, 1).start_datetime,
        starts_at__lt=window.end_datetime,
    )
    meeting_row = meetings.aggregate(
        **per_quarter(
            window,
            "held",
            lambda q: Count(
                "pk",
                filter=Q(starts_at__gte=FinancialQuarter(q.year, 1).start_datetime, starts_at__lt=q.end_datetime),
            ),
        ),
        **per_quarter(window, "held_in_quarter", lambda q: Count("pk", filter=in_quarter("starts_at", q))),
        **per_quarter(
            window,
            "median_lag",
            lambda q: Percentile(
                lag,
                0.5,
                filter=in_quarter("starts_at", q) & Q(notes__status="published", notes__published_at__isnull=False),
            ),
        ),
    )
    rows = section["indicators"]
    rows.append(
        indicator(
            key="forum.meetings_held_year",
            label=f"Forum meetings held this financial year (target: {MEETINGS_TARGET} a year for each forum)",
            unit="count",
            table=TABLE,
            values=by_quarter(window, meeting_row, "held"),
            window=window,
        )
    )
    rows.append(
        indicator(
            key="forum.meetings_held_quarter",
            label="Forum meetings held this quarter",
            unit="count",
            table=TABLE,
            values=by_quarter(window, meeting_row, "held_in_quarter"),
            window=window,
        )
    )
    rows.append(
        indicator(
            key="forum.forums",
            label="Forums",
            unit="count",
            table=TABLE,
            values=by_quarter(window, forum_row, "forums"),
            window=window,
        )
    )
    rows.append(
        indicator(
            key="forum.forums_on_target",
            label=f"Forums that have met at least {MEETINGS_TARGET} times this financial year",
            unit="count",
            table=TABLE,
            values=by_quarter(window, forum_row, "on_target"),
            window=window,
        )
    )
    rows.append(
        indicator(
            key="forum.lay_co_chair",
            label="Forums with a lay co-chair in post at the end of the quarter",
            unit="count",
            table=TABLE,
            values=by_quarter(window, forum_row, "co_chair"),
            window=window,
        )
    )
    rows.append(
        indicator(
            key="forum.median_days_to_notes",
            label="Median days from meeting to published notes",
            unit="days",
            table=TABLE,
            values={q: _days(v) for q, v in by_quarter(window, meeting_row, "median_lag").items()},
            window=window,
        )
    )

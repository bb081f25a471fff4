"""The quarterly report's priority 3 development counts, from learning and development sessions.
Registered into `reports.indicators` (reports sits below evidence, so it cannot import it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from evidence.models import DevelopmentSession, SessionAttendance
from reports.indicators import Scope, Window, in_quarter, per_quarter, register_development_counts


@register_development_counts
def development_counts(scope: Scope, window: Window) -> dict[str, Any]:
    """Sessions held in each quarter of the window, and lay partners' attendances at them (by the
    quarter of the session). Two queries whatever the number of sessions."""
    start, end = window.quarters[0].start, window.quarter.end_exclusive
    sessions = DevelopmentSession.objects.filter(scope.q(), date__gte=start, date__lt=end).aggregate(
        **per_quarter(window, "sessions", lambda q: Count("pk", filter=in_quarter("date", q, dates=True)))
    )
    attendance = SessionAttendance.objects.filter(
        scope.q("session__organisation"), partner__isnull=False, session__date__gte=start, session__date__lt=end
    ).aggregate(
        **per_quarter(window, "attendance", lambda q: Count("pk", filter=in_quarter("session__date", q, dates=True)))
    )
    return {**sessions, **attendance}

"""Reads for quarterly reports. Leads see their AHSN's reports; network admins see every
report and the network roll-up; other roles are refused (403) and outsiders see nothing (404)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import MANAGER_ROLES, Organisation
from accounts.typing import AnyUser
from core.access import require_role, scoped_get_or_404, visible_organisation_ids, visible_organisations
from core.quarters import FinancialQuarter
from reports.models import QuarterlyReport


def report_scopes_for(user: AnyUser) -> QuerySet[Organisation]:
    """The scopes whose reports the user may read and compile (leads: their AHSN; admins: all)."""
    return visible_organisations(user, roles=MANAGER_ROLES).order_by("kind", "name")


def require_report_reader(user: AnyUser) -> None:
    """403 for staff and finance: reports are for involvement leads and network admins."""
    if not visible_organisation_ids(user, roles=MANAGER_ROLES):
        raise PermissionDenied("Quarterly reports are for involvement leads and network admins.")


def get_report_for_user(user: AnyUser, pk: int, *, write: bool = False) -> QuarterlyReport:
    """One version: 404 outside the user's organisations, 403 for a role that cannot read reports."""
    report = scoped_get_or_404(
        QuarterlyReport.objects.select_related("scope", "compiled_by", "published_by"),
        user,
        organisation_field="scope",
        write=write,
        pk=pk,
    )
    require_role(user, report.scope_id, MANAGER_ROLES)
    return report


def _latest_version() -> Subquery:
    return Subquery(
        QuarterlyReport.objects.filter(scope_id=OuterRef("scope_id"), quarter=OuterRef("quarter"))
        .order_by("-version")
        .values("version")[:1]
    )


def report_list(
    *, user: AnyUser, scope_id: int | None = None, quarter: FinancialQuarter | None = None
) -> QuerySet[QuarterlyReport]:
    """Every version the user may read, newest quarter first, each marked with the latest version."""
    reports = QuarterlyReport.objects.filter(scope__in=report_scopes_for(user).values("pk"))
    if scope_id is not None:
        reports = reports.filter(scope_id=scope_id)
    if quarter is not None:
        reports = reports.filter(scope__isnull=False, quarter=quarter.label)
    return (
        reports.select_related("scope", "compiled_by")
        .annotate(latest_version=Coalesce(_latest_version(), 0))
        .order_by("-quarter_start", "scope__kind", "scope__name", "-version")
        .defer("indicators", "narrative")
    )


def other_versions(report: QuarterlyReport) -> QuerySet[QuarterlyReport]:
    """All versions of the same scope and quarter, newest first (for the report page)."""
    return (
        QuarterlyReport.objects.filter(scope_id=report.scope_id, quarter=report.quarter)
        .select_related("compiled_by")
        .defer("indicators", "narrative")
        .order_by("-version")
    )


def latest_ready_reports(user: AnyUser, *, limit: int = 3) -> list[tuple[int, str, str, int, datetime | None]]:
    """For the home page: the newest ready versions the user may read, as the line shows each one
    (pk, the scope's short name, quarter, version, published_at), not whole reports."""
    if not visible_organisation_ids(user, roles=MANAGER_ROLES):
        return []
    ready = report_list(user=user).filter(status="ready").order_by("-finished_at")
    return list(ready.values_list("pk", "scope__short_name", "quarter", "version", "published_at")[:limit])

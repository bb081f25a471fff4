"""The home page section for involvement leads and network admins: the newest reports."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import MANAGER_ROLES
from accounts.typing import AnyUser
from core.access import visible_organisation_ids
from core.dashboard import DashboardSection, register
from reports.selectors import latest_ready_reports


@register
def report_sections(user: AnyUser) -> list[DashboardSection]:
    if not visible_organisation_ids(user, roles=MANAGER_ROLES):
        return []
    items = [
        {
            "text": f"{report.scope.short_name} report, {report.quarter} (version {report.version})",
            "url": reverse("reports:report_detail", args=[report.pk]),
            "meta": "Published" if report.published_at else "Ready",
        }
        for report in latest_ready_reports(user)
    ]
    return [
        DashboardSection(
            title="Quarterly reports",
            items=items,
            empty_text="There are no quarterly reports yet.",
            link_url=reverse("reports:report_list"),
            link_text="All quarterly reports",
        )
    ]

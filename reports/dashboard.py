"""The home page section for involvement leads and network admins: the newest reports."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import MANAGER_ROLES
from accounts.typing import AnyUser
from core.access import visible_organisation_ids
from core.dashboard import DashboardSection, register
from core.links import url_for_each
from reports.selectors import latest_ready_reports


@register
def report_sections(user: AnyUser) -> list[DashboardSection]:
    if not visible_organisation_ids(user, roles=MANAGER_ROLES):
        return []
    report_url = url_for_each("reports:report_detail")
    items = [
        {
            "text": f"{short_name} report, {quarter} (version {version})",
            "url": report_url(pk),
            "meta": "Published" if published_at else "Ready",
        }
        for pk, short_name, quarter, version, published_at in latest_ready_reports(user)
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

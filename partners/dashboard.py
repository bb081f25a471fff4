"""Staff home page: applications waiting for an involvement lead's decision."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import MANAGER_ROLES
from accounts.typing import AnyUser
from core.access import visible_organisation_ids
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from partners.selectors import application_queue


@register
def pending_applications(user: AnyUser) -> list[DashboardSection]:
    if not visible_organisation_ids(user, roles=MANAGER_ROLES):
        return []
    applications = list(application_queue(user)[:5])
    return [
        DashboardSection(
            title="People who want to become lay partners",
            items=[
                {
                    "text": a.full_name,
                    "url": reverse("partners:application_detail", args=[a.pk]),
                    "meta": f"{a.organisation.short_name}, received {date_text(a.created_at)}",
                }
                for a in applications
            ],
            empty_text="There are no applications waiting for a decision.",
            link_url=reverse("partners:application_list"),
            link_text="See all applications",
        )
    ]

"""Staff home page: applications waiting for an involvement lead's decision."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import MANAGER_ROLES
from accounts.typing import AnyUser
from core.access import visible_organisation_ids
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from core.links import url_for_each
from partners.selectors import application_queue


@register
def pending_applications(user: AnyUser) -> list[DashboardSection]:
    if not visible_organisation_ids(user, roles=MANAGER_ROLES):
        return []
    applications = application_queue(user).values_list("pk", "full_name", "organisation__short_name", "created_at")[:5]
    application_url = url_for_each("partners:application_detail")
    return [
        DashboardSection(
            title="People who want to become lay partners",
            items=[
                {
                    "text": full_name,
                    "url": application_url(pk),
                    "meta": f"{short_name}, received {date_text(created_at)}",
                }
                for pk, full_name, short_name, created_at in applications
            ],
            empty_text="There are no applications waiting for a decision.",
            link_url=reverse("partners:application_list"),
            link_text="See all applications",
        )
    ]

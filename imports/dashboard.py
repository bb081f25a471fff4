"""Home page: an involvement lead's recent imports, and where to start one."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from imports.selectors import import_organisation_ids, imports_visible_to


@register
def recent_imports(user: User) -> list[DashboardSection]:
    if not import_organisation_ids(user):
        return []
    batches = list(imports_visible_to(user)[:3])
    return [
        DashboardSection(
            title="Moving in: imports from spreadsheets",
            items=[
                {
                    "text": f"{b.get_kind_display()} from {b.original_name}",
                    "url": reverse("imports:import_detail", args=[b.pk]),
                    "meta": f"{b.get_status_display()}, {date_text(b.created_at)}",
                }
                for b in batches
            ],
            empty_text="Bring in your lay partners, programmes, activities and attendance from spreadsheets.",
            link_url=reverse("imports:import_list"),
            link_text="Import from a spreadsheet",
        )
    ]

"""Home page: an involvement lead's recent imports, and where to start one."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from core.links import url_for_each
from imports.models import ImportBatch
from imports.selectors import import_organisation_ids, imports_visible_to

_KIND_LABELS = dict(ImportBatch._meta.get_field("kind").flatchoices)
_STATUS_LABELS = dict(ImportBatch._meta.get_field("status").flatchoices)


@register
def recent_imports(user: User) -> list[DashboardSection]:
    if not import_organisation_ids(user):
        return []
    batches = imports_visible_to(user).values_list("pk", "kind", "original_name", "status", "created_at")[:3]
    import_url = url_for_each("imports:import_detail")
    return [
        DashboardSection(
            title="Moving in: imports from spreadsheets",
            items=[
                {
                    "text": f"{_KIND_LABELS.get(kind, kind)} from {original_name}",
                    "url": import_url(pk),
                    "meta": f"{_STATUS_LABELS.get(status, status)}, {date_text(created_at)}",
                }
                for pk, kind, original_name, status, created_at in batches
            ],
            empty_text="Bring in your lay partners, programmes, activities and attendance from spreadsheets.",
            link_url=reverse("imports:import_list"),
            link_text="Import from a spreadsheet",
        )
    ]

"""Reads for imports: only involvement leads of the AHSN and network admins see them (others: 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Organisation
from accounts.roles import MANAGER_ROLES
from core.access import visible_organisation_ids
from imports.models import ColumnChoice, ImportBatch

PROBLEMS_SHOWN = 200
MATCHES_SHOWN = 200


def import_organisation_ids(user: Any) -> set[int]:
    """The AHSNs the user may import into: where they are an involvement lead (network admin: all AHSNs)."""
    return visible_organisation_ids(user, roles=MANAGER_ROLES)


def import_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=import_organisation_ids(user), kind=Organisation.Kind.AHSN).order_by(
        "name"
    )


def require_importer(user: Any) -> None:
    if not import_organisation_ids(user):
        raise Http404("No such page.")


def imports_visible_to(user: Any) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(organisation_id__in=import_organisation_ids(user)).select_related(
        "organisation", "created_by"
    )


def get_import_for_user(user: Any, pk: int) -> ImportBatch:
    """One import the user may see and act on; a 404 for anyone else (staff and outsiders alike)."""
    batch = imports_visible_to(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def remembered_headers(*, organisation_id: int, kind: str) -> dict[str, str]:
    choice = ColumnChoice.objects.filter(organisation_id=organisation_id, kind=kind).first()
    return dict(choice.headers) if choice else {}

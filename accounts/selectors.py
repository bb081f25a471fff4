"""Reads for accounts, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Invitation, Membership, Organisation
from accounts.roles import MANAGER_ROLES
from accounts.typing import AnyUser
from core.access import scoped_get_or_404, visible_organisation_ids


def get_organisation_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Organisation:
    return scoped_get_or_404(
        Organisation.objects.all(), user, organisation_field="id", write=write, write_roles=MANAGER_ROLES, pk=pk
    )


def get_membership_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Membership:
    return scoped_get_or_404(Membership.objects.select_related("user", "organisation"), user, write=write, pk=pk)


def membership_list(*, user: AnyUser, organisation: Organisation | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.filter(organisation_id__in=visible_organisation_ids(user))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("user", "organisation").order_by("organisation__name", "user__email")


def pending_invitations(*, user: AnyUser, organisation: Organisation | None = None) -> QuerySet[Invitation]:
    qs = Invitation.objects.pending().filter(organisation_id__in=visible_organisation_ids(user))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation", "invited_by")


def managed_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations where the user can invite people and change roles."""
    return Organisation.objects.filter(id__in=visible_organisation_ids(user, roles=MANAGER_ROLES))

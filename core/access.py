"""Access scoping: which organisations a user may see, and the one pattern views use.

A view never fetches a record with `Model.objects.get(pk=...)`. It calls the model's
`get_<thing>_for_user(user, pk, write=...)` helper, built on `scoped_get_or_404` here:

* the record is looked up only inside the organisations the user belongs to, so a record
  elsewhere is a 404 (an outsider cannot even learn that it exists);
* when `write=True` and the user's role in that organisation is read-only, it is a 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from accounts.models import Membership, Organisation
from accounts.roles import MANAGER_ROLES, Role
from accounts.typing import AnyUser
from core.user_cache import for_user

M = TypeVar("M", bound=models.Model)


def memberships_of(user: AnyUser | None) -> list[Membership]:
    """The user's memberships, cached on the user object for the length of a request."""
    if user is None or not user.is_authenticated:
        return []
    return for_user(
        user, "memberships", lambda: list(Membership.objects.filter(user=user).select_related("organisation"))
    )


def is_network_admin(user: AnyUser | None) -> bool:
    return any(m.role == Role.NETWORK_ADMIN for m in memberships_of(user))


def roles_by_organisation(user: AnyUser | None) -> dict[int, str]:
    return {m.organisation_id: m.role for m in memberships_of(user)}


def visible_organisation_ids(user: AnyUser | None, *, roles: Iterable[str] | None = None) -> set[int]:
    """Organisations whose records the user may see. A network admin sees every organisation."""
    if is_network_admin(user) and (roles is None or Role.NETWORK_ADMIN in set(roles)):
        # Asked several times while one page is built (its filter, its list, its links): read once.
        every = for_user(
            user, "every_organisation_id", lambda: frozenset(Organisation.objects.values_list("id", flat=True))
        )
        return set(every)
    wanted = set(roles) if roles is not None else None
    return {m.organisation_id for m in memberships_of(user) if wanted is None or m.role in wanted}


def visible_organisations(user: AnyUser | None, *, roles: Iterable[str] | None = None) -> models.QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=visible_organisation_ids(user, roles=roles))


def can_write(user: AnyUser | None, organisation_id: int, *, roles: Iterable[str] = MANAGER_ROLES) -> bool:
    """True when the user holds one of `roles` in the organisation (network admins: everywhere)."""
    allowed = set(roles)
    if Role.NETWORK_ADMIN in allowed and is_network_admin(user):
        return True
    return roles_by_organisation(user).get(organisation_id) in allowed


def scoped_get_or_404(
    queryset: models.QuerySet[M],
    user: AnyUser | None,
    *,
    organisation_field: str = "organisation",
    write: bool = False,
    write_roles: Iterable[str] = MANAGER_ROLES,
    **lookup: Any,
) -> M:
    """Fetch one record the user may see (404 otherwise); 403 if a write needs a role they lack."""
    scoped = queryset.filter(**{f"{organisation_field}__in": visible_organisation_ids(user)})
    try:
        obj = scoped.get(**lookup)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404("No such record.") from exc
    if write:
        organisation_id = _organisation_id_of(obj, organisation_field)
        if not can_write(user, organisation_id, roles=write_roles):
            raise PermissionDenied("Your role can see this but cannot change it.")
    return obj


def _organisation_id_of(obj: models.Model, organisation_field: str) -> int:
    value: Any = obj
    parts = organisation_field.split("__")
    for part in parts[:-1]:
        value = getattr(value, part)
    return int(getattr(value, f"{parts[-1]}_id"))


def require_role(user: AnyUser | None, organisation_id: int, roles: Iterable[str]) -> None:
    """403 unless the user holds one of `roles` in the organisation."""
    if not can_write(user, organisation_id, roles=roles):
        raise PermissionDenied("Your role cannot do this.")

"""What core needs to know about a signed-in person that a feature app owns: the partners app
registers it here from its `AppConfig.ready()` (see partners/people.py), so core imports no
feature app.

Core knows staff through their memberships (accounts). Whether someone is a lay partner, where a
lay partner's home page is and which AHSNs they work with belong to the partners app. Core asks:

    partner_of(user)            the person's lay partner record, or None
    is_lay_partner(user)        partner_of(user) is not None
    home_page_for(user)         a home page other than the staff dashboard, or ""
    organisation_ids_of(user)   the AHSNs the person belongs to as staff or works with as a partner

Each hook is registered once (`register_person_hooks`); with none registered, nobody is a lay
partner and everyone's home page is the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from accounts.typing import AnyUser
from core.access import memberships_of

Person = AnyUser  # the same type as everywhere else (accounts.typing)


@dataclass(frozen=True)
class PersonHooks:
    # The person's lay partner record (a partners.LayPartner), or None.
    partner_of: Callable[[Person], Any | None]
    # The URL of the person's home page when it is not the staff dashboard, or "".
    home_page_for: Callable[[Person], str]
    # The organisations the person works with outside their staff memberships.
    organisation_ids_of: Callable[[Person], set[int]]


_hooks: list[PersonHooks] = []


def register_person_hooks(hooks: PersonHooks) -> PersonHooks:
    """Called once by the app that owns lay partners. A second, different registration is a mistake."""
    if _hooks and _hooks[0] != hooks:
        raise ImproperlyConfigured("Only one app may register the person hooks.")
    if not _hooks:
        _hooks.append(hooks)
    return hooks


def partner_of(user: Person) -> Any | None:
    if not _hooks or not getattr(user, "is_authenticated", False):
        return None
    return _hooks[0].partner_of(user)


def is_lay_partner(user: Person) -> bool:
    return partner_of(user) is not None


def home_page_for(user: Person) -> str:
    """Where `/` sends a signed-in person whose home is not the staff dashboard ("" for the dashboard)."""
    if not _hooks or not getattr(user, "is_authenticated", False):
        return ""
    return _hooks[0].home_page_for(user)


def organisation_ids_of(user: Person) -> set[int]:
    """Organisations the person belongs to as staff, and those they work with as a lay partner."""
    ids = {m.organisation_id for m in memberships_of(user)}
    if _hooks and getattr(user, "is_authenticated", False):
        ids |= _hooks[0].organisation_ids_of(user)
    return ids

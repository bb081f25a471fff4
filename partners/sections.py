"""Sections other apps add to the lay partner pages, like `core.dashboard` does for home pages.

* `register_home_section(fn)`: `fn(partner) -> list[DashboardSection]`, shown on the partner's own
  home page (for example "Coming up" from involvement and "You can claim" from payments).
* `register_profile_section(fn)`: `fn(partner, organisation_ids, user) -> list[DashboardSection]`,
  shown on the staff page about a partner (for example "What they have taken part in"), limited
  to the organisations the member of staff can see.

Apps register from their AppConfig.ready(). Nothing is registered here: the partners app shows
only what it holds itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from accounts.typing import AnyUser
from core.dashboard import DashboardSection

HomeSectionProvider = Callable[[Any], list[DashboardSection]]
ProfileSectionProvider = Callable[[Any, set[int], Any], list[DashboardSection]]

_home_providers: list[HomeSectionProvider] = []
_profile_providers: list[ProfileSectionProvider] = []


def register_home_section(provider: HomeSectionProvider) -> HomeSectionProvider:
    if provider not in _home_providers:
        _home_providers.append(provider)
    return provider


def register_profile_section(provider: ProfileSectionProvider) -> ProfileSectionProvider:
    if provider not in _profile_providers:
        _profile_providers.append(provider)
    return provider


def home_sections_for(partner: Any) -> list[DashboardSection]:
    sections: list[DashboardSection] = []
    for provider in _home_providers:
        sections.extend(provider(partner))
    return sections


def profile_sections_for(partner: Any, organisation_ids: Iterable[int], user: AnyUser) -> list[DashboardSection]:
    ids = set(organisation_ids)
    sections: list[DashboardSection] = []
    for provider in _profile_providers:
        sections.extend(provider(partner, ids, user))
    return sections

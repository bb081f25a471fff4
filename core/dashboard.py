"""What each person sees on their home page: a list of things to do, contributed by each app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.typing import AnyUser


@dataclass
class DashboardSection:
    title: str
    items: list[dict[str, Any]] = field(default_factory=list)
    empty_text: str = "Nothing to do here right now."
    link_url: str = ""
    link_text: str = ""


SectionProvider = Callable[[Any], list[DashboardSection]]
_providers: list[SectionProvider] = []


def register(provider: SectionProvider) -> SectionProvider:
    """Apps register a function that returns the dashboard sections for a user."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(user: AnyUser) -> list[DashboardSection]:
    sections: list[DashboardSection] = []
    for provider in _providers:
        sections.extend(provider(user))
    return sections

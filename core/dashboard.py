"""What each person sees on their home page: a list of things to do, contributed by each app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Value

from accounts.typing import AnyUser


@dataclass
class DashboardSection:
    title: str
    items: list[dict[str, Any]] = field(default_factory=list)
    empty_text: str = "Nothing to do here right now."
    link_url: str = ""
    link_text: str = ""


def lists_in_one_query(*lists: tuple[QuerySet[Any], Sequence[str], int]) -> list[list[tuple[Any, ...]]]:
    """Short lists for a page's sections, each `(queryset, columns, how many)` with the same number
    of columns, read in one round trip (UNION ALL) rather than one query each. Each list keeps its
    queryset's order: its rows come from its own subquery (ORDER BY … LIMIT) and are regrouped in
    the order they arrive."""
    parts = [
        queryset.annotate(dashboard_list=Value(place)).values_list("dashboard_list", *columns)[:limit]
        for place, (queryset, columns, limit) in enumerate(lists)
    ]
    found: list[list[tuple[Any, ...]]] = [[] for _ in lists]
    for place, *row in parts[0].union(*parts[1:], all=True):
        found[place].append(tuple(row))
    return found


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

"""What a signed-out visitor sees on the home page at `/`, contributed by each app.

An app registers a provider in its `AppConfig.ready()`:

    public_home.register(provider, order=20)

`provider(request)` returns a `PublicSection` (title, short text, items, a link) or None to show
nothing (for example when there is nothing published). Sections appear by `order`, then by the
order they were registered. Core imports no feature app: the forum app adds its published notes,
the partners app the "register your interest" section, the opportunities app open opportunities.
Everything in a section is plain text: the template escapes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class PublicItem:
    text: str
    url: str = ""
    meta: str = ""


@dataclass(frozen=True)
class PublicSection:
    title: str
    text: str = ""
    items: list[PublicItem] = field(default_factory=list)
    link_url: str = ""
    link_text: str = ""


PublicSectionProvider = Callable[[HttpRequest], PublicSection | None]
_providers: list[tuple[int, int, PublicSectionProvider]] = []


def register(provider: PublicSectionProvider, *, order: int = 50) -> PublicSectionProvider:
    """Add a section to the public home page (registering the same provider twice adds it once)."""
    if all(existing is not provider for _order, _n, existing in _providers):
        _providers.append((order, len(_providers), provider))
        _providers.sort(key=lambda entry: (entry[0], entry[1]))
    return provider


def sections_for(request: HttpRequest) -> list[PublicSection]:
    sections = []
    for _order, _n, provider in _providers:
        section = provider(request)
        if section is not None:
            sections.append(section)
    return sections

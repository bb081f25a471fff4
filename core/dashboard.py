"""What each person sees on their home page: a list of things to do, contributed by each app."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Value
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from accounts.typing import AnyUser


@dataclass
class DashboardSection:
    title: str
    items: list[dict[str, Any]] = field(default_factory=list)
    empty_text: str = "Nothing to do here right now."
    link_url: str = ""
    link_text: str = ""


def union_of_lists(*lists: tuple[QuerySet[Any], Sequence[str], int]) -> QuerySet[Any]:
    """Short lists for a page's sections, each `(queryset, columns, how many)` with the same number
    of columns, as one query (UNION ALL) rather than one query each, each row led by its list's
    place; `regroup_lists` splits the rows again, each list in its queryset's order (its rows come
    from its own subquery, ORDER BY … LIMIT). Run it through core.prepared to build it once."""
    parts = [
        queryset.annotate(dashboard_list=Value(place)).values_list("dashboard_list", *columns)[:limit]
        for place, (queryset, columns, limit) in enumerate(lists)
    ]
    return parts[0].union(*parts[1:], all=True)


def regroup_lists(rows: Iterable[Sequence[Any]], how_many: int) -> list[list[tuple[Any, ...]]]:
    found: list[list[tuple[Any, ...]]] = [[] for _ in range(how_many)]
    for place, *row in rows:
        found[place].append(tuple(row))
    return found


def _section_html(section: Any, heading_id: str) -> str:
    esc = conditional_escape
    html = (
        f'\n<section class="nhsuk-u-margin-bottom-6" aria-labelledby="{heading_id}">\n'
        f'  <h2 id="{heading_id}">{esc(section.title)}</h2>\n  '
    )
    if section.items:
        html += '\n  <ul class="nhsuk-list nhsuk-list--border">\n    '
        for item in section.items:
            text = esc(item.get("text", ""))
            url = item.get("url")
            meta = item.get("meta")
            html += (
                "\n    <li>\n      "
                + (f'<a href="{esc(url)}">{text}</a>' if url else text)
                + "\n      "
                + (f'<span class="nhsuk-body-s nhsuk-u-secondary-text-color"> — {esc(meta)}</span>' if meta else "")
                + "\n    </li>\n    "
            )
        html += "\n  </ul>\n  "
    else:
        html += f"\n  <p>{esc(section.empty_text)}</p>\n  "
    link = f'<p><a href="{esc(section.link_url)}">{esc(section.link_text)}</a></p>' if section.link_url else ""
    return html + f"\n  {link}\n</section>\n"


def sections_html(sections: Iterable[Any], prefix: str = "") -> SafeString:
    """Home page sections (the staff home, a partner's pages): title, items (text, url, meta), empty
    text and link, each headed `<prefix>-<n>`. Written here, once, for both; a template loop over
    them cost about 20 variable lookups a line."""
    heading = conditional_escape(prefix or "section")
    return mark_safe(  # noqa: S308 - every value is escaped in _section_html
        "".join(_section_html(section, f"{heading}-{n}") for n, section in enumerate(sections, start=1))
    )


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

"""Links to many rows at once.

A list of fifty rows with `{% url 'x:detail' row.pk %}` on each reverses the same URL fifty
times (about 70 µs each). `url_for_each` reverses it once, with a marker id where the row's id
goes, and then puts each row's id in the marker's place. The prefix and suffix are kept per
process (for each script prefix and URLconf, so a request under another prefix gets its own)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_MARKER = 2_147_483_647  # an id no row has: the largest a PostgreSQL integer holds


@lru_cache(maxsize=256)
def _around_marker(viewname: str, args: tuple[Any, ...], script_prefix: str, urlconf: Any) -> tuple[str, str] | None:
    head, marker, tail = reverse(viewname, args=[*args, _MARKER], urlconf=urlconf).rpartition(str(_MARKER))
    return (str(conditional_escape(head)), str(conditional_escape(tail))) if marker else None


def url_for_each(viewname: str, *args: Any) -> Callable[[int], SafeString]:
    """`{% url viewname *args pk %}` for any row's `pk`: the same URL, escaped as the tag prints
    it (so it goes into HTML as it is, and `format_html` does not escape it again)."""
    around = _around_marker(viewname, args, get_script_prefix(), get_urlconf())
    if around is None:  # the URL does not show its last argument as written: reverse each time
        return lambda pk: mark_safe(conditional_escape(reverse(viewname, args=[*args, pk])))  # noqa: S308 - escaped
    head, tail = around
    return lambda pk: mark_safe(f"{head}{int(pk)}{tail}")  # noqa: S308 - both halves escaped, the id an int


def forget() -> None:
    """Drop the kept prefixes and suffixes (a test that counts reverse() calls, a URLconf reloaded)."""
    _around_marker.cache_clear()

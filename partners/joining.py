"""Where a joining application can come from. The opportunities app sits above partners (it reads
partners' profiles), so partners cannot import it: it registers how to find an opportunity open to
new people by its id, and the join page asks through here (see docs/architecture.md, registries)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OpportunityLookup = Callable[[int], Any]
_lookups: list[OpportunityLookup] = []


def register_opportunity_lookup(lookup: OpportunityLookup) -> None:
    """`lookup(pk)` returns the opportunity open to new people with that id, or None."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def public_opportunity(pk: int) -> Any:
    """The opportunity open to new people with this id, or None (None too when no app offers them)."""
    for lookup in _lookups:
        found = lookup(pk)
        if found is not None:
            return found
    return None

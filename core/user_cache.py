"""The one place a value is kept on the signed-in user for the length of a request.

Several rules ask the same question many times while one page is built ("which organisations is
this person a member of?", "which lay partner is this user?"). The answer is worked out once and
kept on the user object, which lives only as long as the request (or the task) that loaded it:

    memberships = for_user(user, "memberships", lambda: list(Membership.objects.filter(user=user)))

Services that must decide on the rows as they are now (under a lock) ask the database directly
and do not use this. `forget(user)` drops every kept answer (after a change to the user's roles
in the same request, say).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_STORE = "portal_request_cache"


def for_user(user: object, key: str, compute: Callable[[], T]) -> T:
    """`compute()` the first time `key` is asked for on this user object, the kept answer after."""
    store: dict[str, object] | None = getattr(user, _STORE, None)
    if store is None:
        store = {}
        setattr(user, _STORE, store)  # through request.user's lazy wrapper, onto the user itself
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[return-value]


def forget(user: object, key: str | None = None) -> None:
    """Drop the kept answer for `key` (or every kept answer), so the next ask works it out again."""
    store: dict[str, object] | None = getattr(user, _STORE, None)
    if store is None:
        return
    if key is None:
        store.clear()
    else:
        store.pop(key, None)

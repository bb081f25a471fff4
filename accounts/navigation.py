"""Navigation entries for accounts' pages (core.navigation)."""

from __future__ import annotations

from core.navigation import STAFF, NavEntry, register

register(
    NavEntry("Team", "accounts:membership_list", order=400, audience=STAFF),
    NavEntry("My account", "accounts:my_account", order=910),
)

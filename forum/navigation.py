"""Navigation entries for forum's pages (core.navigation)."""

from __future__ import annotations

from accounts.roles import DELIVERY_ROLES
from core.navigation import PARTNER, STAFF, NavEntry, register

register(
    NavEntry("Forums", "forum:forum_list", order=130, audience=STAFF, roles=DELIVERY_ROLES),
    NavEntry("Forums", "forum:my_forums", order=120, audience=PARTNER),
)

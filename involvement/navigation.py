"""Navigation entries for involvement's pages (core.navigation)."""

from __future__ import annotations

from accounts.roles import DELIVERY_ROLES
from core.navigation import PARTNER, STAFF, NavEntry, register

register(
    NavEntry("Activities", "involvement:activity_list", order=110, audience=STAFF, roles=DELIVERY_ROLES),
    NavEntry("What I've been part of", "involvement:my_involvement", order=100, audience=PARTNER),
)

"""Navigation entries for partners' pages (core.navigation)."""

from __future__ import annotations

from accounts.roles import DELIVERY_ROLES
from core.navigation import PARTNER, STAFF, NavEntry, register

register(
    NavEntry("Lay partners", "partners:directory", order=120, audience=STAFF, roles=DELIVERY_ROLES),
    NavEntry("My details", "partners:my_profile", order=130, audience=PARTNER),
)

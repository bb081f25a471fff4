"""Navigation entries for programmes' pages (core.navigation)."""

from __future__ import annotations

from accounts.roles import DELIVERY_ROLES
from core.navigation import STAFF, NavEntry, register

register(NavEntry("Programmes", "programmes:programme_list", order=100, audience=STAFF, roles=DELIVERY_ROLES))

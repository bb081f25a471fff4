"""Navigation entries for reports' pages (core.navigation)."""

from __future__ import annotations

from accounts.roles import MANAGER_ROLES
from core.navigation import STAFF, NavEntry, register

register(NavEntry("Reports", "reports:report_list", order=300, audience=STAFF, roles=MANAGER_ROLES))

"""Navigation entries for payments' pages (core.navigation)."""

from __future__ import annotations

from accounts.roles import CLAIM_READER_ROLES
from core.navigation import PARTNER, STAFF, NavEntry, register

register(
    NavEntry("Claims", "payments:claim_queue", order=200, audience=STAFF, roles=CLAIM_READER_ROLES),
    NavEntry("My payments", "payments:my_money", order=110, audience=PARTNER),
)

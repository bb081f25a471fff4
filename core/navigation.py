"""Navigation by role. Entries whose page does not exist yet are skipped by the context processor."""

from __future__ import annotations

from typing import Any

from accounts.roles import CLAIM_READER_ROLES, DELIVERY_ROLES, MANAGER_ROLES
from core.access import memberships_of


def nav_entries_for(user: Any) -> list[tuple[str, str]]:
    roles = {m.role for m in memberships_of(user)}
    entries: list[tuple[str, str]] = [("Home", "core:dashboard")]
    if roles:
        if roles & DELIVERY_ROLES:
            entries += [
                ("Programmes", "programmes:programme_list"),
                ("Activities", "involvement:activity_list"),
                ("Lay partners", "partners:directory"),
                ("Forums", "forum:forum_list"),
            ]
        if roles & CLAIM_READER_ROLES:
            entries.append(("Claims", "payments:claim_queue"))
        if roles & MANAGER_ROLES:
            entries.append(("Reports", "reports:report_list"))
        entries.append(("Team", "accounts:membership_list"))
        if roles & MANAGER_ROLES:
            entries.append(("Audit log", "core:audit_log"))
    elif _is_lay_partner(user):
        entries += [
            ("Opportunities", "opportunities:list"),
            ("What I've been part of", "involvement:my_involvement"),
            ("My payments", "payments:my_money"),
            ("Forums", "forum:my_forums"),
            ("My details", "partners:my_profile"),
        ]
    entries.append(("Notifications", "core:notification_list"))
    entries.append(("My account", "accounts:my_account"))
    return entries


def _is_lay_partner(user: Any) -> bool:
    from partners.models import LayPartner

    return LayPartner.objects.filter(user=user).exists()

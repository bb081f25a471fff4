"""Staff roles, and the sets of them that the portal's rules use. Named once, here.

A member of staff has one role in each organisation they belong to (accounts.Membership). Lay
partners have no role: they are people the portal holds data about, and they see only their own.

| set | who | what it is for |
| --- | --- | --- |
| STAFF_ROLES | everyone with a role | they see partners' names, contact details and access needs, so they sign in with a second step and have the shorter session |
| NETWORK_ADMIN_ROLES | network admins | give the network admin role, see every organisation |
| DELIVERY_ROLES | staff, leads, network admins | run involvement: log activities and programmes, support partners, prepare a claim for a partner supported by staff |
| MANAGER_ROLES | leads, network admins | manage the team, read reports and the audit log |
| APPROVER_ROLES | leads | approve or return claims |
| FINANCE_ROLES | finance officers | pay claims in batches |
| CLAIM_READER_ROLES | leads, finance, network admins | read every claim at their AHSN |
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    INVOLVEMENT_LEAD = "involvement_lead", "Involvement lead"
    FINANCE = "finance", "Finance officer"
    NETWORK_ADMIN = "network_admin", "Network admin"


# Every staff role sees personal data (partners' names, contact details, access needs) and can
# download it, so every one of them signs in with a password and a code from an authenticator app.
STAFF_ROLES = frozenset(Role)
DELIVERY_ROLES = frozenset({Role.STAFF, Role.INVOLVEMENT_LEAD, Role.NETWORK_ADMIN})
MANAGER_ROLES = frozenset({Role.INVOLVEMENT_LEAD, Role.NETWORK_ADMIN})
APPROVER_ROLES = frozenset({Role.INVOLVEMENT_LEAD})
FINANCE_ROLES = frozenset({Role.FINANCE})
CLAIM_READER_ROLES = frozenset({Role.INVOLVEMENT_LEAD, Role.FINANCE, Role.NETWORK_ADMIN})
NETWORK_ADMIN_ROLES = frozenset({Role.NETWORK_ADMIN})

"""The header navigation: a registry each app adds its own entries to (like core.dashboard).

An app registers its entries in `<app>/navigation.py`, imported from its `AppConfig.ready()`:

    register(
        NavEntry("Claims", "payments:claim_queue", order=200, audience=STAFF, roles=CLAIM_READER_ROLES),
        NavEntry("My payments", "payments:my_money", order=110, audience=PARTNER),
    )

Who sees an entry:
* STAFF entries: people with a role in at least one organisation, holding one of `roles` (any
  role when `roles` is empty);
* PARTNER entries: lay partners with no staff role (core.people.is_lay_partner);
* EVERYONE entries: every signed-in person.

Entries are shown by `order`, then in the order they were registered. The context processor turns
each URL name into a link; a URL name that does not exist raises NoReverseMatch (a test fails),
it never makes a link vanish.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import MANAGER_ROLES, NETWORK_ADMIN_ROLES
from core.access import memberships_of
from core.people import Person, is_lay_partner

STAFF = "staff"
PARTNER = "partner"
EVERYONE = "everyone"


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int
    audience: str = EVERYONE
    # STAFF entries only: shown to people holding any of these roles (empty: any role).
    roles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.audience not in (STAFF, PARTNER, EVERYONE):
            raise ValueError(f"Unknown navigation audience {self.audience!r}")
        if self.roles and self.audience != STAFF:
            raise ValueError("Only staff entries are chosen by role.")


_entries: list[NavEntry] = []


def register(*entries: NavEntry) -> None:
    """Add entries to the navigation (registering the same entry twice adds it once)."""
    for entry in entries:
        if entry not in _entries:
            _entries.append(entry)


def _shown_to(entry: NavEntry, *, roles: set[str], partner: bool) -> bool:
    if entry.audience == EVERYONE:
        return True
    if entry.audience == STAFF:
        return bool(roles) and (not entry.roles or bool(roles & entry.roles))
    return partner


def nav_entries_for(user: Person) -> list[tuple[str, str]]:
    """(label, URL name) of the entries this person sees, in order."""
    roles = {m.role for m in memberships_of(user)}
    partner = not roles and is_lay_partner(user)
    ordered = sorted(enumerate(_entries), key=lambda pair: (pair[1].order, pair[0]))
    return [(entry.label, entry.url_name) for _, entry in ordered if _shown_to(entry, roles=roles, partner=partner)]


# Core's own pages. Staff entries from the apps sit between Home (0) and the audit log (500);
# lay partners' entries between Home and Notifications (900).
register(
    NavEntry("Home", "core:dashboard", order=0),
    NavEntry("Audit log", "core:audit_log", order=500, audience=STAFF, roles=MANAGER_ROLES),
    NavEntry("Service status", "core:service_status", order=510, audience=STAFF, roles=NETWORK_ADMIN_ROLES),
    NavEntry("Notifications", "core:notification_list", order=900),
)

"""Demo accounts for `manage.py seed_demo`: one user per role across two AHSNs."""

from __future__ import annotations

import os
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from accounts.models import Membership, Organisation, User
from accounts.roles import STAFF_ROLES, Role

DEMO_DOMAIN = "demo.ahsn.test"
DEFAULT_DEMO_PASSWORD = "involve-demo-2026"
# Shared by every demo account that needs a second step, so a person adds it to an app once.
DEFAULT_DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

DEMO_AHSNS = ("Wessex", "Y&H AHSN")

DEMO_STAFF = [
    # (email local part, full name, organisation short name, role)
    ("admin", "Nadia Okafor", "Network", Role.NETWORK_ADMIN),
    ("lead.wessex", "Priya Shah", "Wessex", Role.INVOLVEMENT_LEAD),
    ("staff.wessex", "Tom Evans", "Wessex", Role.STAFF),
    ("finance.wessex", "Grace Mensah", "Wessex", Role.FINANCE),
    ("lead.yorkshire", "Callum Reid", "Y&H AHSN", Role.INVOLVEMENT_LEAD),
    ("staff.yorkshire", "Aisha Begum", "Y&H AHSN", Role.STAFF),
    ("finance.yorkshire", "Daniel Price", "Y&H AHSN", Role.FINANCE),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)


def demo_totp_secret() -> str:
    return os.environ.get("DEMO_TOTP_SECRET", DEFAULT_DEMO_TOTP_SECRET)


def ensure_user(email: str, full_name: str, *, password: str) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user, created


def ensure_totp(user: User, secret: str) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


@transaction.atomic
def seed(out: Any) -> dict[str, Any]:
    password = demo_password()
    secret = demo_totp_secret()
    orgs = {o.short_name: o for o in Organisation.objects.filter(short_name__in=[*DEMO_AHSNS, "Network"])}
    created_count = 0
    users: dict[str, User] = {}
    for local, full_name, org_short, role in DEMO_STAFF:
        user, created = ensure_user(f"{local}@{DEMO_DOMAIN}", full_name, password=password)
        created_count += int(created)
        Membership.objects.get_or_create(user=user, organisation=orgs[org_short], defaults={"role": role})
        # Every staff role signs in with a second step (accounts.roles), so every demo member of
        # staff has the one demo authenticator secret the README and seed_demo print.
        if role in STAFF_ROLES:
            ensure_totp(user, secret)
        users[local] = user
    out.write(f"Demo staff accounts: {len(DEMO_STAFF)} ({created_count} new)")
    return {"users": users, "organisations": orgs}

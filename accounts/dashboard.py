"""Dashboard sections for staff roles: invitations waiting and the organisations they belong to."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Invitation
from accounts.roles import MANAGER_ROLES, Role
from accounts.typing import AnyUser
from core.access import memberships_of, visible_organisation_ids
from core.dashboard import DashboardSection, register
from core.formatting import date_text

_ROLE_LABELS = dict(Role.choices)


@register
def team_sections(user: AnyUser) -> list[DashboardSection]:
    memberships = memberships_of(user)
    roles = {m.role for m in memberships}
    sections: list[DashboardSection] = []
    if roles & MANAGER_ROLES:
        org_ids = visible_organisation_ids(user, roles=MANAGER_ROLES)
        pending = (
            Invitation.objects.pending()
            .filter(organisation_id__in=org_ids)
            .values_list("email", "role", "organisation__short_name", "expires_at")[:10]
        )
        sections.append(
            DashboardSection(
                title="Invitations waiting to be accepted",
                items=[
                    {
                        "text": f"{email} — {_ROLE_LABELS.get(role, role)} at {short_name}",
                        "meta": f"expires {date_text(expires_at)}",
                    }
                    for email, role, short_name, expires_at in pending
                ],
                empty_text="No invitations are waiting to be accepted.",
                link_url=reverse("accounts:membership_invite"),
                link_text="Invite someone to your team",
            )
        )
    if memberships:
        sections.append(
            DashboardSection(
                title="Your organisations",
                items=[
                    {"text": f"{m.organisation.name}", "meta": _ROLE_LABELS.get(m.role, m.role)} for m in memberships
                ],
                link_url=reverse("accounts:membership_list"),
                link_text="See your team",
            )
        )
    # A finance officer's claims to pay are the payments app's section ("Approved claims to pay").
    return sections

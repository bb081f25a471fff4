"""Home page sections: a partner's open opportunities, and staff's opportunities with people waiting."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from core.access import visible_organisation_ids
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from opportunities import selectors
from opportunities.models import OpportunityState
from opportunities.permissions import OPPORTUNITY_WRITE_ROLES
from partners.models import LayPartner
from partners.sections import register_home_section

HOME_LIMIT = 5


def partner_home(partner: LayPartner) -> list[DashboardSection]:
    opportunities = list(selectors.partner_opportunities(partner)[:HOME_LIMIT])
    return [
        DashboardSection(
            title="Opportunities to take part",
            items=[
                {
                    "text": o.title,
                    "url": reverse("opportunities:detail", args=[o.pk]),
                    "meta": f"{o.organisation.short_name}, closes {date_text(o.closes_on)}"
                    + (", you said you are interested" if getattr(o, "my_interest", None) else ""),
                }
                for o in opportunities
            ],
            empty_text="There are no open opportunities at the moment. We will show new ones here.",
            link_url=reverse("opportunities:list"),
            link_text="See all opportunities",
        )
    ]


def staff_home(user: User) -> list[DashboardSection]:
    if not visible_organisation_ids(user, roles=OPPORTUNITY_WRITE_ROLES):
        return []
    waiting = list(
        selectors.staff_opportunities(user, waiting_only=True)
        .filter(state__in=[OpportunityState.OPEN, OpportunityState.CLOSED])
        .order_by("closes_on", "pk")[:HOME_LIMIT]
    )
    return [
        DashboardSection(
            title="Opportunities with people waiting to hear",
            items=[
                {
                    "text": o.title,
                    "url": reverse("opportunities:interested", args=[o.pk]),
                    "meta": f"{getattr(o, 'interested_count', 0)} interested, closes {date_text(o.closes_on)}",
                }
                for o in waiting
            ],
            empty_text="Nobody is waiting to hear about an opportunity.",
            link_url=reverse("opportunities:manage_list"),
            link_text="See all opportunities",
        )
    ]


def register_sections() -> None:
    register_home_section(partner_home)
    register(staff_home)

"""Home page sections: a partner's open opportunities, and staff's opportunities with people waiting."""

from __future__ import annotations

from django.db.models import BigIntegerField, DateField
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.access import visible_organisation_ids
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from core.links import url_for_each
from core.prepared import Prepared
from opportunities import selectors
from opportunities.permissions import OPPORTUNITY_WRITE_ROLES
from partners.models import LayPartner
from partners.sections import register_home_section

HOME_LIMIT = 5


# Built once per process (core.prepared): building it was about 4 ms of Python on every partner
# home, for 1.5 ms of SQL.
_PARTNER_OPPORTUNITIES = Prepared(
    lambda slots: selectors.partner_opportunities(slots.partner, today=slots.today).values_list(  # type: ignore[misc]  # annotations the stubs cannot see
        "pk", "title", "organisation__short_name", "closes_on", "my_interest"
    )[:HOME_LIMIT],
    partner=BigIntegerField(),
    today=DateField(),
)


def partner_home(partner: LayPartner) -> list[DashboardSection]:
    detail_url = url_for_each("opportunities:detail")
    opportunities = _PARTNER_OPPORTUNITIES.rows(partner=partner.pk, today=timezone.localdate())
    return [
        DashboardSection(
            title="Opportunities to take part",
            items=[
                {
                    "text": title,
                    "url": detail_url(pk),
                    "meta": f"{short_name}, closes {date_text(closes_on)}"
                    + (", you said you are interested" if my_interest else ""),
                }
                for pk, title, short_name, closes_on, my_interest in opportunities
            ],
            empty_text="There are no open opportunities at the moment. We will show new ones here.",
            link_url=reverse("opportunities:list"),
            link_text="See all opportunities",
        )
    ]


def staff_home(user: User) -> list[DashboardSection]:
    if not visible_organisation_ids(user, roles=OPPORTUNITY_WRITE_ROLES):
        return []
    waiting = selectors.opportunities_waiting_to_hear(user, limit=HOME_LIMIT)
    interested_url = url_for_each("opportunities:interested")
    return [
        DashboardSection(
            title="Opportunities with people waiting to hear",
            items=[
                {
                    "text": title,
                    "url": interested_url(pk),
                    "meta": f"{interested_count} interested, closes {date_text(closes_on)}",
                }
                for pk, title, interested_count, closes_on in waiting
            ],
            empty_text="Nobody is waiting to hear about an opportunity.",
            link_url=reverse("opportunities:manage_list"),
            link_text="See all opportunities",
        )
    ]


def register_sections() -> None:
    register_home_section(partner_home)
    register(staff_home)

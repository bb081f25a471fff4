"""Who may do what with an opportunity: one home for each rule, called by views, services and
templates alike."""

from __future__ import annotations

from datetime import date

from accounts.models import User
from accounts.roles import DELIVERY_ROLES
from core.access import can_write
from core.formatting import date_text
from opportunities.models import Interest, InterestStatus, Opportunity, OpportunityState
from partners.models import LayPartner, PartnerLink

# Staff, involvement leads and network admins write and choose; finance officers only read.
OPPORTUNITY_WRITE_ROLES = DELIVERY_ROLES


def can_write_opportunity(user: User, opportunity: Opportunity) -> bool:
    """Write, publish and choose people: staff, leads and network admins of its AHSN."""
    return can_write(user, opportunity.organisation_id, roles=OPPORTUNITY_WRITE_ROLES)


def interest_refusal(
    opportunity: Opportunity,
    partner: LayPartner,
    *,
    existing: Interest | None,
    today: date,
    link_status: str | None = None,
    link_known: bool = False,
) -> str:
    """Why this partner cannot say they are interested now ('' when they can).

    `link_status`/`link_known` let a page that already read the partner's link skip a query."""
    if opportunity.state != OpportunityState.OPEN or opportunity.closes_on < today:
        return (
            f"This opportunity closed on {date_text(opportunity.closed_at or opportunity.closes_on)}, "
            "so it is no longer taking interest."
        )
    if partner.left_at is not None or partner.anonymised:
        return "You have left, so you cannot take part in new opportunities."
    if not link_known:
        link_status = (
            PartnerLink.objects.filter(partner=partner, organisation_id=opportunity.organisation_id)
            .values_list("status", flat=True)
            .first()
        )
    org = opportunity.organisation.short_name
    if link_status is None:
        return f"This opportunity is run by {org}. Register with {org} first, then say you are interested."
    if link_status == PartnerLink.Status.LEFT:
        return f"You have left {org}, so you cannot take part in its opportunities."
    if link_status == PartnerLink.Status.PAUSED:
        return (
            f"Your involvement with {org} is paused at the moment. "
            f"Contact {org} if you would like to start taking part again."
        )
    if existing is not None:
        if existing.status == InterestStatus.DECLINED:
            return (
                "You were not chosen for this opportunity this time, so you cannot apply for it again. "
                "Thank you for your interest: look out for other opportunities."
            )
        if existing.status in (InterestStatus.INTERESTED, InterestStatus.RESERVE, InterestStatus.SELECTED):
            return "You have already told us you are interested in this opportunity."
    return ""

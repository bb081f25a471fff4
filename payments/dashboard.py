"""Home-page sections: claims waiting for a lead, approved claims for finance, and for lay
partners what they can claim and how their claims are doing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.models import Role
from accounts.typing import AnyUser
from core.access import memberships_of
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from core.money import format_money
from partners.sections import register_home_section
from payments import selectors
from payments.models import ClaimStatus
from payments.templatetags.payments_tags import next_step


@register
def staff_sections(user: AnyUser) -> list[DashboardSection]:
    roles = {m.role for m in memberships_of(user)}
    sections: list[DashboardSection] = []
    if Role.INVOLVEMENT_LEAD in roles:
        waiting = list(selectors.waiting_for_approval(user))
        sections.append(
            DashboardSection(
                title="Claims waiting for your approval",
                items=[
                    {
                        "text": f"{c.reference}: {c.partner.display_name}, {format_money(c.total)}",
                        "url": reverse("payments:claim_detail", args=[c.pk]),
                        "meta": f"sent {date_text(c.submitted_at)}" if c.submitted_at else "",
                    }
                    for c in waiting
                ],
                empty_text="No claims are waiting for approval.",
                link_url=reverse("payments:claim_queue") + "?status=submitted",
                link_text="See all claims waiting for approval",
            )
        )
    if Role.FINANCE in roles:
        approved = list(selectors.approved_unbatched(user)[:10])
        sections.append(
            DashboardSection(
                title="Approved claims to pay",
                items=[
                    {
                        "text": f"{c.reference}: {c.partner.reference}, {format_money(c.total)}",
                        "url": reverse("payments:claim_detail", args=[c.pk]),
                        "meta": f"approved {date_text(c.approved_at)}" if c.approved_at else "",
                    }
                    for c in approved
                ],
                empty_text="There are no approved claims waiting for payment.",
                link_url=reverse("payments:batch_list"),
                link_text="Go to payment batches",
            )
        )
    return sections


def partner_home_sections(partner: Any) -> list[DashboardSection]:
    count = selectors.claimable_participations(partner=partner).count()
    claims = list(
        selectors.partner_claims(partner).exclude(status__in=[ClaimStatus.WITHDRAWN]).select_related("organisation")[:5]
    )
    # With nothing in progress, say whether there are withdrawn claims (never "not made any").
    only_withdrawn = not claims and selectors.partner_claims(partner).exists()
    no_claims = (
        "You have no claims in progress. Claims you withdrew are listed in My payments."
        if only_withdrawn
        else "You have not made any claims yet."
    )

    return [
        DashboardSection(
            title="You can claim for…",
            items=[
                {
                    "text": f"{count} activit{'y' if count == 1 else 'ies'} you have taken part in",
                    "url": reverse("payments:my_money"),
                }
            ]
            if count
            else [],
            empty_text="There is nothing new to claim for at the moment.",
            link_url=reverse("payments:my_money"),
            link_text="Go to my payments",
        ),
        DashboardSection(
            title="Your claims",
            items=[
                {
                    "text": f"{c.reference}, {format_money(c.total)}: {c.get_status_display()}",
                    "url": reverse("payments:claim_detail", args=[c.pk]),
                    "meta": next_step(c),
                }
                for c in claims
            ],
            empty_text=no_claims,
            link_url=reverse("payments:my_money") if claims or only_withdrawn else "",
            link_text="See all your claims",
        ),
    ]


def register_partner_sections() -> None:
    """Add the money section to the partner's home page (from AppConfig.ready)."""
    register_home_section(partner_home_sections)


__all__ = ["partner_home_sections", "register_partner_sections", "staff_sections"]

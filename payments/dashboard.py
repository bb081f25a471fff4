"""Home-page sections: claims waiting for a lead, approved claims for finance, and for lay
partners what they can claim and how their claims are doing."""

from __future__ import annotations

from typing import Any

from django.db.models import BigIntegerField, Count, DateField, Exists, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.typing import AnyUser
from core.access import memberships_of
from core.dashboard import DashboardSection, register
from core.formatting import date_text
from core.links import url_for_each
from core.money import format_money
from core.prepared import Prepared
from partners.models import LayPartner
from partners.sections import register_home_section
from payments import selectors
from payments.models import ClaimStatus
from payments.templatetags.payments_tags import next_step


@register
def staff_sections(user: AnyUser) -> list[DashboardSection]:
    roles = {m.role for m in memberships_of(user)}
    sections: list[DashboardSection] = []
    claim_url = url_for_each("payments:claim_detail")
    if Role.INVOLVEMENT_LEAD in roles:
        claims = selectors.waiting_for_approval(user)
        waiting = claims.values_list(  # type: ignore[misc]  # annotations the stubs cannot see
            "pk", "reference", "partner__preferred_name", "partner__full_name", "total", "submitted_at"
        )
        sections.append(
            DashboardSection(
                title="Claims waiting for your approval",
                items=[
                    {
                        # the partner's display name: what they like to be called, else their full name
                        "text": f"{reference}: {preferred_name or full_name}, {format_money(total)}",
                        "url": claim_url(pk),
                        "meta": f"sent {date_text(submitted_at)}" if submitted_at else "",
                    }
                    for pk, reference, preferred_name, full_name, total, submitted_at in waiting
                ],
                empty_text="No claims are waiting for approval.",
                link_url=reverse("payments:claim_queue") + "?status=submitted",
                link_text="See all claims waiting for approval",
            )
        )
    if Role.FINANCE in roles:
        claims = selectors.approved_unbatched(user)
        approved = claims.values_list(  # type: ignore[misc]  # annotations the stubs cannot see
            "pk", "reference", "partner__reference", "total", "approved_at"
        )[:10]
        sections.append(
            DashboardSection(
                title="Approved claims to pay",
                items=[
                    {
                        "text": f"{reference}: {partner_reference}, {format_money(total)}",
                        "url": claim_url(pk),
                        "meta": f"approved {date_text(approved_at)}" if approved_at else "",
                    }
                    for pk, reference, partner_reference, total, approved_at in approved
                ],
                empty_text="There are no approved claims waiting for payment.",
                link_url=reverse("payments:batch_list"),
                link_text="Go to payment batches",
            )
        )
    return sections


_CLAIM_STATUS_LABELS = dict(ClaimStatus.choices)


def _claimable_count(partner: Any, today: Any) -> Coalesce:
    """How many participations the partner can claim for, as a subquery (PostgreSQL works it out once)."""
    claimable = (
        selectors.claimable_participations(partner=partner, today=today)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(claimable), 0)


# The partner home's two reads, each built once per process (core.prepared): building the claim
# rules into a count was about 10 ms of Python on every view, for 1 ms of SQL.
_HOME_CLAIMS = Prepared(
    lambda slots: (
        selectors.partner_claims(slots.partner)
        .exclude(status__in=[ClaimStatus.WITHDRAWN])
        .annotate(claimable=_claimable_count(slots.partner, slots.today))
        .values_list("pk", "reference", "status", "total", "claimable")[:5]
    ),
    partner=BigIntegerField(),
    today=DateField(),
)
_HOME_NO_CLAIMS = Prepared(
    lambda slots: LayPartner.objects.filter(pk=slots.partner).values_list(
        _claimable_count(slots.partner, slots.today), Exists(selectors.partner_claims(slots.partner))
    ),
    partner=BigIntegerField(),
    today=DateField(),
)


def partner_home_sections(partner: Any) -> list[DashboardSection]:
    """One query for both sections: the claims in progress carry the claimable count. Only with no
    claim in progress is a second asked (the count, and whether there are withdrawn claims)."""
    today = timezone.localdate()
    claims = _HOME_CLAIMS.rows(partner=partner.pk, today=today)
    if claims:
        count = claims[0][4]
        only_withdrawn = False
    else:
        # With nothing in progress, say whether there are withdrawn claims (never "not made any").
        count, only_withdrawn = _HOME_NO_CLAIMS.rows(partner=partner.pk, today=today)[0]
    no_claims = (
        "You have no claims in progress. Claims you withdrew are listed in My payments."
        if only_withdrawn
        else "You have not made any claims yet."
    )
    claim_url = url_for_each("payments:claim_detail")

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
                    "text": f"{reference}, {format_money(total)}: {_CLAIM_STATUS_LABELS.get(status, status)}",
                    "url": claim_url(pk),
                    "meta": next_step(status),
                }
                for pk, reference, status, total, _count in claims
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

"""Reads for opportunities, shared by the pages, the sweep and the report.

Every list costs a fixed number of queries whatever its size: counts and the partner's own
interest come from correlated subqueries, related rows from select_related/prefetch_related."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from core.access import scoped_get_or_404, visible_organisation_ids
from core.choices import CommunicationNeed, InvolvementMethod, SeldomHeardGroup, SupportType
from core.money import format_money
from involvement.models import ActivityStatus, Participation
from opportunities.models import Interest, InterestStatus, Opportunity, OpportunityState, PaymentOffer
from opportunities.permissions import OPPORTUNITY_WRITE_ROLES
from partners.models import PREFER_NOT_TO_SAY, EqualityMonitoring, LayPartner, PartnerLink
from payments.models import RateCard

CLOSING_SOON_DAYS = 7
ACTIVE_INTEREST = (InterestStatus.INTERESTED, InterestStatus.RESERVE, InterestStatus.SELECTED)


# --- Access helpers ----------------------------------------------------------------------------


def get_opportunity_for_user(user: User, pk: int, *, write: bool = False) -> Opportunity:
    """An opportunity of one of the staff member's AHSNs (404 otherwise; 403 to write read-only)."""
    return scoped_get_or_404(
        Opportunity.objects.select_related("organisation", "programme", "lead"),
        user,
        write=write,
        write_roles=OPPORTUNITY_WRITE_ROLES,
        pk=pk,
    )


def get_interest_for_partner(partner: LayPartner, opportunity: Opportunity) -> Interest | None:
    return Interest.objects.filter(partner=partner, opportunity=opportunity).first()


def _partner_visible_q(partner: LayPartner) -> Q:
    """Opportunities a partner may open: open ones at an AHSN they are linked to (not left) or open
    to new people, and any they have said they are interested in (to see how it ended)."""
    linked = PartnerLink.objects.filter(partner=partner, organisation_id=OuterRef("organisation_id")).exclude(
        status=PartnerLink.Status.LEFT
    )
    mine = Interest.objects.filter(partner=partner, opportunity_id=OuterRef("pk"))
    return (Q(state=OpportunityState.OPEN) & (Q(Exists(linked)) | Q(open_to_new_people=True))) | Q(Exists(mine))


def get_opportunity_for_partner(partner: LayPartner, pk: int) -> Opportunity:
    """404 for a draft, another AHSN's opportunity that is not open to new people, and the like."""
    found = (
        Opportunity.objects.filter(_partner_visible_q(partner), pk=pk)
        .select_related("organisation", "programme", "lead")
        .first()
    )
    if found is None:
        raise Http404("No such opportunity.")
    return found


def get_public_opportunity(pk: int, *, today: date | None = None) -> Opportunity:
    found = public_opportunities(today=today).filter(pk=pk).first()
    if found is None:
        raise Http404("No such opportunity.")
    return found


# --- Lists -------------------------------------------------------------------------------------


# Interested, or on the reserve list: people still waiting to hear whether they were chosen.
WAITING_TO_HEAR = (InterestStatus.INTERESTED, InterestStatus.RESERVE)


def _people_waiting() -> Exists:
    return Exists(Interest.objects.filter(opportunity_id=OuterRef("pk"), status__in=WAITING_TO_HEAR))


def _interest_count(statuses: tuple[str, ...]) -> Coalesce:
    counted = (
        Interest.objects.filter(opportunity_id=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("opportunity_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def staff_opportunities(user: User, *, state: str = "", waiting_only: bool = False) -> QuerySet[Opportunity]:
    """The staff member's AHSNs' opportunities, newest first, with interest counts."""
    qs = Opportunity.objects.filter(organisation_id__in=visible_organisation_ids(user))
    if state:
        qs = qs.filter(state=state)
    if waiting_only:
        qs = qs.filter(_people_waiting())
    return (
        qs.select_related("organisation")
        .annotate(
            interested_count=_interest_count(WAITING_TO_HEAR),
            selected_count=_interest_count((InterestStatus.SELECTED,)),
        )
        .order_by("-created_at", "-id")
    )


def opportunities_waiting_to_hear(user: User, *, limit: int) -> list[tuple[int, str, int, date]]:
    """For the staff home page: the user's AHSNs' open or closed opportunities with people waiting
    to hear (as `staff_opportunities(waiting_only=True)`), closing soonest first, as the page's
    lines show them: (pk, title, how many are waiting, closes_on)."""
    return list(
        Opportunity.objects.filter(
            _people_waiting(),
            organisation_id__in=visible_organisation_ids(user),
            state__in=[OpportunityState.OPEN, OpportunityState.CLOSED],
        )
        .annotate(interested_count=_interest_count(WAITING_TO_HEAR))
        .order_by("closes_on", "pk")
        .values_list("pk", "title", "interested_count", "closes_on")[:limit]
    )


def open_opportunities(*, today: date | None = None) -> QuerySet[Opportunity]:
    today = today or timezone.localdate()
    return Opportunity.objects.filter(state=OpportunityState.OPEN, closes_on__gte=today)


def _newest_and_closing_soon(qs: QuerySet[Opportunity], today: date) -> QuerySet[Opportunity]:
    """Closing within a week first (soonest first), then the newest."""
    soon = today + timedelta(days=CLOSING_SOON_DAYS)
    return qs.annotate(
        closing_soon=Case(
            When(closes_on__lte=soon, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).order_by("-closing_soon", Case(When(closes_on__lte=soon, then="closes_on")), "-opened_at", "-id")


def partner_opportunities(
    partner: LayPartner, *, way: str = "", topic: str = "", today: date | None = None
) -> QuerySet[Opportunity]:
    """Open opportunities from every AHSN the partner is linked to (and not left), with their own
    interest, closing soon and newest first."""
    today = today or timezone.localdate()
    linked = PartnerLink.objects.filter(partner=partner).exclude(status=PartnerLink.Status.LEFT)
    qs = open_opportunities(today=today).filter(organisation_id__in=linked.values("organisation_id"))
    if way:
        qs = qs.filter(ways_to_take_part__contains=[way])
    if topic:
        qs = qs.filter(topics__contains=[topic])
    mine = Interest.objects.filter(partner=partner, opportunity_id=OuterRef("pk")).values("status")[:1]
    return _newest_and_closing_soon(qs.select_related("organisation").annotate(my_interest=Subquery(mine)), today)


def partner_topics(partner: LayPartner, *, today: date | None = None) -> list[str]:
    """The topics used by the opportunities the partner can see (for the filter)."""
    qs = partner_opportunities(partner, today=today).order_by().values_list("topics", flat=True)
    return sorted({topic for topics in qs for topic in topics}, key=str.lower)


def public_opportunities(*, organisation_id: int | None = None, today: date | None = None) -> QuerySet[Opportunity]:
    """Open opportunities an AHSN marked "open to new people": for anyone, signed in or not."""
    today = today or timezone.localdate()
    qs = open_opportunities(today=today).filter(open_to_new_people=True).select_related("organisation")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return _newest_and_closing_soon(qs, today)


def public_opportunity(pk: int) -> Opportunity | None:
    """One opportunity open to new people, for the joining page (registered with partners.joining)."""
    return public_opportunities().filter(pk=pk).first()


def partner_interests(partner: LayPartner) -> QuerySet[Interest]:
    return (
        Interest.objects.filter(partner=partner)
        .exclude(status=InterestStatus.WITHDRAWN)
        .select_related("opportunity", "opportunity__organisation")
        .order_by("-created_at")
    )


# --- Payment, in plain English -----------------------------------------------------------------


def rate_cards_in_force(organisation_ids: set[int], *, on: date) -> dict[int, RateCard]:
    """The rate card in force on `on` for each organisation, in one query."""
    cards: dict[int, RateCard] = {}
    rows = (
        RateCard.objects.filter(organisation_id__in=organisation_ids, effective_from__lte=on)
        .order_by("organisation_id", "-effective_from", "-id")
        .distinct("organisation_id")
    )
    for card in rows:
        cards[card.organisation_id] = card
    return cards


def _pounds(amount: Decimal) -> str:
    text = format_money(amount)
    return text[:-3] if text.endswith(".00") else text


def payment_text(opportunity: Opportunity, card: RateCard | None) -> str:
    """ "£25 an hour, plus travel and carer costs", or "Expenses only: travel and carer costs"."""
    extras = ["travel"]
    if "carer_costs" in opportunity.support_offered or opportunity.payment == PaymentOffer.PAID:
        extras.append("carer costs")
    costs = " and ".join(extras)
    if opportunity.payment == PaymentOffer.EXPENSES_ONLY:
        return f"Expenses only: we pay your {costs}. There is no payment for your time."
    if card is None:
        return f"Paid for your time at our standard rates, plus {costs}."
    return f"{_pounds(card.hourly_rate)} an hour, plus {costs}."


def payment_texts(opportunities: list[Opportunity], *, on: date | None = None) -> dict[int, str]:
    on = on or timezone.localdate()
    cards = rate_cards_in_force({o.organisation_id for o in opportunities}, on=on)
    return {o.pk: payment_text(o, cards.get(o.organisation_id)) for o in opportunities}


# --- Choosing people ---------------------------------------------------------------------------


def interested_people(opportunity: Opportunity) -> QuerySet[Interest]:
    """Everyone who said they were interested (not withdrawn), with what matters for a fair choice:
    how they want to take part, support needed, whether and how recently they took part before."""
    attended = Participation.objects.filter(partner_id=OuterRef("partner_id"), attended=True).exclude(
        activity__status=ActivityStatus.CANCELLED
    )
    times = attended.order_by().values("partner_id").annotate(n=Count("pk")).values("n")
    last = attended.order_by().values("partner_id").annotate(last=Max("activity__starts_at")).values("last")
    return (
        Interest.objects.filter(opportunity=opportunity)
        .exclude(status=InterestStatus.WITHDRAWN)
        .select_related("partner", "recorded_by")
        .annotate(
            times_involved=Coalesce(Subquery(times, output_field=IntegerField()), Value(0)),
            last_involved=Subquery(last),
        )
        .order_by("times_involved", "created_at", "pk")
    )


@dataclass(frozen=True)
class ReachRow:
    label: str
    count: int


def pool_reach(opportunity: Opportunity) -> list[ReachRow]:
    """How many of the people interested belong to each seldom-heard group (from their own equality
    answers), counted in one query. Pages show these only through the `suppressed` filter."""
    pool = EqualityMonitoring.objects.filter(
        Exists(
            Interest.objects.filter(opportunity=opportunity, partner_id=OuterRef("partner_id")).exclude(
                status=InterestStatus.WITHDRAWN
            )
        )
    )
    counts = pool.aggregate(
        **{
            value: Count("pk", filter=Q(seldom_heard_groups__contains=[value])) for value, _ in SeldomHeardGroup.choices
        },
        any_group=Count("pk", filter=Q(seldom_heard_groups__len__gt=0) & ~Q(seldom_heard_groups=[PREFER_NOT_TO_SAY])),
    )
    rows = [ReachRow("Any seldom-heard group", counts["any_group"] or 0)]
    rows += [ReachRow(str(label), counts[value] or 0) for value, label in SeldomHeardGroup.choices]
    return rows


def support_labels(codes: list[str] | None) -> list[str]:
    labels = dict(SupportType.choices)
    return [str(labels.get(code, code)) for code in (codes or [])]


def describe_people(interests: list[Interest]) -> list[Interest]:
    """Add `methods_text` and `support_text` (from each partner's profile, no queries)."""
    methods = dict(InvolvementMethod.choices)
    needs = dict(CommunicationNeed.choices)
    for interest in interests:
        partner = interest.partner
        setattr(interest, "methods_text", ", ".join(str(methods.get(m, m)) for m in partner.methods))  # noqa: B010
        parts = [str(needs.get(n, n)) for n in partner.communication_needs] + support_labels(partner.support_tags)
        if partner.access_needs:
            parts.append(partner.access_needs)
        setattr(interest, "support_text", "; ".join(parts))  # noqa: B010
    return interests


def state_counts(user: User) -> dict[str, int]:
    rows = (
        Opportunity.objects.filter(organisation_id__in=visible_organisation_ids(user))
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
    )
    return {row["state"]: row["n"] for row in rows}

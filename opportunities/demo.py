"""Demo opportunities for `manage.py seed_demo`: at Wessex and Yorkshire and Humber, a draft, open
ones (one open to new people, with an easy read version), a closed one with people waiting to be
chosen, and a filled one where people were chosen and the others thanked. Idempotent: found by
(AHSN, title), so a second run creates nothing new."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from involvement.models import Activity, ActivityStatus
from opportunities import services
from opportunities.models import InterestStatus, Opportunity, PaymentOffer
from partners.models import LayPartner, PartnerLink

# (AHSN, title, state, open to new people, ways, topics, purpose, what you would do, role)
DEMO: list[tuple[str, str, str, bool, list[str], list[str], str, str, str]] = [
    (
        "Wessex",
        "Help us design a heart failure home monitoring guide",
        "open",
        True,
        ["in_person", "online", "post"],
        ["Heart health", "Digital health"],
        "People sent home with monitoring kit told us the instructions were hard to follow. Together we will "
        "rewrite them, so that more people can use the kit with confidence and stay well at home.",
        "Come to two short sessions to read the guide and tell us what is confusing, or send us your comments by post.",
        "",
    ),
    (
        "Wessex",
        "Lay reviewer for falls prevention research, for a year",
        "open",
        False,
        ["online", "own_time"],
        ["Falls", "Older people"],
        "Research teams want to know what matters to residents and families. Your views will shape which "
        "falls studies we support next year.",
        "Read about four research proposals over the year in your own time and tell us what you think.",
        "Lay reviewer",
    ),
    (
        "Wessex",
        "Join the panel choosing a mental health app supplier",
        "closed",
        False,
        ["online"],
        ["Mental health", "Digital health"],
        "We are choosing which company builds a new way to ask for mental health support. Panel members make "
        "sure it works for the people who will use it.",
        "Read three short summaries, then join one online panel to score the companies with staff.",
        "Panel member",
    ),
    (
        "Wessex",
        "Review the hospital discharge leaflet",
        "filled",
        False,
        ["post", "own_time"],
        ["Hospital discharge", "Carers"],
        "Patients and carers said the leaflet did not tell them what to expect at home. We will change it with you.",
        "Read the leaflet at home and mark what is unclear. We send it by post or email.",
        "",
    ),
    (
        "Wessex",
        "Community pharmacy blood pressure: what would help you get checked?",
        "draft",
        True,
        ["in_person"],
        ["Heart health"],
        "Fewer people from some communities have their blood pressure checked. Tell us what would help.",
        "Join one conversation at a community venue near you.",
        "",
    ),
    (
        "Y&H AHSN",
        "Share your experience of remote heart monitoring",
        "open",
        True,
        ["phone", "online"],
        ["Heart health"],
        "New sites are starting remote monitoring. Your experience will help them start well.",
        "Talk to us for up to an hour by phone or online.",
        "",
    ),
]

EASY_READ = (
    "We want to make a guide better.\n\nThe guide tells people how to use a heart check kit at home.\n\n"
    "You can help us by reading it and telling us what is hard.\n\nWe will pay you for your time."
)


def _interest(*, actor: User, opportunity: Opportunity, partner: LayPartner, why: str) -> None:
    if opportunity.interests.filter(partner=partner).exists():
        return
    services.interest_express(
        actor=actor if partner.user is None else partner.user, opportunity=opportunity, partner=partner, why=why
    )


def _make(organisation: Organisation, row: tuple[Any, ...], lead: User, today: Any) -> tuple[Opportunity, bool]:
    _short, title, state, public, ways, topics, purpose, what, role = row
    existing = Opportunity.objects.filter(organisation=organisation, title=title).first()
    if existing is not None:
        return existing, False
    activities = list(
        Activity.objects.filter(
            organisation=organisation, status=ActivityStatus.PLANNED, starts_at__gt=timezone.now()
        ).order_by("starts_at")[:1]
    )
    opportunity = services.opportunity_create(
        actor=lead,
        organisation=organisation,
        activities=activities if state != "draft" else [],
        title=title,
        purpose=purpose,
        what_you_would_do=what,
        role_title=role,
        lead=lead,
        ways_to_take_part=ways,
        topics=topics,
        hours="About 2 hours each time",
        how_often="Twice over the next three months",
        who_for="People with lived experience of the topic, and their carers. We especially want to hear from "
        "people who have not taken part before.",
        support_offered=["booked_travel", "carer_costs", "easy_read", "digital"],
        payment=PaymentOffer.EXPENSES_ONLY if "Share your" in title else PaymentOffer.PAID,
        how_chosen="We choose a mix of people, giving priority to people new to involvement. Everyone hears from us.",
        hear_by=today + timedelta(days=21),
        closes_on=today + timedelta(days=14 if state != "closed" else 3),
        easy_read_text=EASY_READ if public else "",
        open_to_new_people=public,
    )
    if state != "draft":
        services.opportunity_publish(actor=lead, opportunity=opportunity)
    return opportunity, True


def _people(organisation: Organisation) -> list[LayPartner]:
    return list(
        LayPartner.objects.filter(
            links__organisation=organisation, links__status=PartnerLink.Status.ACTIVE, left_at__isnull=True
        ).order_by("pk")[:6]
    )


def seed(out: Any, context: dict[str, Any]) -> dict[str, Any]:
    users = context.get("users") or {}
    orgs = {o.short_name: o for o in Organisation.objects.filter(short_name__in=["Wessex", "Y&H AHSN"])}
    found = {"Wessex": users.get("lead.wessex"), "Y&H AHSN": users.get("lead.yorkshire")}
    leads: dict[str, User] = {short: user for short, user in found.items() if isinstance(user, User)}
    if len(orgs) < 2 or len(leads) < 2:
        out.write("Demo opportunities: skipped (no demo staff)")
        return {}
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        for row in DEMO:
            organisation, lead = orgs[row[0]], leads[row[0]]
            opportunity, made = _make(organisation, row, lead, today)
            created += int(made)
            if not made or row[2] == "draft":
                continue
            people = _people(organisation)
            for number, partner in enumerate(people[:5]):
                _interest(
                    actor=lead,
                    opportunity=opportunity,
                    partner=partner,
                    why="I have lived experience of this and want to help." if number % 2 else "",
                )
            if row[2] == "closed":
                services.opportunity_close(actor=lead, opportunity=opportunity)
            if row[2] == "filled":
                ids = list(opportunity.interests.order_by("pk").values_list("pk", flat=True))
                services.interests_decide(
                    actor=lead, opportunity=opportunity, interest_ids=ids[:2], decision=InterestStatus.SELECTED
                )
                services.interests_decide(
                    actor=lead, opportunity=opportunity, interest_ids=ids[2:3], decision=InterestStatus.DECLINED
                )
                services.opportunity_mark_filled(actor=lead, opportunity=opportunity)
    out.write(f"Demo opportunities: {len(DEMO)} ({created} new), with interest from demo lay partners")
    return {}

"""Telling partners about a new opportunity: once, by their channel, only if they said yes.

Who is told about an opportunity that opened in the last 30 days:

* linked to its AHSN and active there (not paused, not left), not left the portal;
* their latest "contact me about opportunities" consent is a yes (no answer is a no);
* their profile matches: the kinds of involvement they chose include the opportunity's (or either
  side left it open), and the topics they wrote mention one of the opportunity's topics (or either
  side left it open). The profile holds no area beyond the AHSN, so the AHSN link stands for it;
* not already interested, and not told before (the notification log's unique key).

One set-based query for each opportunity opened recently (never one per partner), then one bulk
insert. Delivery honours each person's channel and format (easy read, large print) and their
choice of "straight away" or "weekly summary" for the "New opportunities" group."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery

from core.formatting import local_date
from core.models import Notification, ReminderSettings
from core.notifications import Draft
from core.reminders.base import (
    LOOKBACK,
    partner_name,
    partner_recipient,
    partner_values,
    recipient_key_of,
    sweep,
    url_for,
)
from opportunities import messages as wording
from opportunities.models import Interest, Opportunity, OpportunityState
from partners.models import ConsentRecord, PartnerLink

NEW_OPPORTUNITY = "opportunities.new"


def _consented() -> Subquery:
    latest = ConsentRecord.objects.filter(partner_id=OuterRef("partner_id"), kind=ConsentRecord.Kind.CONTACT).order_by(
        "-recorded_at", "-id"
    )
    return Subquery(latest.values("given")[:1])


def _matches(opportunity: Mapping[str, Any]) -> Q:
    condition = Q()
    if opportunity["method"]:
        condition &= Q(partner__methods=[]) | Q(partner__methods__contains=[opportunity["method"]])
    topics = [t for t in opportunity["topics"] if t.strip()]
    if topics:
        condition &= Q(partner__topics="") | reduce(or_, (Q(partner__topics__icontains=t) for t in topics))
    return condition


def recipients_for(opportunity: Mapping[str, Any]) -> Any:
    """The partners to tell about one opportunity (rows of partner values), in one query."""
    return (
        PartnerLink.objects.filter(
            organisation_id=opportunity["organisation_id"],
            status=PartnerLink.Status.ACTIVE,
            partner__left_at__isnull=True,
            partner__anonymised=False,
        )
        .annotate(contact_ok=_consented())
        .filter(contact_ok=True)
        .filter(_matches(opportunity))
        .exclude(Exists(Interest.objects.filter(opportunity_id=opportunity["id"], partner_id=OuterRef("partner_id"))))
        .exclude(
            Exists(
                Notification.objects.filter(
                    kind=NEW_OPPORTUNITY,
                    subject_type=Opportunity._meta.label_lower,
                    subject_id=str(opportunity["id"]),
                    recipient_key=recipient_key_of(partner_field="partner_id"),
                    occurrence="",
                )
            )
        )
        .values(*partner_values())
        .order_by("partner_id")
    )


@sweep(NEW_OPPORTUNITY, "Partners who asked to hear about new opportunities")
def new_opportunities(now: datetime, settings: ReminderSettings) -> list[Draft]:
    opportunities = list(
        Opportunity.objects.filter(
            state=OpportunityState.OPEN, opened_at__gt=now - LOOKBACK, closes_on__gte=local_date(now)
        ).values("id", "title", "purpose", "closes_on", "organisation_id", "organisation__name", "method", "topics")
    )
    drafts: list[Draft] = []
    for opportunity in opportunities:
        url = url_for("opportunities:detail", opportunity["id"])
        for row in recipients_for(opportunity):
            title, body, easy = wording.new_opportunity(
                name=partner_name(row),
                title=opportunity["title"],
                organisation=opportunity["organisation__name"],
                closes_on=opportunity["closes_on"],
                purpose=opportunity["purpose"],
            )
            drafts.append(
                Draft(
                    kind=NEW_OPPORTUNITY,
                    subject_type=Opportunity._meta.label_lower,
                    subject_id=str(opportunity["id"]),
                    recipient=partner_recipient(row),
                    occurrence="",
                    organisation_id=opportunity["organisation_id"],
                    title=title,
                    body=body,
                    easy_read_body=easy,
                    url=url,
                )
            )
    return drafts

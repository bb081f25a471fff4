"""What we tell people about opportunities, in plain English and in easy read.

Each function returns (title, body, easy read body). Bodies are plain text: the notification log
escapes them wherever it shows them (pages, emails)."""

from __future__ import annotations

from django.urls import reverse

from core.formatting import date_text
from core.reminders.base import greeting, join_lines
from opportunities.models import InterestStatus, Opportunity
from partners.models import LayPartner


def partner_url(opportunity: Opportunity) -> str:
    return reverse("opportunities:detail", args=[opportunity.pk])


def _contact(opportunity: Opportunity) -> str:
    lead = opportunity.lead
    if lead is not None and lead.email:
        return f"If you have any questions, contact {lead.full_name or lead.email} at {lead.email}."
    return f"If you have any questions, contact the involvement team at {opportunity.organisation.name}."


def decision(opportunity: Opportunity, partner: LayPartner, status: str) -> tuple[str, str, str]:
    hello = greeting(partner.display_name)
    title = opportunity.title
    if status == InterestStatus.SELECTED:
        first = opportunity.activities.order_by("starts_at").first()
        next_step = (
            f"You are now taking part in {first.title}. You will see it in what you are part of, with the "
            "date, the place or joining details, and the support we have arranged for you. We will remind you "
            "before it starts."
            if first is not None
            else "We will be in touch soon about what happens next, when and where."
        )
        return (
            f"You have been chosen: {title}",
            join_lines(
                hello,
                f"Thank you for saying you were interested in {title}. We are pleased to tell you that you "
                "have been chosen to take part.",
                f"What happens next: {next_step}",
                "If you need any support to take part, or your plans have changed, please tell us.",
                _contact(opportunity),
            ),
            join_lines(
                hello,
                f"Good news. You have been chosen for: {title}.",
                "We will tell you what happens next.",
                "Tell us if you need help to take part.",
            ),
        )
    if status == InterestStatus.RESERVE:
        return (
            f"You are on the reserve list: {title}",
            join_lines(
                hello,
                f"Thank you for saying you were interested in {title}. You are on our reserve list: if a place "
                "comes free, we will ask you first. We will tell you either way.",
                _contact(opportunity),
            ),
            join_lines(
                hello,
                f"Thank you for wanting to take part in: {title}.",
                "You are on our waiting list. We will tell you if a place comes free.",
            ),
        )
    return (
        f"Thank you for your interest: {title}",
        join_lines(
            hello,
            f"Thank you for saying you were interested in {title}, and for the time you took to tell us about "
            "yourself.",
            "We had more interest than places, and this time we have not been able to offer you a place. This is "
            "not a judgement on you: we try to give a chance to people who have not taken part before, and to "
            "hear from a wide range of people.",
            "We would really like to hear from you again. New opportunities are on your home page, and we will tell "
            "you about ones that match what you told us you are interested in.",
            _contact(opportunity),
        ),
        join_lines(
            hello,
            f"Thank you for wanting to take part in: {title}.",
            "This time we could not give you a place. We had more people than places.",
            "Please look at our other opportunities. We would like to hear from you again.",
        ),
    )


def filled_not_chosen(opportunity: Opportunity, partner: LayPartner) -> tuple[str, str, str]:
    hello = greeting(partner.display_name)
    return (
        f"All the places are taken: {opportunity.title}",
        join_lines(
            hello,
            f"Thank you for saying you were interested in {opportunity.title}. All the places have now been "
            "taken, so we are not able to offer you one this time.",
            "We would really like to hear from you again. New opportunities are on your home page.",
            _contact(opportunity),
        ),
        join_lines(
            hello,
            f"Thank you for wanting to take part in: {opportunity.title}.",
            "All the places are now taken.",
            "Please look at our other opportunities.",
        ),
    )


def cancelled(opportunity: Opportunity, partner: LayPartner) -> tuple[str, str, str]:
    hello = greeting(partner.display_name)
    return (
        f"Cancelled: {opportunity.title}",
        join_lines(
            hello,
            f"We are sorry: {opportunity.title} has been cancelled. {opportunity.cancellation_reason}",
            "Thank you for your interest. New opportunities are on your home page.",
            _contact(opportunity),
        ),
        join_lines(hello, f"Sorry. {opportunity.title} is cancelled.", "Please look at our other opportunities."),
    )


def new_opportunity(
    *, name: str, title: str, organisation: str, closes_on: object, purpose: str
) -> tuple[str, str, str]:
    hello = greeting(name)
    closes = date_text(closes_on)  # type: ignore[arg-type]
    return (
        f"New opportunity to take part: {title}",
        join_lines(
            hello,
            f"{organisation} has a new opportunity that matches what you told us you are interested in: {title}.",
            purpose[:500],
            f"If you would like to take part, say you are interested by {closes}. You can read what it involves, "
            "the support we offer and the payment on the opportunity's page.",
            "You are getting this because you asked us to contact you about opportunities. You can change this in "
            "your details at any time.",
        ),
        join_lines(
            hello,
            f"There is a new way to take part: {title}.",
            f"Tell us if you want to take part by {closes}.",
        ),
    )

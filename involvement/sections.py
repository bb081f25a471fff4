"""What involvement adds to other apps' pages.

* A lay partner's home page: "Coming up", "You said, we did", "Feedback you can still give".
* A member of staff's view of a lay partner: "What they have taken part in".
* The staff home page (core.dashboard): "Activities this week", "Completed activities with no outcome yet".

The partner sections are registered through `partners.sections` when that module exists."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.roles import DELIVERY_ROLES
from accounts.typing import AnyUser
from core.access import memberships_of, visible_organisation_ids
from core.dashboard import DashboardSection, register
from core.formatting import date_text, day_text, time_text
from involvement import selectors
from involvement.models import ParticipationResponse
from partners import sections as partner_sections


def _day(moment: Any) -> str:
    return f"{day_text(moment)}, {time_text(moment)}"


def _answer_text(participation: Any) -> str:
    if participation.response == ParticipationResponse.COMING:
        return ", you are coming"
    if participation.response == ParticipationResponse.APOLOGIES:
        return ", you sent apologies"
    return ", tell us if you can come"


def partner_home_sections(partner: Any) -> list[DashboardSection]:
    mine = reverse("involvement:my_involvement")
    upcoming = list(selectors.partner_upcoming(partner)[:5])
    outcomes = list(selectors.partner_outcomes(partner)[:3])
    due = list(selectors.partner_feedback_due(partner).filter(feedback__isnull=True)[:5])
    return [
        DashboardSection(
            title="Coming up",
            items=[
                {
                    "text": p.activity.title,
                    "url": reverse("involvement:my_activity", args=[p.pk]),
                    "meta": f"{_day(p.activity.starts_at)}, {p.activity.get_format_display().lower()}"
                    + _answer_text(p),
                }
                for p in upcoming
            ],
            empty_text="You have nothing coming up.",
            link_url=mine,
            link_text="See everything you have been part of",
        ),
        DashboardSection(
            title="You said, we did",
            items=[
                {
                    "text": f"{o.activity.title if o.activity else getattr(o.programme, 'name', '')}: {o.what_we_did[:120]}",
                    "url": reverse("involvement:my_outcomes"),
                    "meta": f"{o.get_status_display()}, {date_text(o.decided_on)}",
                }
                for o in outcomes
            ],
            empty_text="There are no outcomes from your activities yet. We will tell you when there are.",
        ),
        DashboardSection(
            title="Feedback you can still give",
            items=[
                {
                    "text": f"Tell us how {p.activity.title} went",
                    "url": reverse("involvement:feedback", args=[p.pk]),
                    "meta": f"{date_text(p.activity.starts_at)}",
                }
                for p in due
            ],
            empty_text="There is no feedback for you to give right now.",
        ),
    ]


def partner_profile_sections(partner: Any, organisation_ids: Any, user: AnyUser) -> list[DashboardSection]:
    participations = list(selectors.participations_for_partner(partner=partner, organisation_ids=organisation_ids)[:10])
    items = []
    for p in participations:
        if p.activity.is_cancelled:
            state = "cancelled"
        elif p.attended is None:
            state = "attendance not recorded"
        elif p.attended:
            state = f"attended, {p.hours or 0:g} hours"
        else:
            state = "did not attend"
        items.append(
            {
                "text": p.activity.title,
                "url": reverse("involvement:activity_detail", args=[p.activity_id]),
                "meta": f"{date_text(p.activity.starts_at)}, {state}",
            }
        )
    return [
        DashboardSection(
            title="What they have taken part in",
            items=items,
            empty_text="They have not taken part in any activities here yet.",
        )
    ]


@register
def staff_dashboard_sections(user: AnyUser) -> list[DashboardSection]:
    roles = {m.role for m in memberships_of(user)}
    if not roles & DELIVERY_ROLES:
        return []
    org_ids = visible_organisation_ids(user, roles=DELIVERY_ROLES)
    this_week = list(selectors.activities_this_week(organisation_ids=org_ids)[:10])
    no_outcome = list(selectors.completed_without_outcome(organisation_ids=org_ids)[:10])
    return [
        DashboardSection(
            title="Activities this week",
            items=[
                {
                    "text": a.title,
                    "url": reverse("involvement:activity_detail", args=[a.pk]),
                    "meta": f"{_day(a.starts_at)}, {a.organisation.short_name}",
                }
                for a in this_week
            ],
            empty_text="There are no activities this week.",
            link_url=reverse("involvement:activity_create"),
            link_text="Log an activity",
        ),
        DashboardSection(
            title="Completed activities with no outcome yet",
            items=[
                {
                    "text": a.title,
                    "url": reverse("involvement:outcome_create", args=[a.pk]),
                    "meta": f"ended {date_text(a.ends_at)}, {a.organisation.short_name}",
                }
                for a in no_outcome
            ],
            empty_text="Every completed activity has an outcome recorded.",
        ),
    ]


def register_partner_sections() -> None:
    """Add involvement's sections to the partner's home page and profile (from AppConfig.ready)."""
    partner_sections.register_home_section(partner_home_sections)
    partner_sections.register_profile_section(partner_profile_sections)

"""The "open public opportunities" section of the public home page at `/` (signed-out visitors),
registered with `core.public_home` by OpportunitiesConfig.ready(). Nothing is shown when no
opportunity is open to new people."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from core.formatting import date_text
from core.public_home import PublicItem, PublicSection
from opportunities.selectors import public_opportunities

SHOWN = 5


def open_public_opportunities(request: HttpRequest) -> PublicSection | None:
    opportunities = list(public_opportunities()[:SHOWN])
    if not opportunities:
        return None
    return PublicSection(
        title="Opportunities to get involved",
        text="Open to everyone, including people who have never taken part before. We offer support "
        "to take part, and pay for your time where we can.",
        items=[
            PublicItem(
                text=o.title,
                url=reverse("opportunities:public_detail", args=[o.pk]),
                meta=f"{o.organisation.name}, closes {date_text(o.closes_on)}",
            )
            for o in opportunities
        ],
        link_url=reverse("opportunities:public_list"),
        link_text="See all opportunities open to everyone",
    )

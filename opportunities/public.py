"""The "open public opportunities" section of the public home page at `/` (signed-out visitors).

`core.public_home` (another branch) takes providers `provider(request) -> PublicSection | None`.
This returns the same fields as a dict (title, text, items of text/url/meta, link_url, link_text)
so that it can be registered once that registry is merged:

    public_home.register(lambda request: _as_section(open_public_opportunities(request)), order=20)

Nothing is returned when no opportunity is open to new people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from core.formatting import date_text
from opportunities.selectors import public_opportunities

SHOWN = 5


def open_public_opportunities(request: HttpRequest) -> dict[str, Any] | None:
    opportunities = list(public_opportunities()[:SHOWN])
    if not opportunities:
        return None
    return {
        "title": "Opportunities to get involved",
        "text": "Open to everyone, including people who have never taken part before. We offer support "
        "to take part, and pay for your time where we can.",
        "items": [
            {
                "text": o.title,
                "url": reverse("opportunities:public_detail", args=[o.pk]),
                "meta": f"{o.organisation.name}, closes {date_text(o.closes_on)}",
            }
            for o in opportunities
        ],
        "link_url": reverse("opportunities:public_list"),
        "link_text": "See all opportunities open to everyone",
    }

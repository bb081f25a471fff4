"""Published forum notes on the public home page (core.public_home)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from core.formatting import date_text
from core.public_home import PublicItem, PublicSection
from forum import selectors

PUBLIC_NOTES_SHOWN = 5


def published_notes_section(request: HttpRequest) -> PublicSection | None:
    """The latest published notes of the public forums; nothing when none are published."""
    meetings = list(selectors.latest_public_notes(limit=PUBLIC_NOTES_SHOWN))
    if not meetings:
        return None
    return PublicSection(
        title="What our forums decided",
        text="Our forums of lay partners and staff publish their notes, decisions and actions for anyone to read.",
        items=[
            PublicItem(
                text=f"{m.display_title}: notes of the meeting on {date_text(m.starts_at)}",
                url=reverse("forum:public_meeting", args=[m.forum.slug, m.pk]),
                meta=m.forum.name,
            )
            for m in meetings
        ],
    )

"""Home-page sections: forum meetings coming up, and notes waiting for a co-chair's approval."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from core.dashboard import DashboardSection, register
from core.formatting import date_text, datetime_text
from forum import selectors


@register
def forum_sections(user: Any) -> list[DashboardSection]:
    if not selectors.my_memberships(user).exists():
        return []
    sections = []
    waiting = list(selectors.notes_waiting_for(user)[:5])
    if waiting:
        sections.append(
            DashboardSection(
                title="Meeting notes for you to approve",
                items=[
                    {
                        "text": f"{n.meeting.forum.name}: {date_text(n.meeting.starts_at)}",
                        "url": reverse("forum:notes_approve", args=[n.meeting_id]),
                        "meta": f"version {n.version}",
                    }
                    for n in waiting
                ],
            )
        )
    upcoming = list(selectors.upcoming_meetings_for_member(user)[:5])
    sections.append(
        DashboardSection(
            title="Your forum meetings",
            items=[
                {
                    "text": f"{m.forum.name}: {datetime_text(m.starts_at)}",
                    "url": reverse("forum:meeting_detail", args=[m.pk]),
                    "meta": "apologies sent" if getattr(m, "sent_apologies", False) else m.get_format_display(),
                }
                for m in upcoming
            ],
            empty_text="There are no forum meetings coming up.",
            link_url=reverse("forum:my_forums"),
            link_text="See your forums",
        )
    )
    return sections

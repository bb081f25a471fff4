"""Home-page sections: forum meetings coming up, and notes waiting for a co-chair's approval, on the
staff home page (core.dashboard) and on a lay partner's own home page (partners.sections)."""

from __future__ import annotations

from typing import Any

from django.db.models import BigIntegerField
from django.urls import reverse

from accounts.typing import AnyUser
from core.dashboard import DashboardSection, register
from core.formatting import datetime_text, moment_text
from core.prepared import Prepared
from forum import selectors
from forum.models import Forum, Meeting, MeetingNotes
from partners.sections import register_home_section

WAITING_TITLE = "Meeting notes for you to approve"
# What the label and the line show of each waiting note (not its text), read by a query built once
# per process (core.prepared): building it was about 5 ms of Python on a co-chair's home page.
_WAITING = Prepared(
    lambda slots: selectors.notes_waiting_for_user_id(slots.user).values_list(
        "meeting_id",
        "version",
        "status",
        "published_version",
        "meeting__title",
        "meeting__starts_at",
        "meeting__forum__name",
    )[:20],
    user=BigIntegerField(),
)


def waiting_label(notes: MeetingNotes) -> str:
    """Tells two meetings on one day apart: "Wessex PCIE group: Autumn meeting, 3 December 2026 at 10am"."""
    meeting = notes.meeting
    return f"{meeting.forum.name}: {meeting.display_title}, {moment_text(meeting.starts_at)}"


def waiting_for_approval(user: AnyUser) -> list[MeetingNotes]:
    """Notes waiting for this co-chair (`selectors.notes_waiting_for`), each with the label the
    pages show. Each is made from the columns read, with only what the label and the line use."""
    if not getattr(user, "is_authenticated", False):
        return []
    waiting = []
    for meeting_id, version, status, published_version, title, starts_at, forum_name in _WAITING.rows(user=user.pk):
        meeting = Meeting(pk=meeting_id, title=title, starts_at=starts_at, forum=Forum(name=forum_name))
        notes = MeetingNotes(meeting=meeting, version=version, status=status, published_version=published_version)
        notes.label = waiting_label(notes)  # type: ignore[attr-defined]
        waiting.append(notes)
    return waiting


def _waiting_section(user: AnyUser) -> list[DashboardSection]:
    waiting = waiting_for_approval(user)[:5]
    if not waiting:
        return []
    return [
        DashboardSection(
            title=WAITING_TITLE,
            items=[
                {
                    "text": n.label,  # type: ignore[attr-defined]
                    "url": reverse("forum:notes_approve", args=[n.meeting_id]),
                    "meta": (
                        f"changes to published notes, version {n.version}"
                        if n.has_unpublished_change
                        else f"version {n.version}"
                    ),
                }
                for n in waiting
            ],
            link_url=reverse("forum:my_forums"),
            link_text="See your forums",
        )
    ]


@register
def forum_sections(user: AnyUser) -> list[DashboardSection]:
    if not selectors.my_memberships(user).exists():
        return []
    sections = _waiting_section(user)
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


def partner_home_sections(partner: Any) -> list[DashboardSection]:
    """A lay co-chair's own home page lists the notes waiting for their approval."""
    if partner.user_id is None:
        return []
    return _waiting_section(partner.user)


def register_partner_sections() -> None:
    register_home_section(partner_home_sections)

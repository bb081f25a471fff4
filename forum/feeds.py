"""The public Atom feed of published notes, and a member's private iCalendar feed of meetings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from accounts.models import User
from core.calendar import CalendarEvent, event_uid, ics_calendar
from core.formatting import date_text
from forum import selectors
from forum.models import Forum, ForumMember, Meeting
from forum.rendering import render_notes


def meeting_uid(meeting: Meeting) -> str:
    return event_uid("forum-meeting", meeting.pk)


def atom_feed(forum: Forum, meetings: list[Meeting], *, request: HttpRequest) -> str:
    """Newest published notes first. Each entry links to the meeting's stable public page."""
    feed = Atom1Feed(
        title=f"{forum.name}: published meeting notes",
        link=request.build_absolute_uri(reverse("forum:public_forum", args=[forum.slug])),
        description=forum.description or f"Notes, decisions and actions of {forum.name}.",
        author_name=forum.organisation.name,
        language="en-GB",
        feed_url=request.build_absolute_uri(reverse("forum:public_feed", args=[forum.slug])),
        feed_guid=request.build_absolute_uri(reverse("forum:public_forum", args=[forum.slug])),
    )
    for meeting in meetings:
        notes = meeting.notes
        link = request.build_absolute_uri(reverse("forum:public_meeting", args=[forum.slug, meeting.pk]))
        feed.add_item(
            title=f"{meeting.display_title}: notes of the meeting on {date_text(meeting.starts_at)}",
            link=link,
            description=str(render_notes(notes.published_body_markdown)),
            unique_id=link,
            pubdate=notes.published_at,
            updateddate=notes.amendment_published_at or notes.published_at,
        )
    return feed.writeString("utf-8")


def meeting_event(meeting: Meeting, *, url: str = "") -> CalendarEvent:
    """One meeting as a calendar event: the same uid in the forum's feed and a person's own feed."""
    description: list[str] = [meeting.get_format_display()]
    if meeting.joining_link:
        description.append(f"Joining link: {meeting.joining_link}")
    if meeting.access_information:
        description.append(f"Access: {meeting.access_information}")
    if url:
        description.append(url)
    return CalendarEvent(
        uid=meeting_uid(meeting),
        summary=meeting.display_title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.venue or meeting.joining_link,
        description="\n".join(description),
        cancelled=meeting.status == Meeting.Status.CANCELLED,
    )


def personal_meeting_events(user: User, since: datetime) -> list[CalendarEvent]:
    """The person's forum meetings for their own calendar feed (core.calendar). A meeting they sent
    apologies for is marked cancelled for them, as their activities are."""
    events = []
    for meeting in selectors.personal_calendar_meetings(user, since=since):
        event = meeting_event(meeting)
        if getattr(meeting, "sent_apologies", False) and not event.cancelled:
            event = replace(event, summary=f"Apologies sent: {event.summary}", cancelled=True)
        events.append(event)
    return events


def icalendar_feed(member: ForumMember, meetings: list[Meeting], *, request: HttpRequest) -> bytes:
    events = [
        meeting_event(m, url=request.build_absolute_uri(reverse("forum:meeting_detail", args=[m.pk]))) for m in meetings
    ]
    return ics_calendar(name="My forum meetings", events=events, product="Forum meetings")

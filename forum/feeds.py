"""The public Atom feed of published notes, and a member's private iCalendar feed of meetings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from icalendar import Calendar, Event, Timezone

from core.formatting import date_text
from forum.models import Forum, ForumMember, Meeting
from forum.rendering import render_notes

# Event UIDs are made from the meeting's id under this fixed namespace, so they stay the same
# whichever address the feed is fetched from and say nothing about where the portal runs.
MEETING_UID_NAMESPACE = uuid.UUID("5d0f3c8e-7b1a-4e55-9a51-3a6b0c2e9f47")
CALENDAR_TZID = "Europe/London"


def meeting_uid(meeting: Meeting) -> str:
    return str(uuid.uuid5(MEETING_UID_NAMESPACE, f"forum-meeting-{meeting.pk}"))


def _london_timezone(meetings: list[Meeting]) -> Timezone:
    """The VTIMEZONE for Europe/London (RFC 5545 section 3.2.19), with the clock changes from the
    year of the first meeting to a year after the last, so calendars need no outside time zone data."""
    days = [timezone.localtime(m.starts_at).date() for m in meetings] or [timezone.localdate()]
    first = dt.date(min(days).year, 1, 1)
    last = dt.date(max(days).year + 2, 1, 1)
    return Timezone.from_tzid(CALENDAR_TZID, first_date=first, last_date=last)


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


def icalendar_feed(member: ForumMember, meetings: list[Meeting], *, request: HttpRequest) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//AHSN Involvement Portal//Forum meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "My forum meetings")
    calendar.add("x-wr-timezone", CALENDAR_TZID)
    calendar.add_component(_london_timezone(meetings))
    for meeting in meetings:
        event = Event()
        event.add("uid", meeting_uid(meeting))
        event.add("summary", meeting.display_title)
        event.add("dtstart", meeting.starts_at.astimezone(timezone.get_default_timezone()))
        event.add("dtend", meeting.ends_at.astimezone(timezone.get_default_timezone()))
        event.add("dtstamp", timezone.now())
        location = meeting.venue or meeting.joining_link
        if location:
            event.add("location", location)
        description: list[Any] = [meeting.get_format_display()]
        if meeting.joining_link:
            description.append(f"Joining link: {meeting.joining_link}")
        if meeting.access_information:
            description.append(f"Access: {meeting.access_information}")
        description.append(request.build_absolute_uri(reverse("forum:meeting_detail", args=[meeting.pk])))
        event.add("description", "\n".join(description))
        event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()

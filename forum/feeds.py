"""The public Atom feed of published notes, and a member's private iCalendar feed of meetings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from icalendar import Calendar, Event

from forum.models import Forum, ForumMember, Meeting
from forum.rendering import render_notes


def atom_feed(forum: Forum, meetings: list[Meeting], *, request: HttpRequest) -> str:
    """Newest published notes first. Each entry links to the meeting's stable public page."""
    feed = Atom1Feed(
        title=f"{forum.name}: published meeting notes",
        link=request.build_absolute_uri(reverse("forum:public_forum", args=[forum.slug])),
        description=forum.description or f"Notes, decisions and actions of {forum.name}.",
        language="en-GB",
        feed_url=request.build_absolute_uri(reverse("forum:public_feed", args=[forum.slug])),
        feed_guid=request.build_absolute_uri(reverse("forum:public_forum", args=[forum.slug])),
    )
    for meeting in meetings:
        notes = meeting.notes
        link = request.build_absolute_uri(reverse("forum:public_meeting", args=[forum.slug, meeting.pk]))
        feed.add_item(
            title=f"Notes of the meeting on {timezone.localtime(meeting.starts_at):%-d %B %Y}",
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
    calendar.add("x-wr-timezone", "Europe/London")
    for meeting in meetings:
        event = Event()
        event.add("uid", f"forum-meeting-{meeting.pk}@{request.get_host()}")
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

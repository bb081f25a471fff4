"""iCalendar feeds: the one place that writes `.ics` files, and the personal feed's event registry.

Every feed the portal serves (a forum member's meeting feed, a person's own feed of everything
they are part of) is built here by `ics_calendar(name=..., events=[...])`, so each has the same
VTIMEZONE for Europe/London and the same kind of event ids.

* `CalendarEvent` is what an app says about one event. Its `uid` is stable: made with
  `event_uid(kind, pk)` from the record's id under a fixed namespace, so it is the same on every
  request, whichever address the feed is fetched from, and the same event in two feeds (a forum
  meeting in the forum's feed and in the member's own feed) is one event to a calendar app.
* Apps add events to a person's own feed with `register(provider)`, where `provider(user, since)`
  returns that person's events starting on or after `since` (involvement: their activities; forum:
  their meetings). Core imports no feature app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from accounts.models import User
from core.audit import log_action
from core.models import CalendarFeed

# Event UIDs are made from a record's id under this fixed namespace, so they stay the same
# whichever address the feed is fetched from and say nothing about where the portal runs.
EVENT_UID_NAMESPACE = uuid.UUID("5d0f3c8e-7b1a-4e55-9a51-3a6b0c2e9f47")
CALENDAR_TZID = "Europe/London"
# A personal feed shows events from this long ago onwards (calendar apps drop what a feed leaves out).
PERSONAL_FEED_HISTORY = dt.timedelta(days=365)


def event_uid(kind: str, pk: int) -> str:
    """A stable id for an event, for example `event_uid("forum-meeting", 12)`."""
    return str(uuid.uuid5(EVENT_UID_NAMESPACE, f"{kind}-{pk}"))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str = ""
    description: str = ""
    cancelled: bool = False


EventProvider = Callable[[User, dt.datetime], list[CalendarEvent]]
_providers: list[EventProvider] = []


def register(provider: EventProvider) -> EventProvider:
    """Apps register a function giving a person's events for their own calendar feed."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def personal_events(user: User, *, now: dt.datetime | None = None) -> list[CalendarEvent]:
    """Everything the person is part of, from every app, in start order."""
    since = (now or timezone.now()) - PERSONAL_FEED_HISTORY
    events: list[CalendarEvent] = []
    for provider in _providers:
        events.extend(provider(user, since))
    return sorted(events, key=lambda e: (e.starts_at, e.uid))


def london_timezone(starts: Iterable[dt.datetime]) -> Timezone:
    """The VTIMEZONE for Europe/London (RFC 5545 section 3.2.19), with the clock changes from the
    year of the first event to a year after the last, so calendars need no outside time zone data."""
    days = [timezone.localtime(moment).date() for moment in starts] or [timezone.localdate()]
    first = dt.date(min(days).year, 1, 1)
    last = dt.date(max(days).year + 2, 1, 1)
    return Timezone.from_tzid(CALENDAR_TZID, first_date=first, last_date=last)


def ics_calendar(*, name: str, events: list[CalendarEvent], product: str = "Calendar") -> bytes:
    """An iCalendar file: times in Europe/London with its VTIMEZONE, one VEVENT per event."""
    calendar = Calendar()
    calendar.add("prodid", f"-//AHSN Involvement Portal//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", CALENDAR_TZID)
    calendar.add_component(london_timezone(e.starts_at for e in events))
    london = timezone.get_default_timezone()
    stamp = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("summary", item.summary)
        event.add("dtstart", item.starts_at.astimezone(london))
        event.add("dtend", item.ends_at.astimezone(london))
        event.add("dtstamp", stamp)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


# --- The person's private link -------------------------------------------------------------------


def calendar_link_make(*, user: User) -> str:
    """A new private link for the person's own feed; any earlier link stops working. Returns the token."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        existing = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if existing is None:
            feed = CalendarFeed.objects.create(user=user, token_hash=hash_token(token), created_at=timezone.now())
            action = "core.calendar_link.created"
        else:
            existing.token_hash = hash_token(token)
            existing.created_at = timezone.now()
            existing.save(update_fields=["token_hash", "created_at"])
            feed, action = existing, "core.calendar_link.replaced"
        log_action(actor=user, action=action, target=feed)
    return token


def calendar_link_turn_off(*, user: User) -> bool:
    """Stop the person's link working. False if they had none."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is None:
            return False
        log_action(actor=user, action="core.calendar_link.turned_off", target=feed)
        feed.delete()
    return True


def user_for_calendar_token(token: str) -> User:
    """The active person whose link this is; an unknown or replaced token is a 404."""
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_token(token), user__is_active=True).select_related("user").first()
    )
    if feed is None:
        raise Http404("This calendar link no longer works.")
    return feed.user

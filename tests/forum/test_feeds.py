"""The feeds as calendar apps and feed readers read them: parsed, not searched as text."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from icalendar import Calendar

from forum import services
from forum.models import Meeting, MeetingNotes
from tests.forum.conftest import login_user
from tests.forum.factories import MeetingFactory, NotesFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _calendar(client, setup) -> Calendar:
    token = services.calendar_token_regenerate(actor=login_user(setup.lay_member), member=setup.lay_member)
    response = client.get(f"/forums/calendar/{token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def test_calendar_feed_carries_the_europe_london_time_zone(client, setup):
    summer = timezone.make_aware(dt.datetime(2027, 7, 1, 18, 0))
    winter = timezone.make_aware(dt.datetime(2027, 12, 1, 10, 0))
    with_time = dt.timedelta(hours=2)
    MeetingFactory(forum=setup.forum, title="Summer forum", starts_at=summer, ends_at=summer + with_time)
    MeetingFactory(forum=setup.forum, title="Winter forum", starts_at=winter, ends_at=winter + with_time)
    with_tz = _calendar(client, setup)
    zones = with_tz.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Europe/London"]
    offsets = {(c.name, str(c["tzoffsetto"].to_ical())) for c in zones[0].walk() if c.name != "VTIMEZONE"}
    assert ("STANDARD", "+0000") in offsets and ("DAYLIGHT", "+0100") in offsets
    events = {str(e["summary"]): e for e in with_tz.walk("VEVENT")}
    for name in ("Summer forum", "Winter forum"):
        assert events[name]["dtstart"].params["TZID"] == "Europe/London"
    # A calendar app that uses only the feed's own VTIMEZONE puts the meetings at 6pm and 10am.
    zone = zones[0].to_tz()
    summer_start = events["Summer forum"]["dtstart"].dt.replace(tzinfo=zone)
    assert summer_start.utcoffset() == dt.timedelta(hours=1)
    assert summer_start.astimezone(dt.UTC).hour == 17
    winter_start = events["Winter forum"]["dtstart"].dt.replace(tzinfo=zone)
    assert winter_start.utcoffset() == dt.timedelta(0)


def test_calendar_event_ids_do_not_name_the_host_and_stay_the_same(client, setup, settings):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=3))
    settings.ALLOWED_HOSTS = ["*"]
    first = _calendar(client, setup)
    token = services.calendar_token_regenerate(actor=login_user(setup.lay_member), member=setup.lay_member)
    elsewhere = Calendar.from_ical(
        client.get(f"/forums/calendar/{token}.ics", HTTP_HOST="portal.other.example.org").content
    )
    uid = str(first.walk("VEVENT")[0]["uid"])
    assert "testserver" not in uid and "example.org" not in uid and "@" not in uid
    assert str(elsewhere.walk("VEVENT")[0]["uid"]) == uid
    other = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=4))
    uids = {str(e["uid"]) for e in _calendar(client, setup).walk("VEVENT")}
    assert len(uids) == 2 and uid in uids
    assert meeting.pk != other.pk


def _published(setup, title: str) -> Meeting:
    meeting = MeetingFactory(forum=setup.forum, title=title, status=Meeting.Status.HELD)
    NotesFactory(
        meeting=meeting,
        status=MeetingNotes.Status.PUBLISHED,
        published_at=timezone.now(),
        published_version=1,
        body_markdown="The forum met.",
    )
    return meeting


def test_atom_feed_names_its_author_and_each_meeting(client, setup):
    _published(setup, "Spring forum")
    _published(setup, "")  # no title of its own: called after the forum
    response = client.get(f"/forums/public/{setup.forum.slug}/feed.atom")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    authors = root.findall(f"{ATOM}author")
    assert [a.findtext(f"{ATOM}name") for a in authors] == [setup.forum.organisation.name]
    titles = sorted(entry.findtext(f"{ATOM}title") or "" for entry in root.findall(f"{ATOM}entry"))
    assert len(titles) == 2
    assert titles[0].startswith("Spring forum: notes of the meeting on ")
    assert titles[1].startswith("Wessex PCIE group meeting: notes of the meeting on ")

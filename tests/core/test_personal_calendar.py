"""A person's own calendar feed: their activities and forum meetings in one private iCalendar link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.models import AuditEntry, CalendarFeed
from forum.models import Apology, ForumMember
from involvement.models import Activity, Participation
from tests.conftest import client_for
from tests.forum.factories import ForumFactory, ForumMemberFactory, MeetingFactory
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(wessex):
    return LayPartnerFactory(full_name="Priya Shah")


@pytest.fixture
def partner_client(partner):
    return client_for(partner.user)


def _make_link(client) -> str:
    page = client.post(reverse("core:my_calendar"), {"action": "new"})
    assert page.status_code == 200
    url = re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', page.content.decode())
    assert url, "the new link is shown once"
    return url.group(1).removeprefix("http://testserver")


def _events(client, url) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return calendar, {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_feed_has_activities_and_meetings_with_london_time_zone_and_stable_ids(partner, partner_client, client):
    soon = timezone.now() + timedelta(days=3)
    coming = ParticipationFactory(
        partner=partner, activity=ActivityFactory(title="Panel, part 1; early", starts_at=soon)
    )
    sorry = ParticipationFactory(
        partner=partner, activity=ActivityFactory(title="Survey day", starts_at=soon + timedelta(days=1))
    )
    Participation.objects.filter(pk=sorry.pk).update(response="apologies")
    ActivityFactory(title="Someone else's workshop", starts_at=soon)
    member = ForumMemberFactory(partner=partner, user=None, forum=ForumFactory(name="Wessex voices"))
    MeetingFactory(forum=member.forum, title="Spring meeting", starts_at=soon + timedelta(days=2))
    sorry_meeting = MeetingFactory(forum=member.forum, title="Summer meeting", starts_at=soon + timedelta(days=9))
    Apology.objects.create(meeting=sorry_meeting, member=member)

    url = _make_link(partner_client)
    calendar, events = _events(client, url)  # the link works without signing in
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Europe/London"]
    assert {c.name for c in zones[0].subcomponents} >= {"STANDARD", "DAYLIGHT"}
    assert set(events) == {
        "Panel, part 1; early",
        "Apologies sent: Survey day",
        "Spring meeting",
        "Apologies sent: Summer meeting",
    }
    assert str(events["Panel, part 1; early"]["status"]) == "CONFIRMED"
    assert str(events["Apologies sent: Survey day"]["status"]) == "CANCELLED"
    assert str(events["Apologies sent: Summer meeting"]["status"]) == "CANCELLED"
    start = events["Panel, part 1; early"].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/London"
    assert start == coming.activity.starts_at.replace(microsecond=0)
    assert reverse("involvement:my_activity", args=[coming.pk]) in str(events["Panel, part 1; early"]["description"])

    _again, events_again = _events(client, url)
    uids = {k: str(v["uid"]) for k, v in events.items()}
    assert uids == {k: str(v["uid"]) for k, v in events_again.items()}
    assert len(set(uids.values())) == 4


def test_meeting_has_the_same_uid_as_in_the_forum_feed(partner, partner_client, client):
    member = ForumMemberFactory(partner=partner, user=None)
    MeetingFactory(forum=member.forum, title="Autumn meeting", starts_at=timezone.now() + timedelta(days=4))
    _cal, mine = _events(client, _make_link(partner_client))
    forum_page = partner_client.post(reverse("forum:calendar_link", args=[member.forum.pk]), {"action": "new"})
    forum_url = re.search(r'value="http://testserver(/forums/calendar/[^"]+\.ics)"', forum_page.content.decode())
    _cal, forum_events = _events(client, forum_url.group(1))
    assert str(mine["Autumn meeting"]["uid"]) == str(forum_events["Autumn meeting"]["uid"])


def test_forum_meeting_activity_is_not_in_the_feed_twice(partner, partner_client, client):
    member = ForumMemberFactory(partner=partner, user=None)
    meeting = MeetingFactory(forum=member.forum, title="Winter meeting")
    activity = ActivityFactory(title="Winter meeting", starts_at=meeting.starts_at, method="forum_meeting")
    meeting.activity = activity
    meeting.save()
    ParticipationFactory(partner=partner, activity=activity)
    _cal, events = _events(client, _make_link(partner_client))
    assert list(events) == ["Winter meeting"]


def test_new_link_replaces_the_old_one_and_turning_off_stops_it(partner, partner_client, client):
    ParticipationFactory(partner=partner, activity=ActivityFactory(starts_at=timezone.now() + timedelta(days=1)))
    old = _make_link(partner_client)
    new = _make_link(partner_client)
    assert old != new
    gone = client.get(old)
    assert gone.status_code == 404 and b"no longer works" in gone.content
    assert client.get(new).status_code == 200
    assert CalendarFeed.objects.count() == 1
    page = partner_client.get(reverse("core:my_calendar")).content.decode()
    assert "You already have a calendar link" in page and "/calendar/" not in re.sub(r'href="[^"]*"', "", page)
    partner_client.post(reverse("core:my_calendar"), {"action": "off"})
    assert client.get(new).status_code == 404
    assert list(AuditEntry.objects.filter(target_type="core.calendarfeed").values_list("action", flat=True)) == [
        "core.calendar_link.turned_off",
        "core.calendar_link.replaced",
        "core.calendar_link.created",
    ]


def test_a_made_up_link_and_a_signed_out_visitor(client):
    assert client.get(reverse("core:calendar_feed", args=["not-a-real-token"])).status_code == 404
    assert client.get(reverse("core:my_calendar")).status_code == 302


def test_staff_get_their_forum_meetings(staff, client):
    ForumMemberFactory(user=staff, role=ForumMember.Role.SECRETARIAT)
    member = ForumMember.objects.get(user=staff)
    MeetingFactory(forum=member.forum, title="Staff-run meeting", starts_at=timezone.now() + timedelta(days=2))
    _cal, events = _events(client, _make_link(client_for(staff)))
    assert list(events) == ["Staff-run meeting"]


def test_feed_costs_a_fixed_number_of_queries(partner, partner_client, client, django_assert_max_num_queries):
    url = _make_link(partner_client)
    member = ForumMemberFactory(partner=partner, user=None)
    start = timezone.now() + timedelta(days=1)
    activities = Activity.objects.bulk_create(
        [
            Activity(
                organisation_id=partner.links.get().organisation_id,
                title=f"Session {i}",
                starts_at=start + timedelta(days=i),
                ends_at=start + timedelta(days=i, hours=2),
                format="online",
                method="workshop",
                level="consult",
            )
            for i in range(200)
        ]
    )
    Participation.objects.bulk_create([Participation(activity=a, partner=partner) for a in activities])
    for i in range(40):
        MeetingFactory(forum=member.forum, starts_at=start + timedelta(days=i, hours=5))
    with django_assert_max_num_queries(4):
        calendar, _events_by_title = _events(client, url)
    assert len(calendar.walk("VEVENT")) == 240

"""Every private forum page: an outsider gets 404, a read-only member of staff gets 403 on changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Notification
from forum import services
from forum.models import Meeting
from tests.forum.conftest import login_user
from tests.forum.factories import ActionFactory, MeetingFactory, NotesFactory

pytestmark = pytest.mark.django_db

WRITE_PAGES = [
    "/forums/meetings/{meeting}/edit/",
    "/forums/meetings/{meeting}/cancel/",
    "/forums/meetings/{meeting}/agenda/add/",
    "/forums/meetings/{meeting}/attendance/",
    "/forums/meetings/{meeting}/apologies/record/",
    "/forums/meetings/{meeting}/notes/",
    "/forums/meetings/{meeting}/actions/add/",
    "/forums/meetings/{meeting}/decisions/add/",
    "/forums/agenda/{item}/papers/add/",
    "/forums/actions/{action}/",
    "/forums/members/{member}/",
    "/forums/{forum}/edit/",
    "/forums/{forum}/members/add/",
    "/forums/{forum}/meetings/new/",
]
READ_PAGES = [
    "/forums/{forum}/",
    "/forums/{forum}/actions/",
    "/forums/meetings/{meeting}/",
]
POST_ONLY = [
    "/forums/meetings/{meeting}/notes/submit/",
    "/forums/meetings/{meeting}/notes/publish/",
    "/forums/meetings/{meeting}/notes/draft/",
    "/forums/meetings/{meeting}/notes/draft/discard/",
    "/forums/agenda/{item}/move/",
]


@pytest.fixture
def ids(setup):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=2))
    NotesFactory(meeting=meeting)
    item = services.agenda_item_add(actor=login_user(setup.secretariat), meeting=meeting, title="Welcome")
    action = ActionFactory(meeting=meeting)
    return {
        "forum": setup.forum.pk,
        "meeting": meeting.pk,
        "item": item.pk,
        "action": action.pk,
        "member": setup.lay_member.pk,
    }


@pytest.mark.parametrize("path", WRITE_PAGES + READ_PAGES)
def test_outsider_gets_not_found(outsider_client, ids, path):
    assert outsider_client.get(path.format(**ids)).status_code == 404


@pytest.mark.parametrize("path", POST_ONLY)
def test_outsider_gets_not_found_on_post(outsider_client, staff_client, ids, path):
    assert outsider_client.post(path.format(**ids)).status_code == 404
    assert staff_client.post(path.format(**ids)).status_code == 403


@pytest.mark.parametrize("path", WRITE_PAGES)
def test_read_only_staff_cannot_change(staff_client, lay_member_client, ids, path):
    assert staff_client.get(path.format(**ids)).status_code == 403
    assert lay_member_client.get(path.format(**ids)).status_code == 403


@pytest.mark.parametrize("path", READ_PAGES)
def test_read_only_staff_and_members_can_read(staff_client, lay_member_client, ids, path):
    assert staff_client.get(path.format(**ids)).status_code == 200
    assert lay_member_client.get(path.format(**ids)).status_code == 200


MANAGE_PAGES = {"/forums/members/{member}/", "/forums/{forum}/edit/", "/forums/{forum}/members/add/"}


@pytest.mark.parametrize("path", [p for p in WRITE_PAGES if p not in MANAGE_PAGES])
def test_people_who_run_the_forum_can_open_the_pages(secretariat_client, ids, path):
    assert secretariat_client.get(path.format(**ids)).status_code == 200


@pytest.mark.parametrize("path", sorted(MANAGE_PAGES))
def test_only_the_lead_manages_the_forum(secretariat_client, lead_client, ids, path):
    assert secretariat_client.get(path.format(**ids)).status_code == 403
    assert lead_client.get(path.format(**ids)).status_code == 200


def test_meeting_edit_saves_new_time(secretariat_client, ids):
    day = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    response = secretariat_client.post(
        f"/forums/meetings/{ids['meeting']}/edit/",
        {
            "title": "Moved",
            "date": day,
            "start_time": "14:00",
            "end_time": "15:30",
            "format": "online",
            "joining_link": "https://meet.example.org/x",
        },
    )
    assert response.status_code == 302

    meeting = Meeting.objects.get(pk=ids["meeting"])
    assert timezone.localtime(meeting.starts_at).hour == 14 and meeting.title == "Moved"

    told = Notification.objects.filter(kind="forum.meeting_changed", subject_id=str(meeting.pk))
    assert told.count() == 4
    assert " at 2pm (online)" in told.first().body

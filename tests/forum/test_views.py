"""Forum pages: who can see and change what (insider, read-only, outsider), and the main flows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEntry, Notification
from forum import services
from forum.models import Action, AgendaItem, Apology, Attendance, Decision, Forum, ForumMember, Meeting, MeetingNotes
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.forum.conftest import login_user
from tests.forum.factories import ActionFactory, ForumFactory, MeetingFactory, NotesFactory, lay_partner_with_login

pytestmark = pytest.mark.django_db


def test_forum_list_shows_forums_in_scope(lead_client, outsider_client, staff_client, setup):
    other = ForumFactory(
        organisation=setup.forum.organisation.__class__.objects.get(short_name="Y&H AHSN"), name="Yorkshire voices"
    )
    page = lead_client.get("/forums/")
    assert page.status_code == 200
    assert b"Wessex PCIE group" in page.content and b"Yorkshire voices" not in page.content
    assert b"Set up a forum" in page.content
    staff_page = staff_client.get("/forums/")
    assert b"Wessex PCIE group" in staff_page.content and b"Set up a forum" not in staff_page.content
    assert b"Wessex PCIE group" not in outsider_client.get("/forums/").content
    assert other.name.encode() in outsider_client.get("/forums/").content


def test_forum_detail_insider_read_only_outsider(lead_client, staff_client, outsider_client, lay_member_client, setup):
    url = f"/forums/{setup.forum.pk}/"
    assert lead_client.get(url).status_code == 200
    assert staff_client.get(url).status_code == 200
    assert lay_member_client.get(url).status_code == 200
    assert outsider_client.get(url).status_code == 404


def test_non_member_lay_partner_cannot_see_the_forum(setup):
    stranger = lay_partner_with_login()
    assert client_for(stranger.user).get(f"/forums/{setup.forum.pk}/").status_code == 404


def test_a_member_from_another_ahsn_sees_the_forum_they_belong_to(setup, outsider_client, outsider):
    ForumMember.objects.create(forum=setup.forum, user=outsider)
    assert outsider_client.get(f"/forums/{setup.forum.pk}/").status_code == 200
    # ...but cannot manage it.
    assert outsider_client.get(f"/forums/{setup.forum.pk}/edit/").status_code == 403


def test_create_forum_by_lead_only(lead_client, staff_client, wessex):
    data = {
        "organisation": wessex.pk,
        "name": "Carers' group",
        "slug": "",
        "description": "For carers",
        "is_public": "on",
    }
    assert staff_client.get("/forums/new/").status_code == 403
    response = lead_client.post("/forums/new/", data)
    assert response.status_code == 302
    forum = Forum.objects.get(name="Carers' group")
    assert forum.slug == "carers-group" and forum.is_public
    assert AuditEntry.objects.filter(action="forum.forum.created", target_id=str(forum.pk)).exists()


def test_lead_cannot_create_a_forum_for_another_ahsn(lead_client, yorkshire):
    response = lead_client.post("/forums/new/", {"organisation": yorkshire.pk, "name": "Not mine"})
    assert response.status_code == 200
    assert not Forum.objects.filter(name="Not mine").exists()


def test_edit_forum_insider_read_only_outsider(lead_client, staff_client, outsider_client, chair_client, setup):
    url = f"/forums/{setup.forum.pk}/edit/"
    assert outsider_client.get(url).status_code == 404
    assert staff_client.post(url, {"name": "x"}).status_code == 403
    assert chair_client.post(url, {"name": "x"}).status_code == 403  # co-chairs run meetings; leads manage
    response = lead_client.post(url, {"name": "Renamed group", "description": "New"})
    assert response.status_code == 302
    setup.forum.refresh_from_db()
    assert setup.forum.name == "Renamed group" and not setup.forum.is_public


def test_add_member_and_co_chair_rules(lead_client, staff_client, outsider_client, setup, staff):
    url = f"/forums/{setup.forum.pk}/members/add/"
    assert outsider_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 403
    response = lead_client.post(url, {"user": staff.pk, "role": ForumMember.Role.LAY_CO_CHAIR})
    assert b"The lay co-chair must be a lay partner" in response.content
    response = lead_client.post(url, {"user": staff.pk, "role": ForumMember.Role.MEMBER})
    assert response.status_code == 302
    assert ForumMember.objects.filter(forum=setup.forum, user=staff, left_on__isnull=True).exists()
    assert AuditEntry.objects.filter(action="forum.member.added").exists()


def test_member_leaves_and_keeps_history(lead_client, staff_client, setup):
    url = f"/forums/members/{setup.lay_member.pk}/"
    assert staff_client.post(url, {"leave": "yes"}).status_code == 403
    assert lead_client.post(url, {"leave": "yes"}).status_code == 302
    setup.lay_member.refresh_from_db()
    assert setup.lay_member.left_on == timezone.localdate()


def _meeting_data(**overrides):
    day = timezone.localdate() + dt.timedelta(days=14)
    data = {
        "title": "Spring meeting",
        "date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "12:30",
        "format": "in_person",
        "venue": "Town Hall, Southampton",
        "access_information": "Step-free entrance",
        "joining_link": "",
    }
    data.update(overrides)
    return data


def test_secretariat_schedules_a_meeting_and_members_are_told(
    secretariat_client, staff_client, outsider_client, lay_member_client, setup
):
    url = f"/forums/{setup.forum.pk}/meetings/new/"
    assert outsider_client.post(url, _meeting_data()).status_code == 404
    assert staff_client.post(url, _meeting_data()).status_code == 403
    assert lay_member_client.post(url, _meeting_data()).status_code == 403
    response = secretariat_client.post(url, _meeting_data())
    assert response.status_code == 302
    meeting = Meeting.objects.get(forum=setup.forum)
    local = timezone.localtime(meeting.starts_at)
    assert (local.hour, local.minute) == (10, 0)
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=2, minutes=30)
    assert Notification.objects.filter(kind="forum.meeting_scheduled", subject_id=str(meeting.pk)).count() == 4


def test_meeting_form_keeps_input_and_explains_errors(secretariat_client, setup):
    response = secretariat_client.post(
        f"/forums/{setup.forum.pk}/meetings/new/",
        _meeting_data(end_time="09:00", format="online", venue="Kept venue"),
    )
    assert response.status_code == 200
    assert b"The end time must be after the start time" in response.content
    assert b"Enter the joining link for an online meeting" in response.content
    assert b"Kept venue" in response.content
    assert b"<title>Error:" in response.content


def test_agenda_items_are_in_order_and_can_be_moved(secretariat_client, staff_client, setup):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=3))
    url = f"/forums/meetings/{meeting.pk}/agenda/add/"
    assert staff_client.post(url, {"title": "x"}).status_code == 403
    for title in ("Welcome", "Budget", "Any other business"):
        assert secretariat_client.post(url, {"title": title, "presenter": "Sam"}).status_code == 302
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == [
        "Welcome",
        "Budget",
        "Any other business",
    ]
    budget = AgendaItem.objects.get(title="Budget")
    secretariat_client.post(f"/forums/agenda/{budget.pk}/move/", {"direction": "up"})
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == [
        "Budget",
        "Welcome",
        "Any other business",
    ]


def test_member_sends_apologies_once(lay_member_client, staff_client, setup):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=3))
    url = f"/forums/meetings/{meeting.pk}/apologies/"
    assert staff_client.post(url, {"note": ""}).status_code == 403  # not a member
    assert lay_member_client.post(url, {"note": "Hospital appointment"}).status_code == 302
    assert Apology.objects.get(meeting=meeting).member == setup.lay_member
    again = lay_member_client.post(url, {"note": ""})
    assert b"You have already sent apologies" in again.content
    page = lay_member_client.get(f"/forums/meetings/{meeting.pk}/")
    assert b"You sent apologies" in page.content


def test_members_see_upcoming_meetings_on_my_forums(lay_member_client, setup):
    MeetingFactory(forum=setup.forum, title="Autumn forum", starts_at=timezone.now() + dt.timedelta(days=3))
    MeetingFactory(forum=setup.forum, title="Old forum", starts_at=timezone.now() - dt.timedelta(days=30))
    page = lay_member_client.get("/forums/mine/")
    assert page.status_code == 200
    assert b"Autumn forum" in page.content and b"Old forum" not in page.content


def test_cancel_meeting_asks_first_and_tells_members(secretariat_client, staff_client, setup):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=3))
    url = f"/forums/meetings/{meeting.pk}/cancel/"
    assert staff_client.post(url, {"reason": "x"}).status_code == 403
    assert b"Yes, cancel the meeting" in secretariat_client.get(url).content
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert secretariat_client.post(url, {"reason": "The venue flooded"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    told = Notification.objects.filter(kind="forum.meeting_cancelled", subject_id=str(meeting.pk))
    assert told.count() == 4 and all(n.essential for n in told)


def test_attendance_recorded_by_secretariat(secretariat_client, staff_client, outsider_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    url = f"/forums/meetings/{meeting.pk}/attendance/"
    assert outsider_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 403
    page = secretariat_client.get(url)
    assert b"Hours for Hidden Person" in page.content
    response = secretariat_client.post(
        url,
        {
            f"attended_{setup.lay_member.pk}": "on",
            f"hours_{setup.lay_member.pk}": "2.00",
            f"attended_{setup.staff_chair.pk}": "on",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    attended = set(Attendance.objects.filter(meeting=meeting, attended=True).values_list("member_id", flat=True))
    assert attended == {setup.lay_member.pk, setup.staff_chair.pk}


def test_attendance_cannot_be_recorded_before_the_meeting(secretariat_client, setup):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=3))
    response = secretariat_client.post(f"/forums/meetings/{meeting.pk}/attendance/", {})
    assert b"once the meeting has started" in response.content


def test_notes_flow_through_the_pages(chair_client, lay_chair_client, lay_member_client, staff_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    notes_url = f"/forums/meetings/{meeting.pk}/notes/"
    assert staff_client.post(notes_url, {"body_markdown": "x"}).status_code == 403
    assert lay_member_client.post(notes_url, {"body_markdown": "x"}).status_code == 403
    assert chair_client.post(notes_url, {"body_markdown": "## Notes\n\nGood meeting."}).status_code == 302
    # Members who do not run the forum do not see a draft.
    assert b"Good meeting." not in lay_member_client.get(f"/forums/meetings/{meeting.pk}/").content
    chair_client.post(f"/forums/meetings/{meeting.pk}/notes/submit/")
    notes = MeetingNotes.objects.get(meeting=meeting)
    assert notes.status == MeetingNotes.Status.AWAITING_APPROVAL
    approve_url = f"/forums/meetings/{meeting.pk}/notes/approve/"
    assert lay_member_client.get(approve_url).status_code == 403
    page = lay_chair_client.get(approve_url)
    assert b"I approve version 1" in page.content
    lay_chair_client.post(approve_url, {"version": "1"})
    again = lay_chair_client.post(approve_url, {"version": "1"})
    assert b"You have already approved this version" in again.content
    # Publishing now is refused with a clear message.
    response = chair_client.post(f"/forums/meetings/{meeting.pk}/notes/publish/", follow=True)
    assert b"staff co-chair has not approved version 1" in response.content
    chair_client.post(approve_url, {"version": "1"})
    notes.refresh_from_db()
    assert notes.status == MeetingNotes.Status.PUBLISHED
    assert b"Good meeting." in lay_member_client.get(f"/forums/meetings/{meeting.pk}/").content


def test_approving_a_stale_version_through_the_page_is_refused(chair_client, lay_chair_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    notes = NotesFactory(meeting=meeting, status=MeetingNotes.Status.AWAITING_APPROVAL, version=3)
    response = lay_chair_client.post(f"/forums/meetings/{meeting.pk}/notes/approve/", {"version": "2"})
    assert b"The notes have changed since you opened them" in response.content
    assert not notes.approvals.exists()


def test_actions_and_decisions(chair_client, staff_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    url = f"/forums/meetings/{meeting.pk}/actions/add/"
    assert staff_client.post(url, {"description": "x"}).status_code == 403
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert (
        chair_client.post(
            url, {"description": "Write to the ICB", "owner": setup.lay_chair.pk, "due_on": due}
        ).status_code
        == 302
    )
    action = Action.objects.get(meeting=meeting)
    assert action.owner == setup.lay_chair
    response = chair_client.post(
        f"/forums/actions/{action.pk}/",
        {"owner": setup.lay_chair.pk, "due_on": due, "status": "done", "update_notes": "Letter sent"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.update_notes == "Letter sent"
    assert staff_client.post(f"/forums/actions/{action.pk}/", {"status": "open"}).status_code == 403
    d_url = f"/forums/meetings/{meeting.pk}/decisions/add/"
    assert chair_client.post(d_url, {"what": "Meet quarterly", "why": ""}).status_code == 200
    assert chair_client.post(d_url, {"what": "Meet quarterly", "why": "Members asked"}).status_code == 302
    assert Decision.objects.get(meeting=meeting).why == "Members asked"
    assert (
        AuditEntry.objects.filter(
            action__in=["forum.action.added", "forum.action.updated", "forum.decision.added"]
        ).count()
        == 3
    )


def test_action_owner_must_be_a_member_of_this_forum(chair_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    stranger = ForumMember.objects.create(forum=ForumFactory(), user=UserFactory())
    response = chair_client.post(
        f"/forums/meetings/{meeting.pk}/actions/add/", {"description": "x", "owner": stranger.pk}
    )
    assert response.status_code == 200
    assert not Action.objects.exists()


def test_action_log_shows_open_and_overdue(lead_client, outsider_client, staff_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    ActionFactory(meeting=meeting, description="Late one", due_on=timezone.localdate() - dt.timedelta(days=2))
    ActionFactory(meeting=meeting, description="Future one", due_on=timezone.localdate() + dt.timedelta(days=9))
    ActionFactory(meeting=meeting, description="Finished one", status="done")
    url = f"/forums/{setup.forum.pk}/actions/"
    assert outsider_client.get(url).status_code == 404
    page = staff_client.get(url)
    assert b"Late one" in page.content and b"Future one" in page.content and b"Finished one" not in page.content
    assert b"Overdue" in page.content
    overdue = staff_client.get(url + "?show=overdue")
    assert b"Late one" in overdue.content and b"Future one" not in overdue.content
    assert b"Finished one" in staff_client.get(url + "?show=all").content


def test_action_log_query_count_is_fixed(staff_client, setup, django_assert_max_num_queries):
    for _ in range(30):
        meeting = MeetingFactory(forum=setup.forum)
        ActionFactory(meeting=meeting, owner=setup.lay_member)
        ActionFactory(meeting=meeting, owner=setup.staff_chair)
    with django_assert_max_num_queries(14):
        response = staff_client.get(f"/forums/{setup.forum.pk}/actions/")
    assert response.content.count(b"Action number") == 50  # one full page


def test_forum_detail_query_count_is_fixed(lead_client, setup, django_assert_max_num_queries):
    for _ in range(40):
        meeting = MeetingFactory(forum=setup.forum)
        NotesFactory(meeting=meeting, status=MeetingNotes.Status.PUBLISHED, published_at=timezone.now())
        ActionFactory(meeting=meeting)
    with django_assert_max_num_queries(20):
        assert lead_client.get(f"/forums/{setup.forum.pk}/").status_code == 200


def test_my_forums_query_count_is_fixed(lay_member_client, setup, django_assert_max_num_queries):
    for i in range(40):
        MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=i + 1))
    with django_assert_max_num_queries(14):
        assert lay_member_client.get("/forums/mine/").status_code == 200


def test_meeting_page_query_count_is_fixed(secretariat_client, setup, django_assert_max_num_queries):
    meeting = MeetingFactory(forum=setup.forum)
    NotesFactory(meeting=meeting, status=MeetingNotes.Status.AWAITING_APPROVAL)
    actor = login_user(setup.secretariat)
    for i in range(15):
        services.agenda_item_add(actor=actor, meeting=meeting, title=f"Item {i}")
        ActionFactory(meeting=meeting, owner=setup.lay_member)
    members = [ForumMember.objects.create(forum=setup.forum, partner=lay_partner_with_login()) for _ in range(10)]
    for member in members:
        Attendance.objects.create(meeting=meeting, member=member, attended=True, recorded_by=actor)
        Apology.objects.create(meeting=meeting, member=member)
    with django_assert_max_num_queries(22):
        response = secretariat_client.get(f"/forums/meetings/{meeting.pk}/")
    assert response.content.count(b"Item ") >= 15

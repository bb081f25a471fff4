"""Rough edges a person found trying the co-chairs' journey: notes drafts kept as they type, apologies
given by phone, the publish button and who still has to approve, notes waiting on the lay co-chair's
home page, two meetings on one day told apart, and "a"/"an" before a forum's name in emails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from core.models import AuditEntry, Notification
from forum import services
from forum.models import Apology, Attendance, ForumMember, Meeting, MeetingNotes, NotesApproval, NotesDraft
from forum.rendering import with_article
from tests.forum.conftest import login_user
from tests.forum.factories import ForumFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(setup) -> Meeting:
    return MeetingFactory(forum=setup.forum, title="Autumn forum")


# --- Drafts of the notes kept as the person types ------------------------------------------------


def test_a_draft_is_kept_and_brought_back_when_the_person_returns(setup, meeting, secretariat_client):
    url = f"/forums/meetings/{meeting.pk}/notes/draft/"
    response = secretariat_client.post(url, {"body_markdown": "## Welcome\n\nHalf-written"})
    assert response.status_code == 200
    saved = response.json()
    assert saved["saved"] is True
    assert saved["saved_at"].endswith(("am", "pm"))  # "10:32am", NHS style
    # Nothing is saved as notes: no version, nobody told, nothing audited.
    assert not MeetingNotes.objects.filter(meeting=meeting).exists()
    assert not AuditEntry.objects.filter(action__startswith="forum.notes").exists()

    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/notes/").content.decode()
    assert "We kept the notes you were writing" in page
    assert "Half-written</textarea>" in page
    assert 'aria-live="polite"' in page and "js/notes-draft" in page


def test_a_draft_is_private_to_the_person_who_typed_it(setup, meeting, secretariat_client, chair_client):
    secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/draft/", {"body_markdown": "Only mine"})
    page = chair_client.get(f"/forums/meetings/{meeting.pk}/notes/").content.decode()
    assert "Only mine" not in page and "We kept the notes" not in page


def test_saving_the_notes_clears_the_draft(setup, meeting, secretariat_client):
    secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/draft/", {"body_markdown": "Typed so far"})
    secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/", {"body_markdown": "Typed so far, finished"})
    assert not NotesDraft.objects.exists()
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/notes/").content.decode()
    assert "We kept the notes" not in page
    assert "Typed so far, finished</textarea>" in page


def test_a_draft_of_awaiting_notes_does_not_make_a_new_version_or_tell_anyone(setup, meeting, secretariat_client):
    sec = login_user(setup.secretariat)
    notes = services.notes_save(actor=sec, meeting=meeting, body_markdown="First")
    notes.meeting = meeting
    services.notes_submit(actor=sec, notes=notes)
    before = Notification.objects.count()
    for text in ("First, and", "First, and more"):
        secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/draft/", {"body_markdown": text})
    notes.refresh_from_db()
    assert notes.version == 1 and notes.body_markdown == "First"
    assert Notification.objects.count() == before
    assert NotesDraft.objects.get().body_markdown == "First, and more"


def test_a_draft_says_when_someone_saved_a_newer_version(setup, meeting, secretariat_client):
    sec = login_user(setup.secretariat)
    services.notes_save(actor=sec, meeting=meeting, body_markdown="First")
    secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/draft/", {"body_markdown": "First, mine"})
    services.notes_save(actor=login_user(setup.staff_chair), meeting=meeting, body_markdown="First, theirs")
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/notes/").content.decode()
    assert "Someone has saved a newer version of the notes since you started" in page


def test_the_draft_can_be_thrown_away(setup, meeting, secretariat_client):
    services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown="Saved text")
    secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/draft/", {"body_markdown": "Scribble"})
    response = secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/draft/discard/", follow=True)
    page = response.content.decode()
    assert "Saved text</textarea>" in page and "Scribble" not in page
    assert not NotesDraft.objects.exists()


def test_a_refused_save_keeps_the_draft(setup, meeting, secretariat_client):
    secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/draft/", {"body_markdown": "Long text"})
    response = secretariat_client.post(
        f"/forums/meetings/{meeting.pk}/notes/", {"body_markdown": "Long text <script>alert(1)</script>"}
    )
    assert response.status_code == 200
    assert NotesDraft.objects.filter(meeting=meeting).exists()


def test_people_who_do_not_run_the_forum_cannot_keep_drafts(setup, meeting, staff_client, lay_member_client):
    url = f"/forums/meetings/{meeting.pk}/notes/draft/"
    assert staff_client.post(url, {"body_markdown": "x"}).status_code == 403
    assert lay_member_client.post(url, {"body_markdown": "x"}).status_code == 403
    assert not NotesDraft.objects.exists()


# --- Apologies given by phone ----------------------------------------------------------------------


def test_the_secretariat_records_apologies_given_by_phone(setup, secretariat_client):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=2))
    url = f"/forums/meetings/{meeting.pk}/apologies/record/"
    form = secretariat_client.get(url).content.decode()
    assert "Hidden Person (member)" in form
    response = secretariat_client.post(url, {"member": setup.lay_member.pk, "note": "Phoned on Monday"})
    assert response.status_code == 302
    apology = Apology.objects.get(meeting=meeting)
    assert apology.member == setup.lay_member and apology.note == "Phoned on Monday"
    entry = AuditEntry.objects.get(action="forum.apology.recorded")
    assert entry.actor == login_user(setup.secretariat)
    assert entry.on_behalf_of == setup.lay_member.partner.reference
    # Once recorded, the member is no longer offered, and a second try says why.
    assert "Hidden Person (member)" not in secretariat_client.get(url).content.decode()
    again = services.apology_record
    with pytest.raises(services.ForumError, match="already sent apologies"):
        again(actor=login_user(setup.secretariat), meeting=meeting, member=setup.lay_member)


def test_apologies_can_be_recorded_after_the_meeting_but_not_for_someone_who_came(setup, secretariat_client):
    meeting = MeetingFactory(forum=setup.forum, status=Meeting.Status.HELD)
    Attendance.objects.create(
        meeting=meeting, member=setup.staff_chair, attended=True, recorded_by=login_user(setup.secretariat)
    )
    sec = login_user(setup.secretariat)
    services.apology_record(actor=sec, meeting=meeting, member=setup.lay_member)
    with pytest.raises(services.ForumError, match="recorded as attending"):
        services.apology_record(actor=sec, meeting=meeting, member=setup.staff_chair)


def test_only_people_who_run_the_forum_record_apologies(setup, outsider_client, staff_client, lay_member_client):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=2))
    url = f"/forums/meetings/{meeting.pk}/apologies/record/"
    data = {"member": setup.lay_chair.pk}
    assert outsider_client.post(url, data).status_code == 404
    assert staff_client.post(url, data).status_code == 403
    assert lay_member_client.post(url, data).status_code == 403
    assert not Apology.objects.exists()
    with pytest.raises(services.ForumError):
        services.apology_record(actor=login_user(setup.lay_member), meeting=meeting, member=setup.lay_chair)


def test_the_attendance_page_says_who_sent_apologies(setup, secretariat_client):
    meeting = MeetingFactory(forum=setup.forum)
    Apology.objects.create(meeting=meeting, member=setup.lay_member)
    Apology.objects.create(meeting=meeting, member=setup.staff_chair)
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/attendance/").content.decode()
    assert "sent apologies." not in page  # not "2 members sent apologies."
    assert "Apologies from: Sam Staffchair, Hidden Person." in page or (
        "Apologies from: Hidden Person, Sam Staffchair." in page
    )
    assert page.count("Sent apologies") == 2  # a hint by each of their names
    assert "Record apologies for a member" in page


def test_the_public_page_names_apologies_only_with_consent(setup, client):
    meeting = MeetingFactory(forum=setup.forum, status=Meeting.Status.HELD)
    sec = login_user(setup.secretariat)
    for member in (setup.lay_member, setup.lay_chair, setup.staff_chair):
        services.apology_record(actor=sec, meeting=meeting, member=member)
    notes = services.notes_save(actor=sec, meeting=meeting, body_markdown="Notes")
    notes.meeting = meeting
    services.notes_submit(actor=sec, notes=notes)
    MeetingNotes.objects.filter(pk=notes.pk).update(
        status=MeetingNotes.Status.PUBLISHED,
        published_at=timezone.now(),
        published_version=1,
        published_body_markdown="Notes",
    )
    page = client.get(f"/forums/public/{setup.forum.slug}/meetings/{meeting.pk}/").content.decode()
    assert "Apologies: " in page
    assert "Lara Laychair" in page and "Sam Staffchair" in page
    assert "Hidden Person" not in page
    assert "1 lay partner" in page


# --- Publishing: the button, who still has to approve, and where co-chairs are told ---------------


def _awaiting(setup, meeting) -> MeetingNotes:
    sec = login_user(setup.secretariat)
    notes = services.notes_save(actor=sec, meeting=meeting, body_markdown="Notes")
    notes.meeting = meeting
    return services.notes_submit(actor=sec, notes=notes)


def test_publish_shows_only_when_both_have_approved_and_the_page_says_who_is_left(setup, meeting, secretariat_client):
    notes = _awaiting(setup, meeting)
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    assert "Publish notes" not in page
    assert "Still to approve: Sam Staffchair (staff co-chair), Lara Laychair (lay co-chair)." in page

    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=1)
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    assert "Publish notes" not in page
    assert "Approved version 1: Sam Staffchair (staff co-chair)." in page
    assert "Still to approve: Lara Laychair (lay co-chair)." in page

    # Both approvals in place (the lay co-chair approved before taking up another role and back).
    NotesApproval.objects.create(notes=notes, member=setup.lay_chair, version=1)
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    assert "Publish notes" in page and "Still to approve" not in page
    response = secretariat_client.post(f"/forums/meetings/{meeting.pk}/notes/publish/", follow=True)
    assert "The notes are published and members have been told." in response.content.decode()
    notes.refresh_from_db()
    assert notes.status == MeetingNotes.Status.PUBLISHED and notes.published_body_markdown == "Notes"


def test_the_page_says_when_a_co_chair_post_is_empty(setup, meeting, secretariat_client, lead):
    _awaiting(setup, meeting)
    services.member_remove(actor=lead, member=setup.lay_chair)
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    assert "Still to approve: Sam Staffchair (staff co-chair), a lay co-chair (the forum has none" in page


def test_a_co_chair_who_has_approved_is_not_asked_again(setup, meeting, chair_client):
    notes = _awaiting(setup, meeting)
    assert "Read and approve" in chair_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=1)
    assert "Read and approve" not in chair_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()


def test_the_lay_co_chairs_home_page_lists_notes_waiting_for_them(setup, meeting, lay_chair_client):
    home = lay_chair_client.get("/partners/me/").content.decode()
    assert "Meeting notes for you to approve" not in home
    _awaiting(setup, meeting)
    home = lay_chair_client.get("/partners/me/").content.decode()
    assert "Meeting notes for you to approve" in home
    assert f"/forums/meetings/{meeting.pk}/notes/approve/" in home
    services.notes_approve(actor=login_user(setup.lay_chair), notes=meeting.notes, version=1)
    assert "Meeting notes for you to approve" not in lay_chair_client.get("/partners/me/").content.decode()


def test_an_ordinary_lay_member_sees_no_notes_to_approve(setup, meeting, lay_member_client):
    _awaiting(setup, meeting)
    assert "Meeting notes for you to approve" not in lay_member_client.get("/partners/me/").content.decode()


def test_two_meetings_on_one_day_are_told_apart(setup, chair_client):
    day = timezone.localdate() - dt.timedelta(days=3)
    morning = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    afternoon = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 30)))
    first = MeetingFactory(forum=setup.forum, title="Budget workshop", starts_at=morning)
    second = MeetingFactory(forum=setup.forum, title="", starts_at=afternoon)
    _awaiting(setup, first)
    _awaiting(setup, second)
    when = f"{day.day} {day:%B %Y}"
    for page in (chair_client.get("/forums/mine/"), chair_client.get("/")):
        html = page.content.decode()
        assert f"Wessex PCIE group: Budget workshop, {when} at 10am" in html
        assert f"Wessex PCIE group: Wessex PCIE group meeting, {when} at 2:30pm" in html


# --- "a" or "an" before a forum's name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Involvement and Co-production Forum", "an Involvement and Co-production Forum"),
        ("Wessex PCIE group", "a Wessex PCIE group"),
        ("AHSN Network forum", "an AHSN Network forum"),
        ("NHS partners group", "an NHS partners group"),
        ("UK-wide forum", "a UK-wide forum"),
        ("University partners forum", "a University partners forum"),
        ("Oxford forum", "an Oxford forum"),
        ("One voice group", "a One voice group"),
    ],
)
def test_the_article_suits_the_name(name, expected):
    assert with_article(name) == expected


def test_a_meeting_email_reads_an_involvement_forum(setup):
    forum = ForumFactory(organisation=setup.forum.organisation, name="Involvement and Co-production Forum")

    ForumMember.objects.create(forum=forum, user=login_user(setup.staff_chair), role=ForumMember.Role.STAFF_CO_CHAIR)
    start = timezone.now() + dt.timedelta(days=5)
    services.meeting_schedule(
        actor=login_user(setup.staff_chair),
        forum=forum,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        format="online",
        joining_link="https://meet.example.org/icf",
    )
    body = Notification.objects.get(kind="forum.meeting_scheduled").body
    assert body.startswith("An Involvement and Co-production Forum meeting has been arranged")


def test_public_client_cannot_reach_drafts(setup, meeting):
    assert Client().post(f"/forums/meetings/{meeting.pk}/notes/draft/", {"body_markdown": "x"}).status_code == 302
    assert not NotesDraft.objects.exists()

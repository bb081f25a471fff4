"""Notes changed while awaiting approval: each co-chair in post is told once per new version (not the
person who made the change), through the one notification mechanism."""

from __future__ import annotations

import pytest

from core.models import Notification
from forum import services
from forum.models import MeetingNotes
from tests.forum.conftest import login_user
from tests.forum.factories import MeetingFactory

pytestmark = pytest.mark.django_db

KIND = "forum.notes_changed"


@pytest.fixture
def meeting(setup):
    return MeetingFactory(forum=setup.forum)


@pytest.fixture
def submitted(setup, meeting) -> MeetingNotes:
    notes = services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown="First wording")
    notes.meeting = meeting
    return services.notes_submit(actor=login_user(setup.secretariat), notes=notes)


def _told(notes: MeetingNotes):
    return Notification.objects.filter(kind=KIND, subject_id=str(notes.pk))


def _edit(setup, member, meeting, body: str) -> MeetingNotes:
    return services.notes_save(actor=login_user(member), meeting=meeting, body_markdown=body)


def test_both_co_chairs_are_told_and_no_one_else(setup, meeting, submitted):
    services.notes_approve(actor=login_user(setup.staff_chair), notes=submitted, version=submitted.version)
    notes = _edit(setup, setup.secretariat, meeting, "Second wording")
    assert notes.version == submitted.version + 1

    told = {n.user_id: n for n in _told(notes)}
    assert set(told) == {login_user(setup.staff_chair).pk, login_user(setup.lay_chair).pk}
    # Not the secretariat who made the edit, not an ordinary member.
    assert login_user(setup.secretariat).pk not in told
    assert login_user(setup.lay_member).pk not in told
    assert {n.occurrence for n in told.values()} == {str(notes.version)}
    assert told[login_user(setup.lay_chair).pk].partner_id == setup.lay_chair.partner_id

    staff_note = told[login_user(setup.staff_chair).pk]
    assert "were changed after you approved them" in staff_note.body
    assert "please read and approve the new version" in staff_note.body
    assert setup.forum.name in staff_note.body
    assert staff_note.url == f"/forums/meetings/{meeting.pk}/notes/approve/"
    lay_note = told[login_user(setup.lay_chair).pk]
    assert "after you approved" not in lay_note.body  # the lay co-chair had not approved yet
    assert "Please read the new version before you approve it" in lay_note.body


def test_the_co_chair_who_made_the_edit_is_not_told(setup, meeting, submitted):
    services.notes_approve(actor=login_user(setup.lay_chair), notes=submitted, version=submitted.version)
    notes = _edit(setup, setup.staff_chair, meeting, "The staff co-chair's wording")
    assert list(_told(notes).values_list("user_id", flat=True)) == [login_user(setup.lay_chair).pk]


def test_a_co_chair_who_has_left_is_not_told(setup, meeting, submitted, lead):
    services.notes_approve(actor=login_user(setup.lay_chair), notes=submitted, version=submitted.version)
    services.member_remove(actor=lead, member=setup.lay_chair)
    notes = _edit(setup, setup.secretariat, meeting, "Second wording")
    assert list(_told(notes).values_list("user_id", flat=True)) == [login_user(setup.staff_chair).pk]


def test_one_notification_per_co_chair_per_version_and_re_running_sends_nothing(setup, meeting, submitted):
    _edit(setup, setup.secretariat, meeting, "Second wording")
    notes = _edit(setup, setup.secretariat, meeting, "Third wording")
    assert sorted(_told(notes).values_list("occurrence", flat=True)) == ["2", "2", "3", "3"]

    # Saving the same text again is not a new version, so no one is told again.
    again = _edit(setup, setup.secretariat, meeting, "Third wording")
    assert again.version == notes.version
    assert _told(notes).count() == 4

    # Telling again about the same version creates nothing new.
    notes.refresh_from_db()
    services.tell_co_chairs_notes_changed(
        actor=login_user(setup.secretariat), notes=notes, meeting=meeting, forum=setup.forum
    )
    assert _told(notes).count() == 4


def test_nothing_is_sent_when_the_edit_is_refused(setup, meeting, submitted):
    with pytest.raises(services.ForumError, match="cannot contain a <script> tag"):
        _edit(setup, setup.secretariat, meeting, "Changed <script>alert(1)</script>")
    with pytest.raises(services.ForumError, match="Only the forum's co-chairs and secretariat"):
        _edit(setup, setup.lay_member, meeting, "A member's own wording")
    submitted.refresh_from_db()
    assert submitted.version == 1
    assert submitted.body_markdown == "First wording"
    assert not _told(submitted).exists()


def test_drafts_do_not_ask_for_approval_and_published_amendments_ask_in_their_own_words(setup, meeting):
    notes = _edit(setup, setup.secretariat, meeting, "Draft")
    notes = _edit(setup, setup.secretariat, meeting, "Draft, changed")
    assert notes.status == MeetingNotes.Status.DRAFT
    assert not _told(notes).exists()

    notes.meeting = meeting
    notes = services.notes_submit(actor=login_user(setup.secretariat), notes=notes)
    for chair in (setup.staff_chair, setup.lay_chair):
        services.notes_approve(actor=login_user(chair), notes=notes, version=notes.version)
    services.notes_save(
        actor=login_user(setup.secretariat), meeting=meeting, body_markdown="Corrected", amendment_note="Fixed a date"
    )
    notes.refresh_from_db()
    assert notes.status == MeetingNotes.Status.PUBLISHED
    assert not _told(notes).exists()
    # A change to published notes waits for both co-chairs: they are asked, as a change to published notes.
    amended = Notification.objects.filter(kind="forum.notes_amended", subject_id=str(notes.pk))
    assert amended.count() == 2 and set(amended.values_list("occurrence", flat=True)) == {str(notes.version)}


def test_editing_through_the_page_tells_the_co_chairs(secretariat_client, setup, meeting, submitted):
    response = secretariat_client.post(
        f"/forums/meetings/{meeting.pk}/notes/", {"body_markdown": "Second wording"}, follow=True
    )
    assert response.status_code == 200
    assert "The co-chairs have been told there is a new version to approve" in response.content.decode()
    assert _told(submitted).filter(occurrence="2").count() == 2

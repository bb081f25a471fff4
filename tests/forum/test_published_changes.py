"""Published notes change only with both co-chairs. A correction, or a decision or action added after
publishing, is a new version that goes through the same two approvals; until then members, the
public page and the feed show the last approved version."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import AuditEntry, Notification
from forum import services
from forum.models import Action, Decision, Meeting, MeetingNotes, NotesApproval
from tests.forum.conftest import login_user
from tests.forum.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(setup) -> Meeting:
    return MeetingFactory(forum=setup.forum, title="Autumn forum", status=Meeting.Status.HELD)


def _publish(setup, meeting, body: str = "We agreed to meet in Bristol.") -> MeetingNotes:
    sec = login_user(setup.secretariat)
    notes = services.notes_save(actor=sec, meeting=meeting, body_markdown=body)
    notes.meeting = meeting
    notes = services.notes_submit(actor=sec, notes=notes)
    for chair in (setup.staff_chair, setup.lay_chair):
        notes = services.notes_approve(actor=login_user(chair), notes=notes, version=notes.version)
    assert notes.status == MeetingNotes.Status.PUBLISHED
    return notes


def _approve(setup, chair, meeting) -> MeetingNotes:
    notes = MeetingNotes.objects.select_related("meeting__forum").get(meeting=meeting)
    return services.notes_approve(actor=login_user(chair), notes=notes, version=notes.version)


def _public(setup, meeting) -> str:
    return Client().get(f"/forums/public/{setup.forum.slug}/meetings/{meeting.pk}/").content.decode()


def _feed(setup) -> str:
    return Client().get(f"/forums/public/{setup.forum.slug}/feed.atom").content.decode()


def _correct(setup, meeting, body="We agreed to meet in Exeter.", note="The venue was Exeter, not Bristol"):
    return services.notes_save(
        actor=login_user(setup.secretariat), meeting=meeting, body_markdown=body, amendment_note=note
    )


def test_a_correction_is_public_only_once_both_co_chairs_approve_it(setup, meeting, lay_member_client):
    _publish(setup, meeting)
    notes = _correct(setup, meeting)
    assert notes.version == 2 and notes.published_version == 1 and notes.has_unpublished_change

    # The public page, the feed and members who do not run the forum still read version 1.
    for html in (_public(setup, meeting), _feed(setup), lay_member_client.get(f"/forums/meetings/{meeting.pk}/")):
        text = html if isinstance(html, str) else html.content.decode()
        assert "Bristol" in text
        assert "Exeter" not in text
    assert "approved by both co-chairs" in _public(setup, meeting)

    # One co-chair is not enough.
    _approve(setup, setup.staff_chair, meeting)
    assert "Exeter" not in _public(setup, meeting)
    assert "Exeter" not in _feed(setup)

    notes = _approve(setup, setup.lay_chair, meeting)
    assert not notes.has_unpublished_change and notes.published_version == 2
    page = _public(setup, meeting)
    assert "We agreed to meet in Exeter." in page and "We agreed to meet in Bristol." not in page
    assert "The venue was Exeter, not Bristol" in page  # the amendment and its reason
    assert "last corrected" in page
    assert "Exeter" in _feed(setup)
    assert "Exeter" in lay_member_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    told = Notification.objects.filter(kind="forum.notes_published", subject_id=str(notes.pk), occurrence="2")
    assert told.count() == 4 and "correction" in told.first().body
    assert AuditEntry.objects.filter(action="forum.notes.amendment_published", target_id=str(notes.pk)).exists()


def test_the_amendment_reason_is_hidden_until_approved(setup, meeting):
    _publish(setup, meeting)
    _correct(setup, meeting, note="Renamed the venue")
    assert "Renamed the venue" not in _public(setup, meeting)


def test_a_co_chair_who_corrects_the_notes_cannot_publish_the_change_alone(setup, meeting, chair_client):
    _publish(setup, meeting)
    chair = login_user(setup.staff_chair)
    notes = services.notes_save(
        actor=chair, meeting=meeting, body_markdown="We agreed to meet in Exeter.", amendment_note="Venue"
    )
    notes.meeting = meeting
    services.notes_approve(actor=chair, notes=notes, version=notes.version)
    with pytest.raises(services.ForumError, match="lay co-chair has not approved version 2"):
        services.notes_publish(actor=chair, notes=notes)
    response = chair_client.post(f"/forums/meetings/{meeting.pk}/notes/publish/", follow=True)
    assert b"lay co-chair has not approved version 2" in response.content
    assert "Exeter" not in _public(setup, meeting)


def test_an_approval_of_a_change_is_of_that_exact_version(setup, meeting):
    _publish(setup, meeting)
    _correct(setup, meeting)
    _approve(setup, setup.staff_chair, meeting)
    _correct(setup, meeting, body="We agreed to meet in Truro.", note="Truro after all")
    _approve(setup, setup.lay_chair, meeting)
    # The staff co-chair approved version 2, not version 3: nothing new is public yet.
    page = _public(setup, meeting)
    assert "Bristol" in page and "Truro" not in page and "Exeter" not in page
    notes = _approve(setup, setup.staff_chair, meeting)
    assert notes.published_version == 3
    page = _public(setup, meeting)
    assert "Truro" in page and "Truro after all" in page and "Exeter, not Bristol" in page


def test_co_chairs_are_asked_to_approve_a_change_to_published_notes(setup, meeting):
    notes = _publish(setup, meeting)
    services.notes_save(
        actor=login_user(setup.staff_chair),
        meeting=meeting,
        body_markdown="We agreed to meet in Exeter.",
        amendment_note="The venue was Exeter",
    )
    told = Notification.objects.filter(kind="forum.notes_amended", subject_id=str(notes.pk))
    # The lay co-chair, not the staff co-chair who made the change.
    assert list(told.values_list("user_id", flat=True)) == [login_user(setup.lay_chair).pk]
    assert "The venue was Exeter" in told.get().body
    assert "keep seeing the approved version" in told.get().body
    assert told.get().url == f"/forums/meetings/{meeting.pk}/notes/approve/"


def test_a_decision_added_after_publishing_waits_for_both_co_chairs(setup, meeting, chair_client):
    _publish(setup, meeting)
    response = chair_client.post(
        f"/forums/meetings/{meeting.pk}/decisions/add/", {"what": "Pay travel in advance", "why": "Members asked"}
    )
    assert response.status_code == 302
    decision = Decision.objects.get(meeting=meeting)
    assert decision.awaiting_approval
    notes = MeetingNotes.objects.get(meeting=meeting)
    assert notes.version == 2 and notes.published_version == 1
    assert "Pay travel in advance" not in _public(setup, meeting)
    listing = Client().get(f"/forums/public/{setup.forum.slug}/").content.decode()
    assert "Pay travel in advance" not in listing
    meeting_page = chair_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    assert "Waiting for co-chairs to approve" in meeting_page
    assert "Decision added: Pay travel in advance" in meeting_page

    _approve(setup, setup.staff_chair, meeting)
    assert "Pay travel in advance" not in _public(setup, meeting)
    _approve(setup, setup.lay_chair, meeting)
    decision.refresh_from_db()
    assert not decision.awaiting_approval
    page = _public(setup, meeting)
    assert "Pay travel in advance" in page
    assert "Decision added: Pay travel in advance" in page  # shown as an amendment


def test_an_action_added_after_publishing_waits_for_both_co_chairs(setup, meeting, chair_client):
    _publish(setup, meeting)
    response = chair_client.post(
        f"/forums/meetings/{meeting.pk}/actions/add/", {"description": "Book the Exeter room", "owner": ""}
    )
    assert response.status_code == 302
    assert Action.objects.get(meeting=meeting).awaiting_approval
    assert "Book the Exeter room" not in _public(setup, meeting)
    _approve(setup, setup.lay_chair, meeting)
    assert "Book the Exeter room" not in _public(setup, meeting)
    _approve(setup, setup.staff_chair, meeting)
    assert "Book the Exeter room" in _public(setup, meeting)
    assert not Action.objects.get(meeting=meeting).awaiting_approval


def test_a_decision_added_while_awaiting_approval_needs_a_fresh_approval(setup, meeting):
    sec = login_user(setup.secretariat)
    notes = services.notes_save(actor=sec, meeting=meeting, body_markdown="Notes")
    notes.meeting = meeting
    services.notes_submit(actor=sec, notes=notes)
    _approve(setup, setup.staff_chair, meeting)
    services.decision_add(actor=sec, meeting=meeting, what="Meet quarterly", why="Members asked")
    notes = _approve(setup, setup.lay_chair, meeting)
    # The staff co-chair approved version 1, before the decision was added.
    assert notes.status == MeetingNotes.Status.AWAITING_APPROVAL
    assert notes.version == 2
    notes = _approve(setup, setup.staff_chair, meeting)
    assert notes.status == MeetingNotes.Status.PUBLISHED
    assert "Meet quarterly" in _public(setup, meeting)


def test_approving_published_notes_with_no_change_is_refused(setup, meeting):
    notes = _publish(setup, meeting)
    with pytest.raises(services.ForumError, match="already published"):
        services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)


def test_the_approve_page_shows_what_changed(setup, meeting, lay_chair_client):
    _publish(setup, meeting)
    _correct(setup, meeting)
    page = lay_chair_client.get(f"/forums/meetings/{meeting.pk}/notes/approve/").content.decode()
    assert "Approve the changes to the notes" in page
    assert "The venue was Exeter, not Bristol" in page
    assert "We agreed to meet in Exeter." in page
    assert "I approve version 2" in page


def test_the_co_chairs_home_pages_list_changes_waiting(setup, meeting, chair_client, lay_chair_client):
    _publish(setup, meeting)
    _correct(setup, meeting)
    assert "changes to published notes, version 2" in chair_client.get("/").content.decode()
    assert "changes to published notes" in lay_chair_client.get("/partners/me/").content.decode()


def test_existing_published_notes_keep_their_text_after_the_upgrade(setup, meeting):
    """Notes published before versions existed: the migration made the current text the public one."""
    notes = _publish(setup, meeting)
    assert notes.published_body_markdown == notes.body_markdown
    assert not NotesApproval.objects.filter(notes=notes, version=2).exists()

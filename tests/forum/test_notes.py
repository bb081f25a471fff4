"""Notes: draft → awaiting approval → published, with both co-chairs approving the exact version."""

from __future__ import annotations

import pytest

from core.models import AuditEntry, Notification
from forum import services
from forum.models import ForumMember, MeetingNotes, NotesAmendment
from forum.rendering import render_notes
from tests.forum.conftest import login_user
from tests.forum.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(setup):
    return MeetingFactory(forum=setup.forum)


def _submitted(setup, meeting, body="## Notes\n\nWe agreed the plan.") -> MeetingNotes:
    notes = services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown=body)
    notes.meeting = meeting
    return services.notes_submit(actor=login_user(setup.secretariat), notes=notes)


def test_both_co_chairs_approving_publishes_and_tells_members(setup, meeting):
    notes = _submitted(setup, meeting)
    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)
    notes.refresh_from_db()
    assert notes.status == MeetingNotes.Status.AWAITING_APPROVAL
    services.notes_approve(actor=login_user(setup.lay_chair), notes=notes, version=notes.version)
    notes.refresh_from_db()
    assert notes.status == MeetingNotes.Status.PUBLISHED
    assert notes.published_version == notes.version
    told = Notification.objects.filter(kind="forum.notes_published", subject_id=str(notes.pk))
    assert told.count() == 4  # every active member, once each
    assert set(told.values_list("occurrence", flat=True)) == {str(notes.version)}
    actions = set(AuditEntry.objects.filter(target_id=str(notes.pk)).values_list("action", flat=True))
    assert {"forum.notes.created", "forum.notes.submitted", "forum.notes.approved", "forum.notes.published"} <= actions


def test_publishing_without_both_approvals_is_refused(setup, meeting):
    notes = _submitted(setup, meeting)
    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)
    with pytest.raises(services.ForumError, match="lay co-chair has not approved"):
        services.notes_publish(actor=login_user(setup.secretariat), notes=notes)
    notes.refresh_from_db()
    assert notes.status == MeetingNotes.Status.AWAITING_APPROVAL


def test_publishing_needs_a_lay_co_chair_in_post(setup, meeting, lead):
    notes = _submitted(setup, meeting)
    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)
    services.member_remove(actor=lead, member=setup.lay_chair)
    with pytest.raises(services.ForumError, match="no lay co-chair in post"):
        services.notes_publish(actor=login_user(setup.secretariat), notes=notes)


def test_approving_twice_is_refused(setup, meeting):
    notes = _submitted(setup, meeting)
    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)
    with pytest.raises(services.ForumError, match="You have already approved this version"):
        services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)


def test_an_edit_after_approval_clears_it_and_an_old_version_cannot_be_approved(setup, meeting):
    notes = _submitted(setup, meeting)
    first_version = notes.version
    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=first_version)
    services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown="Changed wording")
    with pytest.raises(services.ForumError, match="changed since you opened them"):
        services.notes_approve(actor=login_user(setup.lay_chair), notes=notes, version=first_version)
    notes.refresh_from_db()
    assert notes.version == first_version + 1
    services.notes_approve(actor=login_user(setup.lay_chair), notes=notes, version=notes.version)
    notes.refresh_from_db()
    # The staff co-chair's approval was of the old version, so the notes are not published yet.
    assert notes.status == MeetingNotes.Status.AWAITING_APPROVAL
    assert notes.approvals.count() == 2  # the old approval is kept as history
    services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)
    notes.refresh_from_db()
    assert notes.status == MeetingNotes.Status.PUBLISHED


def test_only_co_chairs_approve(setup, meeting):
    notes = _submitted(setup, meeting)
    with pytest.raises(services.ForumError, match="Only the forum's co-chairs"):
        services.notes_approve(actor=login_user(setup.secretariat), notes=notes, version=notes.version)
    with pytest.raises(services.ForumError, match="Only the forum's co-chairs"):
        services.notes_approve(actor=login_user(setup.lay_member), notes=notes, version=notes.version)


def test_a_draft_cannot_be_approved(setup, meeting):
    notes = services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown="Draft")
    notes.meeting = meeting
    with pytest.raises(services.ForumError, match="not been sent for approval"):
        services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version)


def test_published_notes_change_only_by_a_visible_amendment(setup, meeting):
    notes = _submitted(setup, meeting, body="Original")
    for chair in (setup.staff_chair, setup.lay_chair):
        services.notes_approve(actor=login_user(chair), notes=notes, version=notes.version)
    with pytest.raises(services.ForumError, match="Say what you corrected"):
        services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown="Silently changed")
    notes.refresh_from_db()
    assert notes.body_markdown == "Original"
    services.notes_save(
        actor=login_user(setup.secretariat), meeting=meeting, body_markdown="Corrected", amendment_note="Fixed a date"
    )
    notes.refresh_from_db()
    assert notes.body_markdown == "Corrected"
    assert notes.status == MeetingNotes.Status.PUBLISHED
    # The correction is a new version; what is published stays as approved until both co-chairs approve it.
    assert (notes.published_body_markdown, notes.published_version) == ("Original", 1)
    amendment = NotesAmendment.objects.get(notes=notes)
    assert amendment.awaiting_approval and amendment.version == 2
    assert (amendment.body_before, amendment.body_after, amendment.note) == ("Original", "Corrected", "Fixed a date")
    assert AuditEntry.objects.filter(action="forum.notes.amended").exists()


def test_script_in_notes_is_removed():
    html = render_notes(
        "Hello <script>alert('x')</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
        '\n\n<a href="https://example.org" onclick="steal()">ok</a>'
    )
    assert "<script" not in html
    assert "alert('x')" not in html
    assert "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html
    assert 'href="https://example.org"' in html


def test_markdown_headings_lists_and_tables_render():
    html = render_notes("## Agreed\n\n* one\n* **two**\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h3>Agreed</h3>" in html  # under the page's own "Notes" heading
    assert "<li><strong>two</strong></li>" in html
    assert "<table>" in html


def test_lay_co_chair_must_be_a_lay_partner(setup, lead):
    with pytest.raises(services.ForumError, match="must be a lay partner"):
        services.member_change_role(actor=lead, member=setup.secretariat, role=ForumMember.Role.LAY_CO_CHAIR)

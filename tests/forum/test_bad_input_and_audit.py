"""Bad input refused with a clear message, every state change audited, and pages whose query count
does not grow with the number of meetings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from forum import services
from forum.models import Attendance, ForumMember, Meeting, MeetingNotes
from tests.conftest import client_for
from tests.forum.conftest import ForumSetup, login_user
from tests.forum.factories import ActionFactory, DecisionFactory, MeetingFactory, NotesFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SCRIPTED_NOTES = [
    ("We agreed the plan. <script>alert(1)</script>", "cannot contain a <script> tag"),
    ("[Read the report](javascript:alert(1))", "Links in notes must start with https://"),
    ('<a href="&#106;avascript:alert(1)">report</a>', "Links in notes must start with https://"),
    ("<img src=x onerror=alert(1)>", "code that runs in the browser"),
    ('<a href="https://example.org" onclick="steal()">ok</a>', "code that runs in the browser"),
    ("<iframe src=https://evil.example></iframe>", "cannot contain a <iframe> tag"),
]


# --- Script in notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "message"), SCRIPTED_NOTES)
def test_script_in_notes_is_refused_by_the_service(setup, body, message):
    meeting = MeetingFactory(forum=setup.forum)
    with pytest.raises(services.ForumError, match=re.escape(message)):
        services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown=body)
    assert not MeetingNotes.objects.filter(meeting=meeting).exists()
    assert not AuditEntry.objects.filter(action__startswith="forum.notes.").exists()


def test_script_in_notes_through_the_page_is_refused_and_what_was_typed_is_kept(chair_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    services.notes_save(actor=login_user(setup.staff_chair), meeting=meeting, body_markdown="First draft")
    body = "## Budget\n\nAgreed. <script>alert(1)</script>"
    response = chair_client.post(f"/forums/meetings/{meeting.pk}/notes/", {"body_markdown": body})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Notes cannot contain a &lt;script&gt; tag. Remove it and save again" in html
    assert 'href="#id_body_markdown"' in html  # the error summary links to the notes box
    assert response.context["form"]["body_markdown"].value() == body
    notes = MeetingNotes.objects.get(meeting=meeting)
    assert (notes.body_markdown, notes.version) == ("First draft", 1)


def test_script_in_a_correction_to_published_notes_is_refused(setup):
    meeting = MeetingFactory(forum=setup.forum, status=Meeting.Status.HELD)
    NotesFactory(meeting=meeting, status=MeetingNotes.Status.PUBLISHED, published_at=timezone.now(), body_markdown="Ok")
    with pytest.raises(services.ForumError, match="cannot contain a <script> tag"):
        services.notes_save(
            actor=login_user(setup.secretariat),
            meeting=meeting,
            body_markdown="Ok <script>x</script>",
            amendment_note="Fixed a typo",
        )
    meeting.notes.refresh_from_db()
    assert meeting.notes.body_markdown == "Ok"
    assert not meeting.notes.amendments.exists()


def test_writing_about_script_inside_code_is_allowed_and_shown_as_text(setup, chair_client):
    meeting = MeetingFactory(forum=setup.forum)
    notes = services.notes_save(
        actor=login_user(setup.staff_chair), meeting=meeting, body_markdown="The web team removed `<script>` tags."
    )
    assert notes.version == 1
    html = chair_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    assert "<code>&lt;script&gt;</code>" in html


# --- Private papers and calendar links ----------------------------------------------------------


def test_a_non_member_is_told_why_a_paper_is_refused(setup, staff_client):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=3))
    item = services.agenda_item_add(actor=login_user(setup.secretariat), meeting=meeting, title="Budget")
    paper = services.paper_upload(
        actor=login_user(setup.secretariat), agenda_item=item, upload=SimpleUploadedFile("budget.pdf", PDF)
    )
    response = staff_client.get(f"/forums/papers/{paper.pk}/")
    assert response.status_code == 403
    assert b"Meeting papers are only for members of this forum." in response.content
    assert b"%PDF" not in response.content


def test_a_member_who_leaves_loses_papers_and_their_calendar_link(setup, lead, client):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=3))
    item = services.agenda_item_add(actor=login_user(setup.secretariat), meeting=meeting, title="Budget")
    paper = services.paper_upload(
        actor=login_user(setup.secretariat), agenda_item=item, upload=SimpleUploadedFile("budget.pdf", PDF)
    )
    member_client = client_for(login_user(setup.lay_member))
    token = services.calendar_token_regenerate(actor=login_user(setup.lay_member), member=setup.lay_member)
    assert client.get(f"/forums/calendar/{token}.ics").status_code == 200
    assert member_client.get(f"/forums/papers/{paper.pk}/").status_code == 200
    services.member_remove(actor=lead, member=setup.lay_member)
    assert member_client.get(f"/forums/papers/{paper.pk}/").status_code == 404
    refused = client.get(f"/forums/calendar/{token}.ics")
    assert refused.status_code == 404
    assert b"This calendar link no longer works" in refused.content


def test_a_revoked_calendar_link_says_it_no_longer_works(setup, client):
    actor = login_user(setup.lay_member)
    token = services.calendar_token_regenerate(actor=actor, member=setup.lay_member)
    services.calendar_token_revoke(actor=actor, member=setup.lay_member)
    refused = client.get(f"/forums/calendar/{token}.ics")
    assert refused.status_code == 404
    assert refused["Content-Type"].startswith("text/plain")
    assert b"make a new link on your forum's calendar page" in refused.content
    with pytest.raises(services.ForumError, match="You do not have a calendar link to turn off"):
        services.calendar_token_revoke(actor=actor, member=setup.lay_member)


def test_nobody_can_change_someone_elses_calendar_link(setup):
    with pytest.raises(services.ForumError, match="only change your own calendar link"):
        services.calendar_token_regenerate(actor=login_user(setup.staff_chair), member=setup.lay_member)


# --- Audit ----------------------------------------------------------------------------------------


def _audited(action: str, actor_member: ForumMember | None = None, *, by=None) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None, f"no audit entry for {action}"
    expected = by if by is not None else login_user(actor_member)  # type: ignore[arg-type]
    assert entry.actor_id == expected.pk, f"{action} names the wrong person"
    return entry


def test_every_state_change_is_audited_with_who_did_it(setup: ForumSetup, lead):
    sec = login_user(setup.secretariat)
    services.forum_update(actor=lead, forum=setup.forum, name="Wessex PCIE", description="New", is_public=True)
    _audited("forum.forum.updated", by=lead)
    services.member_change_role(actor=lead, member=setup.lay_member, role=ForumMember.Role.LAY_CO_CHAIR)
    assert _audited("forum.member.role_changed", by=lead).data == {"from": "member", "to": "lay_co_chair"}
    services.member_change_role(actor=lead, member=setup.lay_member, role=ForumMember.Role.MEMBER)

    start = timezone.now() + dt.timedelta(days=10)
    meeting = services.meeting_schedule(
        actor=sec,
        forum=setup.forum,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        format="online",
        joining_link="https://meet.example.org/a",
    )
    _audited("forum.meeting.scheduled", setup.secretariat)
    services.meeting_update(actor=sec, meeting=meeting, venue="Town Hall")
    assert _audited("forum.meeting.updated", setup.secretariat).data == {"changed": ["venue"]}
    first = services.agenda_item_add(actor=sec, meeting=meeting, title="Welcome")
    services.agenda_item_add(actor=sec, meeting=meeting, title="Budget")
    _audited("forum.agenda_item.added", setup.secretariat)
    services.agenda_item_move(actor=sec, item=first, direction="down")
    _audited("forum.agenda_item.moved", setup.secretariat)
    services.paper_upload(actor=sec, agenda_item=first, upload=SimpleUploadedFile("a.pdf", PDF))
    _audited("forum.paper.uploaded", setup.secretariat)
    services.apology_send(actor=login_user(setup.lay_member), meeting=meeting, member=setup.lay_member)
    apology = _audited("forum.apology.sent", setup.lay_member)
    assert apology.on_behalf_of == setup.lay_member.partner.reference  # type: ignore[union-attr]

    held = MeetingFactory(forum=setup.forum)
    services.attendance_record(actor=sec, meeting=held, rows=[(setup.staff_chair, True, None)])
    assert _audited("forum.attendance.recorded", setup.secretariat).data == {"attended": 1, "recorded": 1}
    services.notes_save(actor=sec, meeting=held, body_markdown="Draft")
    services.notes_save(actor=sec, meeting=held, body_markdown="Draft, changed")
    assert _audited("forum.notes.edited", setup.secretariat).data == {"version": 2}
    services.action_add(actor=sec, meeting=held, description="Write to the ICB")
    _audited("forum.action.added", setup.secretariat)
    services.decision_add(actor=sec, meeting=held, what="Meet in Bristol", why="Step-free venue")
    _audited("forum.decision.added", setup.secretariat)

    services.meeting_cancel(actor=sec, meeting=meeting, reason="Too few members could come")
    _audited("forum.meeting.cancelled", setup.secretariat)
    services.calendar_token_regenerate(actor=login_user(setup.lay_chair), member=setup.lay_chair)
    _audited("forum.calendar_link.created", setup.lay_chair)
    services.calendar_token_revoke(actor=login_user(setup.lay_chair), member=setup.lay_chair)
    _audited("forum.calendar_link.revoked", setup.lay_chair)
    services.member_remove(actor=lead, member=setup.lay_member)
    _audited("forum.member.left", by=lead)


def test_a_refused_change_writes_no_audit_entry(setup):
    meeting = MeetingFactory(forum=setup.forum)
    notes = services.notes_save(actor=login_user(setup.secretariat), meeting=meeting, body_markdown="Draft")
    notes.meeting = meeting
    services.notes_submit(actor=login_user(setup.secretariat), notes=notes)
    before = AuditEntry.objects.count()
    with pytest.raises(services.ForumError):
        services.notes_publish(actor=login_user(setup.secretariat), notes=notes)
    with pytest.raises(services.ForumError):
        services.notes_approve(actor=login_user(setup.staff_chair), notes=notes, version=notes.version + 1)
    assert AuditEntry.objects.count() == before


# --- Query counts that do not grow with the number of meetings -----------------------------------


def _published_meeting(setup: ForumSetup, days_ago: int) -> Meeting:
    meeting = MeetingFactory(
        forum=setup.forum, status=Meeting.Status.HELD, starts_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    NotesFactory(
        meeting=meeting, status=MeetingNotes.Status.PUBLISHED, published_at=timezone.now(), published_version=1
    )
    ActionFactory(meeting=meeting, owner=setup.lay_member, due_on=timezone.localdate() - dt.timedelta(days=1))
    ActionFactory(meeting=meeting, owner=setup.lay_chair)
    ActionFactory(meeting=meeting, owner=setup.staff_chair)
    DecisionFactory(meeting=meeting)
    for member in (setup.lay_member, setup.lay_chair, setup.staff_chair):
        Attendance.objects.create(
            meeting=meeting, member=member, attended=True, recorded_by=login_user(setup.secretariat)
        )
    return meeting


def _queries(fetch: Callable[[], int]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert fetch() == 200
    return len(captured)


def test_action_log_and_public_pages_cost_the_same_for_2_or_40_meetings(setup, staff_client):
    public = Client()
    slug = setup.forum.slug
    pages: dict[str, Callable[[Meeting], str]] = {
        "action log (open)": lambda m: f"/forums/{setup.forum.pk}/actions/",
        "action log (overdue)": lambda m: f"/forums/{setup.forum.pk}/actions/?show=overdue",
        "action log (all)": lambda m: f"/forums/{setup.forum.pk}/actions/?show=all",
        "public notes list": lambda m: f"/forums/public/{slug}/",
        "public feed": lambda m: f"/forums/public/{slug}/feed.atom",
        "public meeting": lambda m: f"/forums/public/{slug}/meetings/{m.pk}/",
    }

    def measure(meeting: Meeting) -> dict[str, int]:
        counts = {}
        for name, url in pages.items():
            client = staff_client if name.startswith("action log") else public
            path = url(meeting)
            counts[name] = _queries(lambda c=client, p=path: c.get(p).status_code)
        return counts

    newest = _published_meeting(setup, days_ago=1)
    _published_meeting(setup, days_ago=2)
    few = measure(newest)
    for i in range(38):
        _published_meeting(setup, days_ago=3 + i)
    many = measure(newest)
    assert many == few
    # And the counts are small (measured: action log 8, public list 3, feed 2, public meeting 6).
    assert all(many[name] <= 10 for name in pages if name.startswith("action log")), many
    assert all(many[name] <= 6 for name in pages if name.startswith("public")), many
    # 40 meetings x 3 actions: the action log pages at 50 rows, and every row is on the page.
    all_actions = staff_client.get(f"/forums/{setup.forum.pk}/actions/?show=all")
    assert all_actions.content.count(b"Action number") == 50

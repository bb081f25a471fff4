"""Papers (private, checked by content), calendar links, public pages and the Atom feed, cadence."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from forum import selectors, services
from forum.models import Attendance, ForumMember, Meeting, MeetingNotes, NotesAmendment, Paper
from partners.models import ConsentRecord
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.forum.conftest import login_user
from tests.forum.factories import (
    ActionFactory,
    DecisionFactory,
    ForumFactory,
    MeetingFactory,
    NotesFactory,
    lay_partner_with_login,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32


def docx_bytes(main: str = "wordprocessingml.document") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
            f'ContentType="application/vnd.openxmlformats-officedocument.{main}.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def item(setup):
    meeting = MeetingFactory(forum=setup.forum, starts_at=timezone.now() + dt.timedelta(days=5))
    return services.agenda_item_add(actor=login_user(setup.secretariat), meeting=meeting, title="Budget")


def test_upload_pdf_and_members_download_it(secretariat_client, lay_member_client, staff_client, outsider_client, item):
    url = f"/forums/agenda/{item.pk}/papers/add/"
    assert staff_client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 403
    response = secretariat_client.post(url, {"file": SimpleUploadedFile("budget paper.pdf", PDF, "text/html")})
    assert response.status_code == 302
    paper = Paper.objects.get()
    assert paper.content_type == "application/pdf"  # from the content, not what the browser said
    assert paper.original_name == "budget paper.pdf"
    download = lay_member_client.get(f"/forums/papers/{paper.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert outsider_client.get(f"/forums/papers/{paper.pk}/").status_code == 404


def test_a_non_member_cannot_open_a_private_paper(secretariat_client, staff_client, item):
    secretariat_client.post(f"/forums/agenda/{item.pk}/papers/add/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    paper = Paper.objects.get()
    # Staff at the AHSN can see the forum but are not members: the paper is refused with a reason.
    response = staff_client.get(f"/forums/papers/{paper.pk}/")
    assert response.status_code == 403
    stranger = lay_partner_with_login()
    assert client_for(stranger.user).get(f"/forums/papers/{paper.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.docx", docx_bytes(), "wordprocessingml.document"),
        ("sheet.xlsx", docx_bytes("spreadsheetml.sheet"), "spreadsheetml.sheet"),
        ("photo.png", PNG, "image/png"),
    ],
)
def test_office_and_image_papers_are_recognised(secretariat_client, item, name, content, expected):
    secretariat_client.post(f"/forums/agenda/{item.pk}/papers/add/", {"file": SimpleUploadedFile(name, content)})
    assert expected in Paper.objects.get().content_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script></html>", b"must be a PDF, Word"),
        ("macro.docx", docx_bytes("wordprocessingml.document").replace(b"word/", b"xx/w"), b"must be a PDF, Word"),
        ("empty.pdf", b"", b"empty"),
    ],
)
def test_bad_papers_are_refused(secretariat_client, item, name, content, message):
    response = secretariat_client.post(
        f"/forums/agenda/{item.pk}/papers/add/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content
    assert not Paper.objects.exists()


def test_a_paper_over_the_size_limit_is_refused(secretariat_client, item, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    response = secretariat_client.post(
        f"/forums/agenda/{item.pk}/papers/add/", {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)}
    )
    assert b"must be smaller than" in response.content
    assert not Paper.objects.exists()


# --- Calendar -----------------------------------------------------------------------------------


def test_calendar_link_shows_the_members_meetings_and_can_be_revoked(lay_member_client, client, setup):
    MeetingFactory(forum=setup.forum, title="Summer forum", starts_at=timezone.now() + dt.timedelta(days=10))
    other_forum = ForumFactory()
    MeetingFactory(forum=other_forum, title="Not my forum", starts_at=timezone.now() + dt.timedelta(days=10))
    page = lay_member_client.post(f"/forums/{setup.forum.pk}/calendar/", {"action": "new"})
    url = page.context["new_url"]
    path = url.split("testserver", 1)[1]
    feed = client.get(path)  # no sign-in needed: the link itself is the secret
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert summaries == ["Summer forum"]
    event = calendar.walk("VEVENT")[0]
    assert str(event["dtstart"].dt.tzinfo) == "Europe/London"
    setup.lay_member.refresh_from_db()
    assert setup.lay_member.calendar_token_hash not in url  # only the hash is stored
    lay_member_client.post(f"/forums/{setup.forum.pk}/calendar/", {"action": "revoke"})
    assert client.get(path).status_code == 404


def test_a_new_calendar_link_revokes_the_old_one(lay_member_client, client, setup):
    first = lay_member_client.post(f"/forums/{setup.forum.pk}/calendar/", {"action": "new"}).context["new_url"]
    second = lay_member_client.post(f"/forums/{setup.forum.pk}/calendar/", {"action": "new"}).context["new_url"]
    assert client.get(first.split("testserver", 1)[1]).status_code == 404
    assert client.get(second.split("testserver", 1)[1]).status_code == 200


def test_an_expired_or_unknown_calendar_link_is_refused(client, setup):
    token = services.calendar_token_regenerate(actor=login_user(setup.lay_member), member=setup.lay_member)
    ForumMember.objects.filter(pk=setup.lay_member.pk).update(
        calendar_token_created_at=timezone.now() - dt.timedelta(days=400)
    )
    assert client.get(f"/forums/calendar/{token}.ics").status_code == 404
    assert client.get("/forums/calendar/not-a-real-token.ics").status_code == 404


def test_staff_who_are_not_members_have_no_calendar_link(staff_client, setup):
    assert staff_client.get(f"/forums/{setup.forum.pk}/calendar/").status_code == 403


# --- Public pages -------------------------------------------------------------------------------


def _published(setup, **kwargs) -> Meeting:
    meeting = MeetingFactory(forum=setup.forum, status=Meeting.Status.HELD, **kwargs)
    NotesFactory(
        meeting=meeting,
        status=MeetingNotes.Status.PUBLISHED,
        published_at=timezone.now(),
        published_version=1,
        body_markdown="## Welcome\n\nThe forum met. <script>alert(1)</script>",
    )
    return meeting


def test_public_pages_need_no_sign_in_and_respect_naming_consent(client, setup):
    meeting = _published(setup)
    ActionFactory(meeting=meeting, description="Chase the ICB", owner=setup.lay_member)  # not consented
    ActionFactory(meeting=meeting, description="Draft the leaflet", owner=setup.lay_chair)  # consented
    ActionFactory(meeting=meeting, description="Book the room", owner=setup.staff_chair)
    DecisionFactory(meeting=meeting)
    for member in (setup.lay_member, setup.lay_chair, setup.staff_chair):
        Attendance.objects.create(
            meeting=meeting, member=member, attended=True, recorded_by=login_user(setup.secretariat)
        )
    listing = client.get(f"/forums/public/{setup.forum.slug}/")
    assert listing.status_code == 200
    page = client.get(f"/forums/public/{setup.forum.slug}/meetings/{meeting.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hidden Person" not in html
    assert "a lay partner" in html
    assert "Lara Laychair" in html and "Sam Staffchair" in html
    assert "Meet in Bristol next time" in html
    assert "<script>alert(1)" not in html
    assert "1 lay partner" in html


def test_consent_withdrawn_later_hides_the_name(client, setup):
    meeting = _published(setup)
    ActionFactory(meeting=meeting, owner=setup.lay_chair)
    ConsentRecord.objects.create(
        partner=setup.lay_chair.partner, kind=ConsentRecord.Kind.NAMED_IN_NOTES, given=False, privacy_notice_version="2"
    )
    html = client.get(f"/forums/public/{setup.forum.slug}/meetings/{meeting.pk}/").content.decode()
    assert "Lara Laychair" not in html


def test_unpublished_notes_and_private_forums_are_not_public(client, setup):
    draft = MeetingFactory(forum=setup.forum)
    NotesFactory(meeting=draft, status=MeetingNotes.Status.AWAITING_APPROVAL)
    assert client.get(f"/forums/public/{setup.forum.slug}/meetings/{draft.pk}/").status_code == 404
    private = ForumFactory(is_public=False)
    assert client.get(f"/forums/public/{private.slug}/").status_code == 404
    assert client.get(f"/forums/public/{private.slug}/feed.atom").status_code == 404


def test_atom_feed_lists_published_notes(client, setup):
    meeting = _published(setup)
    hidden = MeetingFactory(forum=setup.forum)
    NotesFactory(meeting=hidden, status=MeetingNotes.Status.DRAFT)
    response = client.get(f"/forums/public/{setup.forum.slug}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert f"/forums/public/{setup.forum.slug}/meetings/{meeting.pk}/" in body
    assert f"/meetings/{hidden.pk}/" not in body
    assert "&lt;script" not in body and "<script" not in body


def test_public_amendments_are_visible(client, setup):
    meeting = _published(setup)
    NotesAmendment.objects.create(
        notes=meeting.notes,
        body_before="a",
        body_after="b",
        note="Corrected the date of the next meeting",
        made_by=login_user(setup.secretariat),
    )
    html = client.get(f"/forums/public/{setup.forum.slug}/meetings/{meeting.pk}/").content.decode()
    assert "Corrected the date of the next meeting" in html


def test_public_pages_query_count_is_fixed(client, setup, django_assert_max_num_queries):
    meetings = [_published(setup) for _ in range(30)]
    for m in meetings:
        ActionFactory(meeting=m, owner=setup.lay_member)
        ActionFactory(meeting=m, owner=setup.lay_chair)
        DecisionFactory(meeting=m)
    with django_assert_max_num_queries(6):
        assert client.get(f"/forums/public/{setup.forum.slug}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"/forums/public/{setup.forum.slug}/feed.atom").status_code == 200
    meeting = meetings[0]
    for _ in range(20):
        ActionFactory(meeting=meeting, owner=setup.lay_chair)
        Attendance.objects.create(
            meeting=meeting,
            member=ForumMember.objects.create(forum=setup.forum, partner=lay_partner_with_login(named=True)),
            attended=True,
            recorded_by=login_user(setup.secretariat),
        )
    with django_assert_max_num_queries(8):
        assert client.get(f"/forums/public/{setup.forum.slug}/meetings/{meeting.pk}/").status_code == 200


# --- Cadence ------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_forum_cadence_counts_held_meetings_in_the_financial_year(setup):
    fy = dt.date(2025, 4, 1)
    for day, published in (
        (dt.date(2025, 5, 1), dt.date(2025, 5, 8)),
        (dt.date(2025, 9, 1), None),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 2)),
    ):
        meeting = MeetingFactory(forum=setup.forum, starts_at=_at(day), status=Meeting.Status.HELD)
        if published:
            NotesFactory(meeting=meeting, status=MeetingNotes.Status.PUBLISHED, published_at=_at(published, 15))
    MeetingFactory(forum=setup.forum, starts_at=_at(dt.date(2025, 3, 31)), status=Meeting.Status.HELD)  # last year
    MeetingFactory(forum=setup.forum, starts_at=_at(dt.date(2025, 6, 1)), status=Meeting.Status.CANCELLED)
    cadence = selectors.forum_cadence(setup.forum, fy)
    assert (cadence["held"], cadence["target"], cadence["met_target"]) == (3, 3, True)
    assert [r["days_to_publish"] for r in cadence["meetings"]] == [7, None, 2]
    assert cadence["year_label"] == "2025/26"


def test_cadence_for_organisations_aggregates_in_the_database(setup, yorkshire, django_assert_num_queries):
    day = dt.date(2025, 5, 1)
    for lag in (4, 10):
        meeting = MeetingFactory(forum=setup.forum, starts_at=_at(day), status=Meeting.Status.HELD)
        NotesFactory(
            meeting=meeting, status=MeetingNotes.Status.PUBLISHED, published_at=_at(day + dt.timedelta(days=lag))
        )
    MeetingFactory(forum=setup.forum, starts_at=_at(day), status=Meeting.Status.HELD)
    yorkshire_forum = ForumFactory(organisation=yorkshire)
    MeetingFactory(forum=yorkshire_forum, starts_at=_at(day), status=Meeting.Status.HELD)
    with django_assert_num_queries(1):
        rows = selectors.cadence_for_organisations(
            [setup.forum.organisation_id, yorkshire.pk], dt.date(2025, 4, 1), dt.date(2025, 6, 30)
        )
    by_org = {r["organisation_id"]: r for r in rows}
    wessex_row = by_org[setup.forum.organisation_id]
    assert (wessex_row["meetings_held"], wessex_row["notes_published"]) == (3, 2)
    assert wessex_row["notes_on_time"] == 2
    late = selectors.cadence_for_organisations(
        [setup.forum.organisation_id], dt.date(2025, 4, 1), dt.date(2025, 6, 30), on_time_days=7
    )
    assert late[0]["notes_on_time"] == 1
    assert wessex_row["average_days_to_publish"] == 7.0
    assert by_org[yorkshire.pk]["notes_published"] == 0
    assert by_org[yorkshire.pk]["average_days_to_publish"] is None


def test_forum_page_shows_cadence(lead_client, setup):
    page = lead_client.get(f"/forums/{setup.forum.pk}/")
    assert b"against a target of 3" in page.content


def test_members_from_other_forums_cannot_be_attendance(setup):
    meeting = MeetingFactory(forum=setup.forum)
    outsider_member = ForumMember.objects.create(forum=ForumFactory(), user=UserFactory())
    with pytest.raises(services.ForumError, match="must be a member of this forum"):
        services.attendance_record(
            actor=login_user(setup.secretariat), meeting=meeting, rows=[(outsider_member, True, None)]
        )

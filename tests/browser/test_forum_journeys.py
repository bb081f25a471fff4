"""Forum journeys in a real browser: the secretariat schedules a meeting with an agenda and a paper and
records attendance; the staff co-chair drafts notes with an action and a decision; the lay co-chair
approves; the notes appear on the public page and in the feed. axe runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from forum import services
from forum.models import Action, Forum, ForumMember, Meeting, MeetingNotes, NotesDraft
from involvement.models import Participation
from tests.accounts.factories import TEST_TOTP_SECRET, MembershipFactory, UserFactory
from tests.accounts.test_sign_in_and_mfa import SECRET
from tests.browser.conftest import assert_accessible, fill_date, sign_in
from tests.forum.factories import lay_partner_with_login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _follow(page, name: str, *, role: str = "link") -> None:
    """Click a link or button and wait for the next page to load before checking it."""
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def forum_people(wessex):
    forum = Forum.objects.create(organisation=wessex, name="Wessex PCIE group", slug="wessex-pcie", is_public=True)
    chair = UserFactory(email="chair@wessex.example.org", full_name="Sam Staffchair")
    MembershipFactory(user=chair, organisation=wessex, role=Role.STAFF)
    secretary = UserFactory(email="sec@wessex.example.org", full_name="Sol Secretary")
    MembershipFactory(user=secretary, organisation=wessex, role=Role.STAFF)
    lay_chair = lay_partner_with_login(full_name="Lara Laychair", named=True)
    lay_member = lay_partner_with_login(full_name="Hidden Person", named=False)
    ForumMember.objects.create(forum=forum, user=chair, role=ForumMember.Role.STAFF_CO_CHAIR)
    ForumMember.objects.create(forum=forum, user=secretary, role=ForumMember.Role.SECRETARIAT)
    ForumMember.objects.create(forum=forum, partner=lay_chair, role=ForumMember.Role.LAY_CO_CHAIR)
    ForumMember.objects.create(forum=forum, partner=lay_member, role=ForumMember.Role.MEMBER)
    return {"forum": forum, "chair": chair, "secretary": secretary, "lay_chair": lay_chair, "lay_member": lay_member}


def _new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()


def test_meeting_to_published_notes(page, browser, live_server, forum_people, tmp_path):
    forum = forum_people["forum"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    # The secretariat schedules a meeting (held yesterday), with an agenda item and a paper.
    sign_in(page, forum_people["secretary"].email, totp_secret=TEST_TOTP_SECRET)
    page.wait_for_url("**/")
    page.goto(f"/forums/{forum.pk}/")
    assert_accessible(page)
    _follow(page, "Schedule a meeting")
    assert_accessible(page)
    page.get_by_label("Title").fill("Autumn meeting")
    fill_date(page, "Date", yesterday)
    page.get_by_label("Start time (UK time)").fill("10:00")
    page.get_by_label("End time (UK time)").fill("12:00")
    page.get_by_label("Online", exact=True).check()
    _follow(page, "Save meeting", role="button")
    # Bad input is explained and what was typed is kept.
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert "Enter the joining link" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.get_by_label("Title").input_value() == "Autumn meeting"
    assert_accessible(page)
    page.get_by_label("Joining link").fill("https://meet.example.org/pcie")
    _follow(page, "Save meeting", role="button")
    page.wait_for_url(re.compile(r".*/forums/meetings/\d+/$"))
    meeting = Meeting.objects.get(forum=forum)
    assert_accessible(page)

    _follow(page, "Add an agenda item")
    assert_accessible(page)
    page.get_by_label("Item").fill("Budget for involvement payments")
    page.get_by_label("Presenter").fill("Sol Secretary")
    _follow(page, "Add item and upload a paper", role="button")
    page.wait_for_url("**/papers/add/")
    assert_accessible(page)
    paper = tmp_path / "budget.pdf"
    paper.write_bytes(PDF)
    page.locator("input[type=file]").set_input_files(str(paper))
    _follow(page, "Upload paper", role="button")
    page.wait_for_url(f"**/forums/meetings/{meeting.pk}/")
    assert page.get_by_role("link", name="budget.pdf").is_visible()
    assert_accessible(page)

    # Recording attendance.
    _follow(page, "Record attendance")
    assert_accessible(page)
    page.get_by_label("Hidden Person (member)").check()
    page.get_by_label("Sam Staffchair (staff co-chair)").check()
    page.get_by_label("Lara Laychair (lay co-chair)").check()
    _follow(page, "Save attendance", role="button")
    page.wait_for_url(f"**/forums/meetings/{meeting.pk}/")
    assert "Attendance has been recorded" in page.content()
    assert_accessible(page)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert Participation.objects.filter(activity=meeting.activity, attended=True).count() == 2

    # The staff co-chair drafts notes with an action and a decision, and approves them.
    chair_page = _new_page(browser, live_server)
    sign_in(chair_page, forum_people["chair"].email, totp_secret=TEST_TOTP_SECRET)
    chair_page.wait_for_url("**/")
    chair_page.goto(f"/forums/meetings/{meeting.pk}/")
    _follow(chair_page, "Write the notes")
    assert_accessible(chair_page)
    # Script in the notes is refused with a message, and what was typed is kept to fix.
    chair_page.get_by_label("Notes").fill("## Budget\n\nThe forum agreed the payment rates. <script>alert(1)</script>")
    _follow(chair_page, "Save notes", role="button")
    assert "cannot contain a <script> tag" in chair_page.locator(".nhsuk-error-summary").inner_text()
    assert "<script>alert(1)</script>" in chair_page.get_by_label("Notes").input_value()
    assert_accessible(chair_page)
    chair_page.get_by_label("Notes").fill("## Budget\n\nThe forum agreed the payment rates.")
    _follow(chair_page, "Save notes", role="button")
    chair_page.wait_for_url(f"**/forums/meetings/{meeting.pk}/**")
    assert_accessible(chair_page)
    _follow(chair_page, "Add an action")
    assert_accessible(chair_page)
    chair_page.get_by_label("Action").fill("Write to finance about the new rates")
    chair_page.get_by_label("Who owns it?").select_option(label="Hidden Person")
    _follow(chair_page, "Save action", role="button")
    chair_page.wait_for_url(f"**/forums/meetings/{meeting.pk}/**")
    _follow(chair_page, "Record a decision")
    assert_accessible(chair_page)
    chair_page.get_by_label("What was decided?").fill("Pay lay partners the same rate at every AHSN")
    chair_page.get_by_label("Why?").fill("Members said different rates felt unfair")
    _follow(chair_page, "Save decision", role="button")
    chair_page.wait_for_url(f"**/forums/meetings/{meeting.pk}/**")
    _follow(chair_page, "Send for approval", role="button")
    chair_page.wait_for_url(f"**/forums/meetings/{meeting.pk}/**")
    assert_accessible(chair_page)
    _follow(chair_page, "Read and approve")
    assert_accessible(chair_page)
    _follow(chair_page, "I approve version 1", role="button")
    chair_page.wait_for_url(f"**/forums/meetings/{meeting.pk}/**")
    assert "when the other co-chair approves" in chair_page.content()
    assert MeetingNotes.objects.get(meeting=meeting).status == MeetingNotes.Status.AWAITING_APPROVAL

    # The lay co-chair approves: the notes are published.
    lay_page = _new_page(browser, live_server)
    sign_in(lay_page, forum_people["lay_chair"].user.email)
    lay_page.goto("/forums/mine/")
    assert_accessible(lay_page)
    with lay_page.expect_navigation():
        lay_page.get_by_role("link", name=re.compile("Wessex PCIE group: Autumn meeting, ")).click()
    assert_accessible(lay_page)
    assert "Write to finance about the new rates" in lay_page.content()
    _follow(lay_page, "I approve version 1", role="button")
    lay_page.wait_for_url(f"**/forums/meetings/{meeting.pk}/**")
    assert "the notes are now published" in lay_page.content()
    assert_accessible(lay_page)
    assert MeetingNotes.objects.get(meeting=meeting).status == MeetingNotes.Status.PUBLISHED

    # Anyone can read them on the public page, with lay partners named only with consent.
    public = _new_page(browser, live_server)
    public.goto(f"/forums/public/{forum.slug}/")
    assert_accessible(public)
    with public.expect_navigation():
        public.get_by_role("link", name=re.compile("Meeting on")).click()
    assert_accessible(public)
    text = public.locator("main").inner_text()
    assert "The forum agreed the payment rates." in text
    assert "Pay lay partners the same rate at every AHSN" in text
    assert "Write to finance about the new rates" in text
    assert "Hidden Person" not in text and "a lay partner" in text
    assert "alert(1)" not in public.content()
    feed = public.request.get(f"/forums/public/{forum.slug}/feed.atom")
    assert feed.ok
    assert f"/forums/public/{forum.slug}/meetings/{meeting.pk}/" in feed.text()


def test_forum_pages_are_accessible_for_a_lead_and_on_a_phone(page, phone_page, lead, forum_people):
    forum = forum_people["forum"]
    soon = timezone.now() + dt.timedelta(days=10)
    meeting = Meeting.objects.create(
        forum=forum,
        title="Winter forum",
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=2),
        format="in_person",
        venue="Civic Centre, Southampton",
        access_information="Step-free entrance",
    )
    action = Action.objects.create(meeting=meeting, description="Book a BSL interpreter", due_on=soon.date())
    lay_member = ForumMember.objects.get(forum=forum, partner=forum_people["lay_member"])
    sign_in(page, lead.email, totp_secret=SECRET)
    page.wait_for_url("**/")
    for path in (
        "/forums/",
        "/forums/new/",
        f"/forums/{forum.pk}/",
        f"/forums/{forum.pk}/edit/",
        f"/forums/{forum.pk}/members/add/",
        f"/forums/members/{lay_member.pk}/",
        f"/forums/{forum.pk}/actions/",
        f"/forums/{forum.pk}/meetings/new/",
        f"/forums/meetings/{meeting.pk}/",
        f"/forums/meetings/{meeting.pk}/edit/",
        f"/forums/meetings/{meeting.pk}/cancel/",
        f"/forums/actions/{action.pk}/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    page.goto(f"/forums/{forum.pk}/members/add/")
    _follow(page, "Add member", role="button")
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)

    # A lay member on a phone: their forums, the meeting, apologies and a calendar link.
    sign_in(phone_page, forum_people["lay_member"].user.email)
    for path in ("/forums/mine/", f"/forums/{forum.pk}/", f"/forums/meetings/{meeting.pk}/"):
        phone_page.goto(path)
        assert_accessible(phone_page)
    _follow(phone_page, "Send your apologies")
    assert_accessible(phone_page)
    phone_page.get_by_label("Anything you want to tell the co-chairs (optional)").fill("I have a hospital appointment")
    _follow(phone_page, "Send apologies", role="button")
    assert "You sent apologies" in phone_page.content()
    assert_accessible(phone_page)
    phone_page.goto(f"/forums/{forum.pk}/calendar/")
    assert_accessible(phone_page)
    _follow(phone_page, "Make my calendar link", role="button")
    assert "Copy this link now" in phone_page.content()
    assert_accessible(phone_page)


def _held_meeting(forum: Forum, title: str = "Autumn meeting") -> Meeting:
    start = timezone.now() - dt.timedelta(days=1)
    return Meeting.objects.create(
        forum=forum,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        format="online",
        joining_link="https://meet.example.org/pcie",
        status=Meeting.Status.HELD,
    )


def _screenshots(page, name: str) -> None:
    """For looking at the page as a person would, on a phone and a laptop (no sideways scrolling)."""
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/forum-{name}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_half_written_notes_are_kept_when_the_person_leaves_the_page(page, forum_people):
    meeting = _held_meeting(forum_people["forum"])
    sign_in(page, forum_people["secretary"].email)
    page.wait_for_url("**/")
    page.goto(f"/forums/meetings/{meeting.pk}/")
    _follow(page, "Write the notes")
    status = page.locator("[data-notes-draft-status]")
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    assert status.inner_text() == ""

    # Typing, then moving on from the box, keeps a draft and says so.
    page.get_by_label("Notes").fill("## Budget\n\nThe forum agreed the payment rates, and")
    page.keyboard.press("Tab")
    expect(status).to_have_text(re.compile(r"^Draft saved at "))
    assert re.fullmatch(r"Draft saved at \d{1,2}(:\d\d)?(am|pm)", status.inner_text())
    assert_accessible(page)
    _screenshots(page, "notes-draft")

    # Leaving and coming back brings the draft back, and says it is not saved as notes yet.
    page.goto(f"/forums/meetings/{meeting.pk}/")
    assert "There are no notes yet" in page.content()
    _follow(page, "Write the notes")
    assert page.get_by_label("Notes").input_value() == "## Budget\n\nThe forum agreed the payment rates, and"
    assert "We kept the notes you were writing" in page.locator("main").inner_text()
    assert_accessible(page)

    # Changes not yet kept: the browser asks before the page is left.
    page.get_by_label("Notes").fill("## Budget\n\nThe forum agreed the payment rates, and the travel policy.")
    asked: list[object] = []

    def note_dialog(dialog: object) -> None:  # Playwright wraps Python functions, not built-in methods
        asked.append(dialog)

    page.on("dialog", note_dialog)
    with page.expect_event("dialog") as dialog_info:
        page.close(run_before_unload=True)
    dialog = dialog_info.value
    assert dialog.type == "beforeunload"
    dialog.accept()
    assert len(asked) == 1


def test_saving_the_notes_asks_nothing_and_keeps_no_draft(page, forum_people):
    meeting = _held_meeting(forum_people["forum"])
    sign_in(page, forum_people["secretary"].email)
    page.wait_for_url("**/")
    page.goto(f"/forums/meetings/{meeting.pk}/notes/")
    page.get_by_label("Notes").fill("## Budget\n\nAgreed.")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    _follow(page, "Save notes", role="button")
    page.wait_for_url(f"**/forums/meetings/{meeting.pk}/**")
    assert asked == []
    assert MeetingNotes.objects.get(meeting=meeting).body_markdown == "## Budget\n\nAgreed."
    assert not NotesDraft.objects.filter(meeting=meeting).exists()


def test_a_correction_stays_private_until_both_co_chairs_approve(page, browser, live_server, forum_people):
    forum = forum_people["forum"]
    meeting = _held_meeting(forum)
    secretary, chair, lay_chair = forum_people["secretary"], forum_people["chair"], forum_people["lay_chair"]
    notes = services.notes_save(actor=secretary, meeting=meeting, body_markdown="We will meet in Bristol.")
    notes.meeting = meeting
    notes = services.notes_submit(actor=secretary, notes=notes)
    for person in (chair, lay_chair.user):
        notes = services.notes_approve(actor=person, notes=notes, version=notes.version)

    # The secretariat corrects the published notes.
    sign_in(page, secretary.email)
    page.wait_for_url("**/")
    page.goto(f"/forums/meetings/{meeting.pk}/")
    _follow(page, "Correct the notes")
    assert_accessible(page)
    page.get_by_label("Notes").fill("We will meet in Exeter.")
    page.get_by_label("What did you correct, and why?").fill("The venue is Exeter, not Bristol")
    _follow(page, "Save notes", role="button")
    main = page.locator("main").inner_text()
    assert "Members and the public keep seeing the published version" in main
    assert "Still to approve: Sam Staffchair (staff co-chair), Lara Laychair (lay co-chair)." in main
    assert page.get_by_role("button", name="Publish the changes").count() == 0
    assert_accessible(page)
    _screenshots(page, "meeting-changes-waiting")

    public = _new_page(browser, live_server)
    public.goto(f"/forums/public/{forum.slug}/meetings/{meeting.pk}/")
    text = public.locator("main").inner_text()
    assert "We will meet in Bristol." in text and "Exeter" not in text

    # The staff co-chair approves; still not public.
    chair_page = _new_page(browser, live_server)
    sign_in(chair_page, chair.email)
    chair_page.wait_for_url("**/")
    with chair_page.expect_navigation():
        chair_page.get_by_role("link", name=re.compile("Wessex PCIE group: Autumn meeting, ")).click()
    assert_accessible(chair_page)
    _follow(chair_page, "I approve version 2", role="button")
    public.reload()
    assert "Exeter" not in public.locator("main").inner_text()

    # The lay co-chair finds it on their own home page, with the meeting's title and time.
    lay_page = _new_page(browser, live_server)
    sign_in(lay_page, lay_chair.user.email)
    lay_page.wait_for_url("**/partners/me/")
    assert "Meeting notes for you to approve" in lay_page.locator("main").inner_text()
    assert_accessible(lay_page)
    _screenshots(lay_page, "lay-home-waiting")
    with lay_page.expect_navigation():
        lay_page.get_by_role("link", name=re.compile("Wessex PCIE group: Autumn meeting, ")).click()
    assert "The venue is Exeter, not Bristol" in lay_page.locator("main").inner_text()
    assert_accessible(lay_page)
    _screenshots(lay_page, "approve-changes")
    _follow(lay_page, "I approve version 2", role="button")
    assert "the change is now published" in lay_page.content()

    public.reload()
    text = public.locator("main").inner_text()
    assert "We will meet in Exeter." in text and "We will meet in Bristol." not in text
    assert "The venue is Exeter, not Bristol" in text
    assert_accessible(public)
    _screenshots(public, "public-corrected")


def test_the_secretariat_records_apologies_taken_by_phone(page, forum_people):
    meeting = _held_meeting(forum_people["forum"])
    sign_in(page, forum_people["secretary"].email)
    page.wait_for_url("**/")
    page.goto(f"/forums/meetings/{meeting.pk}/attendance/")
    assert "Nobody has sent apologies." in page.locator("main").inner_text()
    _follow(page, "Record apologies for a member")
    assert_accessible(page)
    _follow(page, "Record apologies", role="button")
    assert "Choose the member who sent apologies" in page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Who sent apologies?").select_option(label="Hidden Person (member)")
    page.get_by_label("What they told you (optional)").fill("Phoned the office on Monday")
    _follow(page, "Record apologies", role="button")
    page.wait_for_url(f"**/forums/meetings/{meeting.pk}/attendance/")
    main = page.locator("main").inner_text()
    assert "Apologies from Hidden Person have been recorded" in main
    assert "Apologies from: Hidden Person." in main
    assert_accessible(page)
    _screenshots(page, "attendance-apologies")

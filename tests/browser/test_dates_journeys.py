"""Dates and times in a real browser (Chromium): a saved date is in the day, month and year boxes
when a meeting, a forum action or a partner's link is opened again (the browser's own date picker
showed them empty), saving without a change keeps it, a forum action can be updated, times read
"10am", and a problem is listed at the top of the page before the heading."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from forum.models import Action, Forum, ForumMember, Meeting
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.browser.conftest import assert_accessible, sign_in
from tests.involvement.factories import ActivityFactory
from tests.partners.factories import partner_with_login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LONDON = ZoneInfo("Europe/London")
SAVED = dt.date(2027, 1, 1)


def _boxes(page, question: str) -> list[str]:
    group = page.get_by_role("group", name=question, exact=True)
    return [group.get_by_label(part).input_value() for part in ("Day", "Month", "Year")]


def _save(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


@pytest.fixture
def chair(wessex):
    user = UserFactory(email="chair@wessex.example.org", full_name="Sam Staffchair")
    MembershipFactory(user=user, organisation=wessex, role=Role.STAFF)
    forum = Forum.objects.create(organisation=wessex, name="Wessex PCIE group", slug="wessex-pcie")
    ForumMember.objects.create(forum=forum, user=user, role=ForumMember.Role.STAFF_CO_CHAIR)
    starts = dt.datetime(2027, 1, 1, 10, 0, tzinfo=LONDON)
    meeting = Meeting.objects.create(
        forum=forum,
        title="New year forum",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2, minutes=30),
        format="online",
        joining_link="https://meet.example.org/pcie",
    )
    Action.objects.create(meeting=meeting, description="Collect examples of good practice", due_on=SAVED)
    return user


def test_a_forum_action_opens_with_its_due_date_and_can_be_updated(page, chair):
    action = Action.objects.get()
    sign_in(page, chair.email)
    page.wait_for_url("**/")
    page.goto(f"/forums/actions/{action.pk}/")
    assert_accessible(page)
    assert _boxes(page, "Due date (optional)") == ["1", "1", "2027"]

    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Progress update (optional)").fill("Three examples collected")
    _save(page, "Save action")
    # The form posts to its own page (it used to post to a URL made of the action's words: a 404).
    assert page.locator("h1").count() == 1
    assert "The action has been updated." in page.content()
    action.refresh_from_db()
    assert action.status == "done" and action.due_on == SAVED


def test_a_saved_meeting_opens_with_its_date_and_times_and_keeps_them(page, chair):
    meeting = Meeting.objects.get()
    sign_in(page, chair.email)
    page.wait_for_url("**/")
    page.goto(f"/forums/meetings/{meeting.pk}/")
    assert "Friday 1 January 2027, 10am to 12:30pm (UK time)" in page.locator("main").inner_text()
    page.goto(f"/forums/meetings/{meeting.pk}/edit/")
    assert_accessible(page)
    assert _boxes(page, "Date") == ["1", "1", "2027"]
    assert page.get_by_label("Start time (UK time)").input_value() == "10am"
    assert page.get_by_label("End time (UK time)").input_value() == "12:30pm"

    _save(page, "Save meeting")
    page.wait_for_url(re.compile(r".*/forums/meetings/\d+/$"))
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2027, 1, 1, 10, 0, tzinfo=LONDON)
    assert meeting.ends_at == dt.datetime(2027, 1, 1, 12, 30, tzinfo=LONDON)


def test_a_partner_link_opens_with_its_joining_date_and_keeps_it(page, wessex):
    staff = UserFactory(email="staff@wessex.example.org", full_name="Sal Staff")
    MembershipFactory(user=staff, organisation=wessex, role=Role.STAFF)
    partner = partner_with_login(wessex, full_name="Rosa Martin", email="rosa@example.net")
    link = partner.links.get()
    link.joined_on = dt.date(2024, 3, 1)
    link.save(update_fields=["joined_on"])
    sign_in(page, staff.email)
    page.wait_for_url("**/")
    page.goto(f"/partners/links/{link.pk}/")
    assert_accessible(page)
    assert _boxes(page, "Date they joined") == ["1", "3", "2024"]
    page.get_by_label("Paused", exact=True).check()
    _save(page, "Save")
    link.refresh_from_db()
    assert link.status == "paused" and link.joined_on == dt.date(2024, 3, 1)


def test_a_wrong_date_is_listed_above_the_heading_and_kept_as_typed(page, chair, tmp_path):
    meeting = Meeting.objects.get()
    sign_in(page, chair.email)
    page.wait_for_url("**/")
    page.goto(f"/forums/meetings/{meeting.pk}/actions/add/")
    page.get_by_label("Action", exact=True).fill("Write to the ICB")
    group = page.get_by_role("group", name="Due date (optional)", exact=True)
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill("2027")
    _save(page, "Save action")

    summary = page.locator(".nhsuk-error-summary")
    assert summary.count() == 1
    # Above the h1, as the NHS.UK error summary pattern asks, and it takes the focus.
    assert summary.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    assert summary.evaluate("el => el === document.activeElement || el.contains(document.activeElement)")
    assert summary.inner_text().endswith("Enter a real date, like 27 3 2026")
    assert _boxes(page, "Due date (optional)") == ["31", "2", "2027"]
    assert_accessible(page)
    summary.get_by_role("link", name="Enter a real date, like 27 3 2026").click()
    assert page.evaluate("document.activeElement.id") == "id_due_on_0"
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(tmp_path / f"date-error-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_activity_time_reads_10am(page, wessex):
    lead = UserFactory(email="staff@wessex.example.org", full_name="Sal Staff")
    MembershipFactory(user=lead, organisation=wessex, role=Role.STAFF)
    starts = dt.datetime(2027, 3, 26, 10, 0, tzinfo=LONDON)
    activity = ActivityFactory(
        organisation=wessex, title="Discharge workshop", starts_at=starts, ends_at=starts.replace(hour=12)
    )
    sign_in(page, lead.email)
    page.wait_for_url("**/")
    page.goto(f"/involvement/activities/{activity.pk}/")
    assert "Friday 26 March 2027, 10am to midday" in page.locator("main").inner_text()
    page.goto(f"/involvement/activities/{activity.pk}/edit/")
    assert_accessible(page)
    assert _boxes(page, "Date") == ["26", "3", "2027"]
    assert page.get_by_label("Start time").input_value() == "10am"

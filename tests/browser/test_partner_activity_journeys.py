"""A lay partner's own activity page, their calendar link and the public home page, in a real
browser on a 360 px phone, with axe on every page.

1. A partner opens an activity from their home page and says they are coming.
2. Another partner sends apologies with a reason; the lead is told once and sees it.
3. A signed-out visitor sees the public home page and finds how to register their interest."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Notification
from forum.models import MeetingNotes
from involvement.models import Participation
from tests.browser.conftest import assert_accessible, sign_in
from tests.forum.factories import ForumFactory, MeetingFactory, NotesFactory
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory

# serialized_rollback puts back the reference rows (AHSNs, strategy priorities) the flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def panel(wessex, lead):
    lead.full_name = "Lena Lead"
    lead.save()
    return ActivityFactory(
        organisation=wessex,
        title="Care at home panel",
        starts_at=timezone.now() + timedelta(days=6),
        lead=lead,
        location="Civic Centre, Southampton SO14 7LY",
        joining_details="Ask at reception for room 4. Parking is free.",
        purpose="Help us choose which home monitoring app the NHS in Wessex tries first.",
        what_to_expect="Two hours of talking in a small group, with a break and lunch.",
        support_offered=["booked_travel", "large_print"],
    )


def _screenshots(page, name: str) -> None:
    """For looking at the page as a person would, on a phone and a laptop (no sideways scrolling)."""
    size = page.viewport_size
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/opps-partner-{name}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
    page.set_viewport_size(size)


def test_partner_opens_their_activity_from_home_and_says_they_are_coming(phone, panel):
    partner = LayPartnerFactory(full_name="Priya Shah", access_needs="A quiet room to take breaks")
    mine = ParticipationFactory(activity=panel, partner=partner, role="Panel member")
    sign_in(phone, partner.user.email)
    phone.wait_for_url("**/partners/me/")
    assert_accessible(phone)

    phone.get_by_role("link", name="Care at home panel").click()
    phone.wait_for_url(f"**/involvement/mine/{mine.pk}/")
    assert phone.locator("h1").inner_text() == "Care at home panel"
    main = phone.locator("main").inner_text()
    for text in ("home monitoring app", "Two hours of talking", "Ask at reception", "A quiet room", "Lena Lead"):
        assert text in main, text
    assert_accessible(phone)
    _screenshots(phone, "activity")

    phone.get_by_role("button", name="I'm coming").click()
    phone.wait_for_url(f"**/involvement/mine/{mine.pk}/")
    assert "We have told the team you are coming" in phone.locator("main").inner_text()
    assert phone.get_by_test_id("my-answer").inner_text() == "You are coming"
    assert_accessible(phone)
    mine.refresh_from_db()
    assert mine.response == "coming"

    phone.get_by_role("link", name="Add your activities to your calendar").click()
    phone.wait_for_url("**/calendar/")
    assert_accessible(phone)
    phone.get_by_role("button", name="Make my calendar link").click()
    link = phone.get_by_label("Your private calendar link").input_value()
    assert re.search(r"/calendar/[^/]+\.ics$", link)
    assert_accessible(phone)
    _screenshots(phone, "calendar")


def test_another_partner_sends_apologies_and_the_lead_sees_them(phone, page, panel, lead):
    partner = LayPartnerFactory(full_name="Tom Baker")
    mine = ParticipationFactory(activity=panel, partner=partner)
    sign_in(phone, partner.user.email)
    phone.wait_for_url("**/partners/me/")
    phone.goto("/involvement/mine/")
    assert_accessible(phone)
    phone.get_by_role("link", name="Care at home panel").click()
    phone.wait_for_url(f"**/involvement/mine/{mine.pk}/")
    phone.get_by_label("Reason (optional)").fill("I have a hospital appointment that day")
    phone.get_by_role("button", name="Send apologies").click()
    phone.wait_for_url(f"**/involvement/mine/{mine.pk}/")
    assert "Your apologies have been sent" in phone.locator("main").inner_text()
    assert phone.get_by_test_id("my-answer").inner_text() == "You sent apologies"
    assert_accessible(phone)
    assert Participation.objects.get(pk=mine.pk).response == "apologies"
    assert Notification.objects.filter(user=lead, kind="involvement.participation_apologies").count() == 1

    sign_in(page, lead.email)
    page.goto(f"/involvement/activities/{panel.pk}/")
    table = page.locator("table").first.inner_text()
    assert "Sent apologies" in table and "hospital appointment" in table
    assert_accessible(page)


def test_signed_out_visitor_sees_the_public_home_page(phone):
    forum = ForumFactory(name="Wessex people's forum", is_public=True)
    notes = NotesFactory(
        meeting=MeetingFactory(forum=forum, title="Autumn meeting"), status=MeetingNotes.Status.PUBLISHED
    )
    MeetingNotes.objects.filter(pk=notes.pk).update(published_at=timezone.now())
    phone.goto("/")
    assert phone.locator("h1").inner_text() == "Help shape health innovation"
    assert "Autumn meeting" in phone.locator("main").inner_text()
    assert_accessible(phone)
    _screenshots(phone, "public-home")
    phone.get_by_role("link", name="Register your interest").click()
    phone.wait_for_url("**/partners/join/")
    assert_accessible(phone)

"""Opportunities in a real browser, with axe on every new page: a lead writes and publishes one
with an easy read version; a partner on a 360px phone finds it from their home page, reads it,
says they are interested and updates a support need; the lead chooses two and declines one; the
declined partner reads a kind message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from involvement.models import Participation
from opportunities.models import Interest, InterestStatus, Opportunity, OpportunityState
from tests.browser.conftest import CHROMIUM, assert_accessible, fill_date, sign_in
from tests.involvement.factories import ActivityFactory, LayPartnerFactory
from tests.opportunities.factories import open_opportunity

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Help us improve the heart failure guide"


@pytest.fixture
def narrow_phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _lead_writes_and_publishes(page, lead) -> Opportunity:
    sign_in(page, lead.email)
    page.goto(reverse("core:dashboard"))
    page.get_by_role("region", name="Opportunities with people waiting to hear").get_by_role(
        "link", name="See all opportunities"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="Write an opportunity").click()
    page.get_by_role("button", name="Save").click()  # a mistake first: the error summary
    assert page.locator(".nhsuk-error-summary").is_visible() and page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What is it for, and what will change because of it?").fill(
        "People told us the guide was hard to follow. Together we will rewrite it."
    )
    page.get_by_label("What would people do?").fill("Read the guide and tell us what is confusing.")
    page.get_by_label("Heart guide session").check()
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("By post").check()
    page.get_by_label("How will people be chosen, and when will they hear?").fill(
        "We choose a mix of people, new people first. Everyone hears within two weeks."
    )
    fill_date(page, "Closing date", timezone.localdate() + timedelta(days=10))
    page.get_by_label("Easy read version (optional)").fill("We want to make a guide better. You can help us.")
    page.get_by_label("Open to people who are not lay partners yet (shown on the public page)").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/opportunities/manage/*/")
    assert_accessible(page)
    page.get_by_role("link", name="Preview it as a lay partner sees it").click()
    assert page.get_by_text("This is how lay partners see this opportunity.").is_visible()
    assert page.get_by_role("heading", name="Easy read").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the opportunity").click()
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("The opportunity is open.").is_visible()
    opportunity = Opportunity.objects.get(title=TITLE)
    assert opportunity.state == OpportunityState.OPEN and opportunity.easy_read_text
    return opportunity


def _partner_finds_and_says_interested(phone, partner) -> None:
    sign_in(phone, partner.user.email)
    phone.goto(reverse("partners:home"))
    section = phone.get_by_role("region", name="Opportunities to take part")
    section.get_by_role("link", name=TITLE).click()
    assert phone.locator("h1").inner_text() == TITLE
    assert_accessible(phone)
    phone.screenshot(path="/tmp/opps-core-partner-opportunity-360.png", full_page=True)
    phone.get_by_role("link", name="I'm interested").first.click()
    assert_accessible(phone)
    phone.get_by_text("Tell us why, when you are free, and check your support needs").click()
    needs = phone.get_by_label("Tell us about any access or support needs")
    assert needs.input_value() == "Step-free access"  # pre-filled from their profile
    needs.fill("Step-free access and a quiet room")
    phone.screenshot(path="/tmp/opps-core-partner-interested-360.png", full_page=True)
    phone.get_by_role("button", name="Send: I'm interested").last.click()
    assert phone.get_by_text("We have your interest and your support needs").is_visible()
    assert_accessible(phone)
    phone.goto(reverse("opportunities:list"))
    assert_accessible(phone)
    phone.screenshot(path="/tmp/opps-core-partner-list-360.png", full_page=True)


def _lead_chooses(page, opportunity, chosen, declined) -> None:
    page.goto(reverse("opportunities:interested", args=[opportunity.pk]))
    assert_accessible(page)
    page.screenshot(path="/tmp/opps-core-people-1280.png", full_page=True)
    for partner in chosen:
        page.get_by_label(f"Select {partner.full_name}").check()
    page.get_by_label("Choose them: add them to the activities and tell them what happens next").check()
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Choose these people?"
    assert_accessible(page)
    page.get_by_role("button", name="Yes, tell them").click()
    assert page.get_by_text("2 people chosen").is_visible()
    page.get_by_label(f"Select {declined.full_name}").check()
    page.get_by_label("Decline them with a kind message").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Yes, tell them").click()
    assert page.get_by_text("1 person declined").is_visible()
    assert_accessible(page)


def test_lead_publishes_partner_is_interested_lead_chooses(browser, live_server, page, narrow_phone, lead):
    assert CHROMIUM
    activity = ActivityFactory(title="Heart guide session", starts_at=timezone.now() + timedelta(days=20))
    opportunity = _lead_writes_and_publishes(page, lead)

    partner = LayPartnerFactory(full_name="Pat Phone", access_needs="Step-free access")
    _partner_finds_and_says_interested(narrow_phone, partner)
    partner.refresh_from_db()
    assert partner.access_needs == "Step-free access and a quiet room"

    others = [LayPartnerFactory(full_name=name) for name in ("Sam Second", "Dee Declined")]
    for other in others:
        Interest.objects.create(opportunity=opportunity, partner=other)
    _lead_chooses(page, opportunity, chosen=[partner, others[0]], declined=others[1])
    statuses = dict(Interest.objects.values_list("partner__full_name", "status"))
    assert statuses == {"Pat Phone": "selected", "Sam Second": "selected", "Dee Declined": "declined"}
    assert Participation.objects.filter(activity=activity).count() == 2
    assert Interest.objects.filter(status=InterestStatus.INTERESTED).count() == 0

    # The declined partner reads their message: kind, and it thanks them.
    declined = others[1]
    message = Notification.objects.get(kind="opportunities.declined", partner=declined)
    narrow_phone.context.clear_cookies()
    sign_in(narrow_phone, declined.user.email)
    narrow_phone.goto(reverse("core:notification_detail", args=[message.pk]))
    body = narrow_phone.locator("main").inner_text()
    assert "Thank you for saying you were interested" in body
    assert "not a judgement on you" in body and "We would really like to hear from you again" in body
    assert_accessible(narrow_phone)
    narrow_phone.screenshot(path="/tmp/opps-core-declined-message-360.png", full_page=True)


def test_public_page_and_register_interest(page, live_server):
    opportunity = open_opportunity(title="Everyone welcome here", open_to_new_people=True)
    page.goto(reverse("opportunities:public_list"))
    assert_accessible(page)
    page.get_by_role("link", name="Everyone welcome here", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Register your interest").first.click()
    assert page.get_by_text("You are registering your interest in").is_visible()
    assert_accessible(page)
    assert str(opportunity.pk) in page.url

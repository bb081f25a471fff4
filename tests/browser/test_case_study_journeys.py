"""Case studies in a real browser, with axe on every page: a lead writes one from an outcome with a
lay partner's quote, the partner agrees, the lead shares it, and a Yorkshire lead finds it by
searching the network's library. The public page and a published case study pass axe too."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from evidence.models import CaseStudy, CaseStudyState
from involvement import services
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.browser.conftest import assert_accessible, assert_reflows, sign_in
from tests.evidence.factories import CaseStudyFactory
from tests.involvement.factories import ActivityFactory, LayPartnerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_case_study_with_a_quote_is_agreed_shared_and_found_by_another_ahsn(page, lead, outsider, wessex):
    partner = LayPartnerFactory(full_name="Alice Moreno", user__email="alice@example.net")
    start = timezone.now() - timedelta(days=7)
    activity = ActivityFactory(
        organisation=wessex,
        title="Discharge letter workshop",
        level="co_production",
        seldom_heard_groups=["carers"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    taking_part = services.participation_add(actor=lead, activity=activity, partner=partner, expected_hours=Decimal(2))
    services.attendance_record(actor=lead, activity=activity, rows=[(taking_part, True, Decimal("2"))])
    outcome = services.outcome_record(
        actor=lead,
        activity=activity,
        what_we_heard="The discharge letter was full of jargon.",
        what_we_did="We rewrote it with the panel.",
        status="changed",
        decided_on=timezone.localdate(),
    )

    sign_in(page, lead.email, totp_secret=TEST_TOTP_SECRET)
    page.goto(f"/involvement/outcomes/{outcome.pk}/")
    page.get_by_role("link", name="Write a case study from this outcome").click()
    page.wait_for_url(f"**/evidence/case-studies/new/from-outcome/{outcome.pk}/")
    assert_accessible(page)
    page.get_by_label("Title").fill("Plain English discharge letters")
    page.get_by_role("button", name="Save case study").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("What was the challenge?").fill("People went home not knowing who to call.")
    page.get_by_label("Who was involved, and how?").fill("Carers on our panel rewrote the letter with ward staff.")
    page.get_by_label("What changed?").fill("Every ward now sends the plain English letter.")
    page.get_by_role("button", name="Save case study").click()
    page.wait_for_url(re.compile(r"/evidence/case-studies/\d+/$"))
    assert page.get_by_text("Co-production").is_visible()  # the figures came from the portal
    assert_accessible(page)
    case_study = CaseStudy.objects.get()

    page.get_by_role("link", name="Add a quote").click()
    page.wait_for_url("**/quotes/new/")
    assert_accessible(page)
    page.get_by_label("Who said it?").select_option(label="Alice Moreno")
    page.get_by_label("What they said").fill("For the first time the letter made sense to me.")
    page.get_by_role("button", name="Add quote and ask them").click()
    page.wait_for_url(re.compile(r"/evidence/case-studies/\d+/$"))
    assert page.get_by_text("Waiting for their answer").is_visible()
    assert_accessible(page)

    # Alice agrees, without her name.
    page.context.clear_cookies()
    sign_in(page, "alice@example.net")
    page.goto("/partners/me/")
    page.get_by_role("link", name=re.compile("Plain English discharge letters")).click()
    page.wait_for_url("**/evidence/mine/quotes/*/")
    assert_accessible(page)
    page.get_by_label("Yes, without my name").check()
    page.get_by_role("button", name="Send my answer").click()
    assert page.get_by_text("Thank you. We may now use your words.").is_visible()
    assert_accessible(page)

    # The lead shares it with the network.
    page.context.clear_cookies()
    sign_in(page, lead.email, totp_secret=TEST_TOTP_SECRET)
    page.goto(f"/evidence/case-studies/{case_study.pk}/")
    assert page.get_by_text("Agreed").first.is_visible()
    page.get_by_role("link", name="Share with the network").click()
    page.wait_for_url("**/share/")
    assert_accessible(page)
    page.get_by_role("button", name="Share it").click()
    page.wait_for_url(re.compile(r"/evidence/case-studies/\d+/$"))
    assert page.locator(".nhsuk-tag", has_text="Shared with the network").is_visible()
    case_study.refresh_from_db()
    assert case_study.state == CaseStudyState.SHARED

    # A Yorkshire lead finds it by searching the library.
    page.context.clear_cookies()
    sign_in(page, outsider.email, totp_secret=TEST_TOTP_SECRET)
    page.goto("/evidence/library/")
    assert_accessible(page)
    page.get_by_label("Seldom-heard group").select_option(label="Unpaid carers")
    page.get_by_label("Level").select_option(label="Co-production")
    page.get_by_role("button", name="Search").click()
    assert (
        page.get_by_text("1 found").is_visible()
        or page.get_by_role("link", name="Plain English discharge letters").is_visible()
    )
    assert_accessible(page)
    assert_reflows(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path="/tmp/evidence-library-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Plain English discharge letters").click()
    page.wait_for_url(re.compile(r"/evidence/case-studies/\d+/$"))
    assert page.get_by_text("For the first time the letter made sense to me.").is_visible()
    assert page.get_by_text("A lay partner").is_visible()
    assert page.get_by_role("link", name="Change the text").count() == 0
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path="/tmp/evidence-case-study-360.png", full_page=True)


def test_the_public_page_and_a_published_case_study_pass_axe(page, wessex):
    published = CaseStudyFactory(title="Easier discharge", state=CaseStudyState.PUBLISHED, published_at=timezone.now())
    page.goto("/evidence/public/wessex/")
    assert page.locator("h1").inner_text() == "What changed because people took part"
    assert_accessible(page)
    assert_reflows(page)
    page.get_by_role("link", name="Easier discharge").click()
    page.wait_for_url(f"**/evidence/public/wessex/case-studies/{published.pk}/")
    assert_accessible(page)
    assert_reflows(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path="/tmp/evidence-public-case-study-360.png", full_page=True)

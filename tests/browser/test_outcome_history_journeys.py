"""Outcomes over time, in a real browser with axe on every page visited: a lead records an
outcome's progress twice and a lay partner who took part sees the timeline."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import Notification
from involvement import services
from involvement.models import OutcomeStatusChange
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.browser.conftest import assert_accessible, assert_reflows, fill_date, sign_in
from tests.involvement.factories import ActivityFactory, LayPartnerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_lead_records_progress_twice_and_a_participant_sees_the_timeline(page, lead, wessex):
    partner = LayPartnerFactory(full_name="Alice Moreno", user__email="alice@example.net")
    activity = ActivityFactory(organisation=wessex, title="Discharge letter workshop")
    taking_part = services.participation_add(actor=lead, activity=activity, partner=partner, expected_hours=Decimal(2))
    services.attendance_record(actor=lead, activity=activity, rows=[(taking_part, True, Decimal("2"))])
    outcome = services.outcome_record(
        actor=lead,
        activity=activity,
        what_we_heard="The discharge letter was full of jargon.",
        what_we_did="We are rewriting it with the panel.",
        status="considered",
        decided_on=timezone.localdate() - timedelta(days=30),
    )

    sign_in(page, lead.email, totp_secret=TEST_TOTP_SECRET)
    page.goto(f"/involvement/activities/{activity.pk}/")
    page.get_by_role("link", name=re.compile("^How this has moved on")).click()
    page.wait_for_url(f"**/involvement/outcomes/{outcome.pk}/")
    assert page.locator("h1").inner_text() == "You said, we did"
    assert_accessible(page)

    # First step, with a mistake first: no note.
    page.get_by_role("link", name="Record progress").click()
    page.wait_for_url("**/progress/")
    assert_accessible(page)
    page.get_by_label("In progress", exact=True).check()
    fill_date(page, "When did it change?", timezone.localdate() - timedelta(days=10))
    page.get_by_role("button", name="Record progress").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("What happened").fill("A plain English draft is with the panel.")
    page.get_by_role("button", name="Record progress").click()
    page.wait_for_url(f"**/involvement/outcomes/{outcome.pk}/")
    assert page.get_by_text("The progress has been recorded").is_visible()

    # Second step, with a link to the evidence.
    page.get_by_role("link", name="Record progress").click()
    page.wait_for_url("**/progress/")
    page.get_by_label("Changed", exact=True).check()
    fill_date(page, "When did it change?", timezone.localdate())
    page.get_by_label("What happened").fill("The new letter is in use on every ward.")
    page.get_by_label("Link to evidence (optional)").fill("https://example.nhs.uk/letter")
    page.get_by_role("button", name="Record progress").click()
    page.wait_for_url(f"**/involvement/outcomes/{outcome.pk}/")
    timeline = page.get_by_role("list", name="The outcome's history, oldest first")
    assert timeline.locator(":scope > li").count() == 3
    assert page.locator(".nhsuk-tag", has_text="Changed").is_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/evidence-outcome-staff-1280.png", full_page=True)
    assert OutcomeStatusChange.objects.filter(outcome=outcome).count() == 3
    assert Notification.objects.filter(kind="involvement.outcome_progress", partner=partner).count() == 2

    # The partner who took part follows the link in their message and sees the same steps.
    page.context.clear_cookies()
    sign_in(page, "alice@example.net")
    page.goto("/involvement/mine/outcomes/")
    page.get_by_role("link", name=re.compile("^How this has moved on")).click()
    page.wait_for_url(f"**/involvement/mine/outcomes/{outcome.pk}/")
    assert page.get_by_text("A plain English draft is with the panel.").is_visible()
    assert page.get_by_text("The new letter is in use on every ward.").is_visible()
    assert page.get_by_role("link", name=re.compile("See the evidence")).is_visible()
    assert "Recorded by" not in page.content()
    assert_accessible(page)
    assert_reflows(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path="/tmp/evidence-outcome-partner-360.png", full_page=True)

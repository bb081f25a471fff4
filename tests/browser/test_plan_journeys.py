"""The involvement plan in a real browser, with axe on every page: a lead adds a line to a
programme's plan (after a mistake), sees it against what was logged on the programme page,
changes it and removes it."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from core.formatting import UK_TIME
from core.quarters import FinancialQuarter
from programmes.models import PlannedInvolvement
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.browser.conftest import assert_accessible, sign_in
from tests.involvement.factories import ActivityFactory
from tests.programmes.factories import PlannedInvolvementFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_lead_plans_involvement_and_sees_it_against_delivery(page, lead, wessex):
    programme = ProgrammeFactory(
        organisation=wessex,
        name="Digital front door",
        involvement_plan="Young people and parents shape the service from the first screens.",
    )
    last_year = FinancialQuarter.current() - 4
    PlannedInvolvementFactory(programme=programme, quarter=last_year, level="co_production", stage="design")
    ActivityFactory(
        organisation=wessex,
        programme=programme,
        title="Parents' focus group",
        stage="design",
        level="consultation",
        starts_at=datetime.combine(last_year.start, time(10), tzinfo=UK_TIME),
    )

    sign_in(page, lead.email, totp_secret=TEST_TOTP_SECRET)
    page.goto(f"/programmes/{programme.pk}/")
    plan_table = page.get_by_role("table", name="Planned involvement against what was logged")
    assert "Done differently" in plan_table.inner_text()
    page.get_by_role("link", name="Change the involvement plan").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/plan/")
    assert page.locator("h1").inner_text() == "Involvement plan"
    assert_accessible(page)
    page.screenshot(path="/tmp/plans-plan-1280.png", full_page=True)

    page.get_by_role("link", name="Add planned involvement").click()
    page.wait_for_url("**/plan/new/")
    assert_accessible(page)
    page.get_by_label("Co-production").check()
    page.get_by_role("button", name="Save to the plan").click()  # no quarter chosen
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Roughly when?").select_option(FinancialQuarter.current().next.slug)
    page.get_by_label("Unpaid carers").check()
    page.get_by_label("Short description").fill("Carers co-produce the welcome screens")
    page.get_by_role("button", name="Save to the plan").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/plan/")
    assert page.get_by_text("The planned involvement has been added").is_visible()
    assert "Not started" in page.get_by_role("table").inner_text()
    line = PlannedInvolvement.objects.get(description="Carers co-produce the welcome screens")
    assert line.seldom_heard_groups == ["carers"]

    page.get_by_role("link", name=f"Change the line planned by {line.quarter.months_label}").click()
    assert_accessible(page)
    page.get_by_label("Co-design").check()
    page.get_by_role("button", name="Save to the plan").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/plan/")
    line.refresh_from_db()
    assert line.level == "co_design"

    page.get_by_role("link", name=f"Remove the line planned by {line.quarter.months_label}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove from the plan").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/plan/")
    assert not PlannedInvolvement.objects.filter(pk=line.pk).exists()

    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"/programmes/{programme.pk}/")
    page.screenshot(path="/tmp/plans-programme-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/programmes/{programme.pk}/")
    assert_accessible(page)
    page.screenshot(path="/tmp/plans-programme-1280.png", full_page=True)

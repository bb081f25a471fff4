"""Pages about records over time, in a real browser with axe: a lay partner reads everything we
hold about them (and on a 320px screen); staff give a programme its dates and close it; a
receipt whose file is missing gets a page, not an error."""

from __future__ import annotations

import re
from datetime import date

import pytest

from programmes.models import Programme
from tests.browser.conftest import assert_accessible, sign_in
from tests.partners.factories import partner_with_login
from tests.partners.test_subject_access_and_leaving import _history
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = "/tmp/history"


def _no_sideways_scrolling(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.wait_for_function(f"window.innerWidth === {width}")
    wide = page.evaluate(
        f"""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > {width})
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide


def _fill_date(page, name: str, day: date) -> None:
    """Type a date into the NHS.UK day, month and year boxes of the form's date field."""
    for box, value in enumerate((day.day, day.month, day.year)):
        page.locator(f"#id_{name}_{box}").fill(str(value))


def test_a_partner_reads_everything_we_hold_about_them(page, wessex):
    partner = partner_with_login(wessex, full_name="Rosa Martin", email="rosa@example.net")
    made = _history(partner, wessex, activities=2)
    sign_in(page, "rosa@example.net")
    page.goto("/partners/me/my-information/")
    assert page.locator("h1").inner_text() == "Everything we hold about you"
    assert page.get_by_role("heading", name=f"Claim {made['draft'].reference}: draft").is_visible()
    assert page.get_by_text("IMG_2041.JPG, added").is_visible()
    assert page.get_by_role("heading", name="Messages we sent you").is_visible()
    assert page.get_by_role("heading", name="What the portal recorded about your record").is_visible()
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/my-information-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=f"{SCREENSHOTS}/my-information-360.png", full_page=True)
    _no_sideways_scrolling(page, 320)
    assert_accessible(page)


def test_staff_close_a_programme_on_the_day_it_closed(page, staff, wessex):
    programme = ProgrammeFactory(organisation=wessex, name="Falls prevention")
    sign_in(page, staff.email)
    page.goto(f"/programmes/{programme.pk}/edit/")
    _fill_date(page, "start_on", date(2025, 4, 7))
    page.get_by_label("Closed", exact=True).check()
    page.get_by_role("button", name="Save programme").click()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Enter the date the programme closed" in summary.inner_text()
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/programme-closed-error-1280.png", full_page=True)
    summary.get_by_role("link", name="Enter the date the programme closed").click()
    assert page.evaluate("document.activeElement.id").startswith("id_closed_on")
    _fill_date(page, "closed_on", date(2026, 6, 30))
    page.get_by_role("button", name="Save programme").click()
    page.wait_for_url(re.compile(rf"/programmes/{programme.pk}/$"))
    assert page.get_by_text("30 June 2026").is_visible()
    assert page.get_by_text("7 April 2025").is_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"/programmes/{programme.pk}/edit/")
    page.screenshot(path=f"{SCREENSHOTS}/programme-form-360.png", full_page=True)
    _no_sideways_scrolling(page, 320)
    programme.refresh_from_db()
    assert (programme.status, str(programme.closed_on)) == ("closed", "2026-06-30")
    assert Programme.objects.count() == 1


def test_a_missing_receipt_file_gets_a_page_that_says_what_to_do(page, wessex):
    partner = partner_with_login(wessex, full_name="Rosa Martin", email="rosa@example.net")
    made = _history(partner, wessex)
    receipt = made["line"].receipts.get()
    receipt.file.storage.delete(receipt.file.name)
    sign_in(page, "rosa@example.net")
    response = page.goto(f"/payments/receipts/{receipt.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "We cannot find this receipt"
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=f"{SCREENSHOTS}/receipt-missing-360.png", full_page=True)
    _no_sideways_scrolling(page, 320)

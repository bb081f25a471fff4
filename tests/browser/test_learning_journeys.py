"""Learning and development: a lead adds an upcoming session for lay partners, a partner asks to
take part from their learning page, the lead accepts, and the partner sees their place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from evidence.models import SessionAttendance
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.browser.conftest import assert_accessible, fill_date, sign_in
from tests.evidence.factories import DevelopmentSessionFactory, SessionAttendanceFactory
from tests.involvement.factories import LayPartnerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_partner_asks_to_join_a_session_and_the_lead_accepts(page, browser, live_server, lead, wessex):
    partner = LayPartnerFactory(full_name="Alice Moreno", user__email="alice@example.net")
    held = DevelopmentSessionFactory(
        title="Chairing a meeting well", kind="training", date=timezone.localdate() - timedelta(days=30)
    )
    SessionAttendanceFactory(session=held, partner=partner)

    sign_in(page, lead.email, totp_secret=TEST_TOTP_SECRET)
    page.goto("/evidence/learning/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label("Title").fill("Mentoring for new panel members")
    page.get_by_label("Mentoring").check()
    fill_date(page, "Date", timezone.localdate() + timedelta(days=21))
    page.get_by_label("Lay partners", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save session").click()
    page.get_by_role("heading", level=1, name="Mentoring for new panel members").wait_for()
    assert_accessible(page)
    # Alice in her own window: the lead stays signed in in theirs (an authenticator code works once).
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    alice = context.new_page()
    sign_in(alice, "alice@example.net")
    alice.goto("/involvement/mine/")
    alice.get_by_role("link", name="Your learning and development").click()
    alice.get_by_role("heading", level=1, name="Your learning and development").wait_for()
    assert alice.get_by_role("cell", name="Chairing a meeting well").is_visible()
    assert_accessible(alice)
    alice.screenshot(path="/tmp/learning-my-learning-1280.png", full_page=True)
    alice.set_viewport_size({"width": 360, "height": 800})
    alice.screenshot(path="/tmp/learning-my-learning-360.png", full_page=True)
    alice.set_viewport_size({"width": 1280, "height": 900})
    alice.get_by_role("button", name="Ask to take part in Mentoring for new panel members").click()
    assert alice.get_by_text("You have asked", exact=True).is_visible()
    assert_accessible(alice)

    page.goto("/evidence/learning/")
    page.get_by_role("link", name="Mentoring for new panel members").click()
    page.get_by_role("button", name="Accept Alice Moreno").click()
    assert page.get_by_text("Alice Moreno has a place. We have told them.").is_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/learning-session-detail-1280.png", full_page=True)
    page.get_by_role("link", name="Record who took part").click()
    page.get_by_role("heading", level=1, name="Record who took part").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Remove Alice Moreno").click()
    page.get_by_role("heading", level=1, name="Remove Alice Moreno?").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Keep them").click()
    assert SessionAttendance.objects.filter(partner=partner, session__title__startswith="Mentoring").exists()

    alice.goto("/evidence/mine/learning/")
    assert alice.get_by_text("You have a place", exact=True).is_visible()
    context.close()

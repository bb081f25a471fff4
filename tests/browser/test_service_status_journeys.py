"""A network admin checks the service from the navigation: every part answering, the work waiting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.accounts.factories import TEST_TOTP_SECRET, MembershipFactory, UserFactory
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_network_admin_opens_the_service_status_from_the_navigation(page, network) -> None:
    admin = UserFactory(email="ops@network.example.org")
    MembershipFactory(user=admin, organisation=network, role=Role.NETWORK_ADMIN)
    sign_in(page, admin.email, totp_secret=TEST_TOTP_SECRET)
    url = reverse("core:service_status")
    # In the header's navigation (which may fold it under "More" at this width).
    assert page.locator(f'header a[href="{url}"]').count() >= 1
    page.goto(url)
    assert page.locator("h1").inner_text() == "Service status"
    assert page.locator(".nhsuk-tag", has_text="Working").count() == 3, page.locator("dl").first.inner_text()
    assert page.get_by_text("Tasks waiting for a worker").is_visible()
    assert page.get_by_text("None waiting").is_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/storage-service-status-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    assert_accessible(page)
    page.screenshot(path="/tmp/storage-service-status-360.png", full_page=True)

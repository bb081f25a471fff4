"""A big activity in a real browser: its people fifty a page with their counts, the next page one
click away, and attendance recorded for the people on the page shown. axe on each page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from involvement.models import Participation
from partners.models import LayPartner, PartnerLink
from tests.browser.conftest import assert_accessible, assert_reflows, sign_in
from tests.involvement.factories import ActivityFactory

# serialized_rollback puts back the reference rows (AHSNs, strategy priorities) the flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_staff_page_through_a_big_activity_and_record_attendance_for_the_second_page(page, staff, wessex):
    activity = ActivityFactory(organisation=wessex, title="Network-wide survey panel")
    partners = LayPartner.objects.bulk_create(
        [LayPartner(full_name=f"Panel member {i:02d}", reference=f"LP-BR{i:05d}") for i in range(60)]
    )
    PartnerLink.objects.bulk_create(
        [PartnerLink(partner=p, organisation=wessex, joined_on=timezone.localdate()) for p in partners]
    )
    Participation.objects.bulk_create(
        [Participation(activity=activity, partner=p, expected_hours=Decimal("2")) for p in partners]
    )
    sign_in(page, staff.email)
    page.goto(reverse("involvement:activity_detail", args=[activity.pk]))
    assert page.get_by_text("60 lay partners: 60 not recorded yet.").is_visible()
    assert page.get_by_role("link", name="Panel member 49", exact=True).is_visible()
    assert page.get_by_role("link", name="Panel member 50", exact=True).count() == 0
    assert_accessible(page)
    assert_reflows(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path="/tmp/scale-activity-page-360.png", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/scale-activity-page-1280.png", full_page=False)

    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**?page=2")
    assert page.get_by_role("link", name="Panel member 50", exact=True).is_visible()
    assert_accessible(page)

    page.goto(reverse("involvement:attendance", args=[activity.pk]) + "?page=2")
    assert page.get_by_text("This page shows 51 to 60: saving records the people on this page.").is_visible()
    assert_accessible(page)
    assert_reflows(page)
    for p in partners[50:]:
        page.locator(f"#id_p{Participation.objects.get(activity=activity, partner=p).pk}-attended_0").check()
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_url(f"**/activities/{activity.pk}/")
    assert page.get_by_text("Attendance saved. The activity is now completed.").is_visible()
    assert page.get_by_text("60 lay partners: 10 attended, 50 not recorded yet.").is_visible()
    # Fifty still to record: attendance stays the main step.
    assert page.locator(
        ".nhsuk-button-group .nhsuk-button:not(.nhsuk-button--secondary)"
    ).first.inner_text().strip() == ("Record attendance")
    assert Participation.objects.filter(activity=activity, attended=True).count() == 10

"""The staff activity page follows the activity's state: the message after attendance, the one
main button (what to do next) and "Mark as completed" whenever completing is allowed."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from involvement import services
from involvement.models import ActivityStatus
from tests.involvement.factories import ActivityFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def _buttons(html: str) -> tuple[str | None, list[str]]:
    """The main (green) button and the secondary buttons in the page's button group."""
    group = re.search(r'<div class="nhsuk-button-group">(.*?)</div>', html, re.S)
    if group is None:
        return None, []
    found = re.findall(r'<(?:a|button) class="(nhsuk-button[^"]*)"[^>]*>([^<]+)</(?:a|button)>', group.group(1))
    main = [text for cls, text in found if cls == "nhsuk-button"]
    assert len(main) <= 1, f"more than one main button: {main}"
    return (main[0] if main else None), [text for cls, text in found if cls != "nhsuk-button"]


def _page(client, activity) -> str:
    return client.get(reverse("involvement:activity_detail", args=[activity.pk])).content.decode()


def test_after_attendance_the_page_says_the_activity_is_completed_and_offers_an_outcome(staff_client, activity):
    came, missed = ParticipationFactory.create_batch(2, activity=activity)
    response = staff_client.post(
        reverse("involvement:attendance", args=[activity.pk]),
        {
            f"p{came.pk}-participation": came.pk,
            f"p{came.pk}-attended": "yes",
            f"p{came.pk}-hours": "2",
            f"p{missed.pk}-participation": missed.pk,
            f"p{missed.pk}-attended": "no",
            f"p{missed.pk}-hours": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Attendance saved. The activity is now completed." in html
    main, others = _buttons(html)
    assert main == "Record an outcome"
    assert "Mark as completed" not in others, "a completed activity cannot be completed again"
    assert "Add lay partners" in others


def test_saving_attendance_again_does_not_say_the_activity_has_just_completed(staff_client, activity, staff):
    p = ParticipationFactory(activity=activity)
    services.attendance_record(actor=staff, activity=activity, rows=[(p, True, Decimal("1"))])
    response = staff_client.post(
        reverse("involvement:attendance", args=[activity.pk]),
        {f"p{p.pk}-participation": p.pk, f"p{p.pk}-attended": "yes", f"p{p.pk}-hours": "2"},
        follow=True,
    )
    html = response.content.decode()
    assert "Attendance saved." in html
    assert "is now completed" not in html


def test_mark_as_completed_stays_once_partners_are_added(staff_client, activity):
    ParticipationFactory(activity=activity)
    main, others = _buttons(_page(staff_client, activity))
    assert main == "Record attendance"
    assert "Mark as completed" in others
    response = staff_client.post(reverse("involvement:activity_complete", args=[activity.pk]), follow=True)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.COMPLETED
    assert "The activity is marked as completed." in response.content.decode()


def test_a_started_activity_with_nobody_named_can_be_completed(staff_client, activity):
    main, others = _buttons(_page(staff_client, activity))
    assert main == "Add lay partners"
    assert "Mark as completed" in others
    assert "Record attendance" not in others, "there is nobody to record"


def test_before_it_starts_the_only_step_is_adding_people(staff_client, wessex):
    start = timezone.now() + timedelta(days=5)
    activity = ActivityFactory(organisation=wessex, starts_at=start, ends_at=start + timedelta(hours=2))
    ParticipationFactory(activity=activity)
    html = _page(staff_client, activity)
    assert _buttons(html) == ("Add lay partners", [])
    assert "Cancel this activity" in html


def test_someone_added_after_attendance_makes_attendance_the_next_step(staff_client, activity, staff):
    first = ParticipationFactory(activity=activity)
    services.attendance_record(actor=staff, activity=activity, rows=[(first, True, Decimal("1"))])
    ParticipationFactory(activity=activity)
    main, others = _buttons(_page(staff_client, activity))
    assert main == "Record attendance"
    assert "Record an outcome" in others


def test_a_cancelled_activity_offers_no_steps(staff_client, activity, staff):
    services.activity_cancel(actor=staff, activity=activity, reason="Snow")
    html = _page(staff_client, activity)
    assert _buttons(html) == (None, [])
    assert "Change the details" not in html
    assert "Cancel this activity" not in html


def test_read_only_staff_see_no_steps(client, finance, activity):
    client.force_login(finance)
    ParticipationFactory(activity=activity)
    assert _buttons(_page(client, activity)) == (None, [])


@pytest.mark.parametrize("when", ["cancelled", "future"])
def test_the_attendance_page_and_the_service_give_the_same_reason(staff_client, staff, wessex, when):
    start = timezone.now() + (timedelta(days=3) if when == "future" else -timedelta(days=1))
    activity = ActivityFactory(organisation=wessex, starts_at=start, ends_at=start + timedelta(hours=1))
    p = ParticipationFactory(activity=activity)
    if when == "cancelled":
        services.activity_cancel(actor=staff, activity=activity, reason="Snow")
        activity.refresh_from_db()
    page = staff_client.get(reverse("involvement:attendance", args=[activity.pk])).content.decode()
    with pytest.raises(services.InvolvementError) as refused:
        services.attendance_record(actor=staff, activity=activity, rows=[(p, True, Decimal("1"))])
    assert str(refused.value) in page

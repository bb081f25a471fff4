"""A programme's start and closed dates: entered on the form, checked, shown, and filled in for
programmes that existed before the dates were recorded."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from programmes.models import Programme
from tests.programmes.factories import ProgrammeFactory
from tests.programmes.test_views import _programme_post

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def programme(wessex):
    return ProgrammeFactory(organisation=wessex, name="Digital front door", start_on=date(2025, 4, 7))


def _edit(client, programme, **changes):
    return client.post(
        reverse("programmes:programme_edit", args=[programme.pk]),
        _programme_post(name=programme.name, start_on=programme.start_on.isoformat(), **changes),
    )


def test_a_new_programme_starts_on_the_date_given_and_the_page_shows_it(staff_client, wessex):
    form = staff_client.get(reverse("programmes:programme_create"))
    assert form.context["form"]["start_on"].value() == timezone.localdate()  # today unless changed
    response = staff_client.post(
        reverse("programmes:programme_create"), _programme_post(organisation=wessex.pk, start_on="2024-11-04")
    )
    assert response.status_code == 302
    programme = Programme.objects.get(name="Falls prevention")
    assert programme.start_on == date(2024, 11, 4)
    assert programme.closed_on is None
    page = staff_client.get(response["Location"]).content.decode()
    assert "Started</dt>" in page and "4 November 2024" in page
    assert "Closed</dt>" not in page


def test_closing_a_programme_needs_the_date_it_closed(staff_client, programme):
    response = _edit(staff_client, programme, status="closed")
    assert response.status_code == 200
    assert response.context["form"].errors["closed_on"] == ["Enter the date the programme closed"]
    assert 'href="#id_closed_on_0"' in response.content.decode()  # the error summary links to the field
    programme.refresh_from_db()
    assert programme.status == "active"

    response = _edit(staff_client, programme, status="closed", closed_on="2026-06-30")
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.status, programme.closed_on) == ("closed", date(2026, 6, 30))
    entry = AuditEntry.objects.filter(action="programmes.programme.updated").latest("id")
    assert (entry.data["changed"]["status"], entry.data["changed"]["closed_on"]) == ("closed", "2026-06-30")
    page = staff_client.get(reverse("programmes:programme_detail", args=[programme.pk])).content.decode()
    assert "30 June 2026" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"status": "closed", "closed_on": "2025-04-06"},
            "The closed date must be the same as or after the start date",
        ),
        ({"status": "active", "closed_on": "2026-06-30"}, "Only a closed programme has a closed date"),
        ({"status": "closed", "closed_on": "2099-01-01"}, "The closed date must be today or in the past"),
        ({"start_on": ""}, "Enter the date the programme started"),
    ],
)
def test_dates_that_do_not_make_sense_are_refused(staff_client, programme, changes, message):
    data = _programme_post(name=programme.name, start_on=programme.start_on.isoformat())
    data.update(changes)
    response = staff_client.post(reverse("programmes:programme_edit", args=[programme.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    programme.refresh_from_db()
    assert (programme.status, programme.closed_on) == ("active", None)


def test_existing_programmes_get_dates_from_their_activities_and_records(wessex):
    """The data migration: start on the earlier of the day entered and the first activity; a
    closed programme closes when its last activity ended, or else when it was last changed."""
    executor = MigrationExecutor(connection)
    before = [("programmes", "0002_strategy_priorities_2021_23")]
    after = [("programmes", "0003_programme_start_and_closed_dates")]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor.migrate(before)
    old = executor.loader.project_state([*before, ("involvement", "0003_activity_filter_indexes_with_order")]).apps
    OldProgramme = old.get_model("programmes", "Programme")
    OldActivity = old.get_model("involvement", "Activity")

    def at(day: date) -> datetime:
        return datetime.combine(day, time(23, 30), tzinfo=LONDON)  # late evening: UK date, not UTC

    def programme(name: str, status: str, entered: date, changed: date) -> int:
        pk = OldProgramme.objects.create(
            organisation_id=wessex.pk, name=name, programme_type="local", innovation_stage="design", status=status
        ).pk
        OldProgramme.objects.filter(pk=pk).update(created_at=at(entered), updated_at=at(changed))
        return int(pk)

    def activity(programme_id: int, day: date) -> None:
        OldActivity.objects.create(
            organisation_id=wessex.pk,
            programme_id=programme_id,
            title="Workshop",
            starts_at=at(day) - timedelta(hours=2),
            ends_at=at(day),
            format="online",
            method="workshop",
            level="co_design",
        )

    entered_late = programme("Entered late", "active", date(2026, 5, 1), date(2026, 5, 2))
    activity(entered_late, date(2025, 6, 30))
    activity(entered_late, date(2026, 2, 3))
    closed_with_activities = programme("Closed, had activities", "closed", date(2025, 1, 6), date(2026, 11, 1))
    activity(closed_with_activities, date(2025, 3, 3))
    activity(closed_with_activities, date(2026, 1, 20))
    closed_without = programme("Closed, no activities", "closed", date(2025, 2, 3), date(2025, 12, 19))
    no_activities = programme("Entered, nothing yet", "paused", date(2026, 9, 9), date(2026, 9, 10))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    executor.loader.build_graph()
    executor.migrate(after)

    dates = dict(Programme.objects.filter(organisation=wessex).values_list("pk", "start_on").order_by())
    closed = dict(Programme.objects.filter(organisation=wessex).values_list("pk", "closed_on").order_by())
    assert (dates[entered_late], closed[entered_late]) == (date(2025, 6, 30), None)
    assert (dates[closed_with_activities], closed[closed_with_activities]) == (date(2025, 1, 6), date(2026, 1, 20))
    assert (dates[closed_without], closed[closed_without]) == (date(2025, 2, 3), date(2025, 12, 19))
    assert (dates[no_activities], closed[no_activities]) == (date(2026, 9, 9), None)
    # Filling in dates is not a change anyone made.
    assert Programme.objects.get(pk=entered_late).updated_at.astimezone(LONDON).date() == date(2026, 5, 2)

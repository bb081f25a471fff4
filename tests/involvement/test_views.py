from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Notification
from involvement import services
from involvement.models import Activity, ActivityStatus, Feedback, Outcome, Participation
from programmes.models import StrategyPriority
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(finance):
    return client_for(finance)


# ------------------------------------------------------------------ who may do what

READ_PAGES = ["involvement:activity_detail"]
WRITE_PAGES = [
    "involvement:activity_edit",
    "involvement:activity_duplicate",
    "involvement:activity_cancel",
    "involvement:participants_add",
    "involvement:attendance",
    "involvement:outcome_create",
]


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_staff_at_the_ahsn_can_open_every_activity_page(staff_client, activity, name):
    assert staff_client.get(reverse(name, args=[activity.pk])).status_code == 200


@pytest.mark.parametrize("name", READ_PAGES)
def test_finance_can_read_an_activity(finance_client, activity, name):
    response = finance_client.get(reverse(name, args=[activity.pk]))
    assert response.status_code == 200
    assert b"Add lay partners" not in response.content


@pytest.mark.parametrize("name", [*WRITE_PAGES, "involvement:activity_complete"])
def test_finance_cannot_change_an_activity(finance_client, activity, name):
    url = reverse(name, args=[activity.pk])
    assert finance_client.post(url, {}).status_code == 403
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


@pytest.mark.parametrize("name", [*READ_PAGES, *WRITE_PAGES, "involvement:activity_complete"])
def test_another_ahsn_cannot_see_an_activity(outsider_client, activity, name):
    if name != "involvement:activity_complete":  # a button, not a page
        assert outsider_client.get(reverse(name, args=[activity.pk])).status_code == 404
    assert outsider_client.post(reverse(name, args=[activity.pk]), {}).status_code == 404


def test_the_activity_list_shows_only_your_ahsn(staff_client, outsider_client, finance_client, activity):
    assert activity.title in staff_client.get(reverse("involvement:activity_list")).content.decode()
    assert activity.title in finance_client.get(reverse("involvement:activity_list")).content.decode()
    response = outsider_client.get(reverse("involvement:activity_list"))
    assert response.status_code == 200
    assert activity.title not in response.content.decode()
    assert activity.title not in outsider_client.get(reverse("involvement:activity_export")).getvalue().decode()


def test_finance_cannot_log_an_activity(finance_client):
    assert finance_client.get(reverse("involvement:activity_create")).status_code == 403


def test_a_lay_partner_without_staff_role_cannot_see_staff_pages(partner_client, activity):
    assert partner_client.get(reverse("involvement:activity_list")).status_code == 403
    assert partner_client.get(reverse("involvement:activity_detail", args=[activity.pk])).status_code == 404


def test_participation_and_outcome_pages_follow_the_same_rules(
    staff_client, finance_client, outsider_client, activity, staff
):
    p = ParticipationFactory(activity=activity)
    outcome = Outcome.objects.create(
        organisation=activity.organisation,
        activity=activity,
        what_we_heard="a",
        what_we_did="b",
        status="considered",
        decided_on=timezone.localdate(),
    )
    for url in (
        reverse("involvement:participation_remove", args=[p.pk]),
        reverse("involvement:outcome_edit", args=[outcome.pk]),
    ):
        assert staff_client.get(url).status_code == 200
        assert finance_client.get(url).status_code == 403
        assert outsider_client.get(url).status_code == 404


# ------------------------------------------------------------------ logging an activity


def _activity_post(**overrides):
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = {
        "title": "Care home visiting panel",
        "start_date": day,
        "start_time": "10:00",
        "end_time": "12:30",
        "format": "in_person",
        "location": "Winchester Guildhall",
        "method": "advisory_group",
        "level": "co_production",
        "public_participants_count": "4",
        "seldom_heard_groups": ["older", "carers"],
        "support_offered": ["booked_travel"],
    }
    data.update(overrides)
    return data


def test_staff_log_an_activity(staff_client, wessex, staff):
    data = _activity_post()
    data["organisation"] = wessex.pk
    response = staff_client.post(reverse("involvement:activity_create"), data)
    activity = Activity.objects.get(title="Care home visiting panel")
    assert response.status_code == 302
    assert response["Location"] == reverse("involvement:activity_detail", args=[activity.pk])
    assert activity.organisation == wessex
    assert activity.seldom_heard_groups == ["older", "carers"]
    assert timezone.localtime(activity.starts_at).strftime("%H:%M") == "10:00"
    assert activity.created_by == staff


def test_end_before_start_shows_an_error_and_keeps_what_was_typed(staff_client, wessex):
    data = _activity_post(end_time="09:00")
    data["organisation"] = wessex.pk
    response = staff_client.post(reverse("involvement:activity_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end must be after the start" in page
    assert "Care home visiting panel" in page
    assert "<title>Error:" in page
    assert not Activity.objects.filter(title="Care home visiting panel").exists()


def test_an_unshared_programme_of_another_ahsn_is_refused(outsider_client, yorkshire, activity):
    data = _activity_post(programme=activity.programme_id)
    data["organisation"] = yorkshire.pk
    response = outsider_client.post(reverse("involvement:activity_create"), data)
    assert response.status_code == 200
    assert not Activity.objects.filter(title="Care home visiting panel").exists()


def test_cancelling_through_the_page_needs_a_reason(staff_client, activity):
    url = reverse("involvement:activity_cancel", args=[activity.pk])
    response = staff_client.post(url, {"reason": ""})
    assert "Say why the activity is cancelled" in response.content.decode()
    staff_client.post(url, {"reason": "Room double-booked"})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED


def test_duplicate_through_the_page(staff_client, activity):
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = staff_client.post(
        reverse("involvement:activity_duplicate", args=[activity.pk]),
        {"start_date": day, "start_time": "14:00", "end_time": "16:00"},
    )
    assert response.status_code == 302
    assert Activity.objects.filter(title=activity.title).count() == 2


# ------------------------------------------------------------------ participants and attendance


def test_search_shows_only_the_ahsns_partners(staff_client, activity, yorkshire):
    LayPartnerFactory(full_name="Alex Wessexperson")
    LayPartnerFactory(full_name="Alex Yorkshireperson", organisation=yorkshire)
    page = staff_client.get(reverse("involvement:participants_add", args=[activity.pk]), {"q": "Alex"}).content.decode()
    assert "Alex Wessexperson" in page
    assert "Alex Yorkshireperson" not in page


def test_adding_three_partners_at_once(staff_client, activity):
    people = LayPartnerFactory.create_batch(3)
    response = staff_client.post(
        reverse("involvement:participants_add", args=[activity.pk]),
        {"partners": [p.pk for p in people], "role": "Co-designer", "expected_hours": "3"},
    )
    assert response.status_code == 302
    assert activity.participations.filter(role="Co-designer", expected_hours=Decimal("3")).count() == 3


def test_adding_a_partner_from_another_ahsn_shows_a_clear_error(staff_client, activity, yorkshire):
    stranger = LayPartnerFactory(full_name="Robin Moor", organisation=yorkshire)
    response = staff_client.post(
        reverse("involvement:participants_add", args=[activity.pk]),
        {"partners": [stranger.pk], "role": "", "expected_hours": "2"},
    )
    assert response.status_code == 200
    assert "Robin Moor is not registered with Wessex" in response.content.decode()
    assert not activity.participations.exists()


def _attendance_data(rows):
    data = {}
    for p, attended, hours in rows:
        data[f"p{p.pk}-participation"] = p.pk
        data[f"p{p.pk}-attended"] = attended
        data[f"p{p.pk}-hours"] = hours
    return data


def test_attendance_for_everyone_in_one_form(staff_client, activity):
    a, b, c = ParticipationFactory.create_batch(3, activity=activity)
    response = staff_client.post(
        reverse("involvement:attendance", args=[activity.pk]),
        _attendance_data([(a, "yes", "2"), (b, "yes", "1.5"), (c, "no", "")]),
    )
    assert response.status_code == 302
    assert sorted(Participation.objects.claimable().values_list("hours", flat=True)) == [Decimal("1.5"), Decimal("2")]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.COMPLETED


@pytest.mark.parametrize(("hours", "message"), [("-2", "cannot be negative"), ("25", "cannot be more than 24")])
def test_bad_hours_are_refused_and_nothing_is_saved(staff_client, activity, hours, message):
    a, b = ParticipationFactory.create_batch(2, activity=activity)
    response = staff_client.post(
        reverse("involvement:attendance", args=[activity.pk]), _attendance_data([(a, "yes", "2"), (b, "yes", hours)])
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Participation.objects.filter(activity=activity, attended__isnull=False).exists()


def test_attendance_page_refuses_a_cancelled_activity(staff_client, activity):
    p = ParticipationFactory(activity=activity)
    activity.status = ActivityStatus.CANCELLED
    activity.cancellation_reason = "Snow"
    activity.save()
    response = staff_client.post(
        reverse("involvement:attendance", args=[activity.pk]), _attendance_data([(p, "yes", "2")])
    )
    assert "cancelled, so attendance cannot be recorded" in response.content.decode()
    p.refresh_from_db()
    assert p.attended is None


# ------------------------------------------------------------------ outcomes


def test_recording_an_outcome_tells_participants(staff_client, activity):
    p = ParticipationFactory(activity=activity, attended=True, hours=Decimal("2"))
    response = staff_client.post(
        reverse("involvement:outcome_create", args=[activity.pk]),
        {
            "what_we_heard": "Letters use jargon",
            "what_we_did": "Plain English rewrite",
            "status": "changed",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    note = Notification.objects.get(kind="involvement.outcome_recorded")
    assert note.partner == p.partner
    assert note.title == f"You said, we did: {activity.title}"


def test_not_taken_forward_without_a_reason_is_refused_on_the_page(staff_client, activity):
    response = staff_client.post(
        reverse("involvement:outcome_create", args=[activity.pk]),
        {
            "what_we_heard": "Weekend sessions",
            "what_we_did": "Looked at costs",
            "status": "not_taken_forward",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    page = response.content.decode()
    assert "Say why it was not taken forward" in page
    assert "Weekend sessions" in page
    assert not Outcome.objects.exists()


# ------------------------------------------------------------------ filters and export


def test_filters_narrow_the_list(staff_client, wessex):
    ActivityFactory(organisation=wessex, title="Informing event", level="informing", method="event")
    ActivityFactory(organisation=wessex, title="Co-production panel", level="co_production", method="recruitment_panel")
    page = staff_client.get(reverse("involvement:activity_list"), {"level": "co_production"}).content.decode()
    assert "Co-production panel" in page
    assert "Informing event" not in page


def test_date_range_filter_uses_london_days(staff_client, wessex):
    late = datetime(2026, 6, 1, 23, 30, tzinfo=ZoneInfo("Europe/London"))  # 22:30 UTC
    ActivityFactory(organisation=wessex, title="Late session", starts_at=late, ends_at=late + timedelta(minutes=20))
    on_day = staff_client.get(
        reverse("involvement:activity_list"), {"date_from": "2026-06-01", "date_to": "2026-06-01"}
    )
    next_day = staff_client.get(
        reverse("involvement:activity_list"), {"date_from": "2026-06-02", "date_to": "2026-06-02"}
    )
    assert "Late session" in on_day.content.decode()
    assert "Late session" not in next_day.content.decode()


def test_priority_filter(staff_client, wessex):
    tagged = ActivityFactory(organisation=wessex, title="Marginalised voices roundtable")
    tagged.priorities.add(StrategyPriority.objects.get(code="2.1"))
    ActivityFactory(organisation=wessex, title="Untagged")
    priority = StrategyPriority.objects.get(code="2.1")
    page = staff_client.get(reverse("involvement:activity_list"), {"priority": priority.pk}).content.decode()
    assert "Marginalised voices roundtable" in page
    assert "Untagged" not in page


def test_csv_export_has_the_filtered_set_and_no_names(staff_client, wessex):
    kept = ActivityFactory(organisation=wessex, title="Survey review", method="survey")
    ActivityFactory(organisation=wessex, title="Workshop", method="workshop")
    partner = LayPartnerFactory(full_name="Unique Surname-Person")
    ParticipationFactory(activity=kept, partner=partner, attended=True, hours=Decimal("1.5"))
    response = staff_client.get(reverse("involvement:activity_export"), {"method": "survey"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["Title"] for r in rows] == ["Survey review"]
    assert rows[0]["Lay partners attended"] == "1"
    assert rows[0]["Hours by lay partners"] == "1.50"
    assert "Unique Surname-Person" not in body


def test_csv_export_counts_outcomes(staff_client, wessex):
    """The list's table shows no outcome count; the export still gives one per activity."""
    heard = ActivityFactory(organisation=wessex, title="Listened")
    ActivityFactory(organisation=wessex, title="Not yet")
    for what in ("Parking", "Signs"):
        Outcome.objects.create(
            organisation=wessex,
            activity=heard,
            what_we_heard=what,
            what_we_did="Fixed",
            status="changed",
            decided_on=timezone.localdate(),
        )
    response = staff_client.get(reverse("involvement:activity_export"))
    rows = {r["Title"]: r for r in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}
    assert rows["Listened"]["Outcomes recorded"] == "2"
    assert rows["Not yet"]["Outcomes recorded"] == "0"


# ------------------------------------------------------------------ the lay partner's pages


def test_a_partner_sees_what_they_have_been_part_of(partner_client, partner, wessex, staff):
    past = ParticipationFactory(partner=partner, attended=True, hours=Decimal("2"))
    future_start = timezone.now() + timedelta(days=4)
    upcoming = ParticipationFactory(
        partner=partner,
        activity=ActivityFactory(
            organisation=wessex, title="Future panel", starts_at=future_start, ends_at=future_start + timedelta(hours=1)
        ),
    )
    services.outcome_record(
        actor=staff,
        activity=past.activity,
        what_we_heard="Signs were hard to read",
        what_we_did="New signs in large print",
        status="changed",
        decided_on=timezone.localdate(),
    )
    page = partner_client.get(reverse("involvement:my_involvement")).content.decode()
    assert upcoming.activity.title in page
    assert past.activity.title in page
    assert "New signs in large print" in page
    assert reverse("involvement:feedback", args=[past.pk]) in page


def test_staff_without_a_partner_profile_get_404_on_partner_pages(staff_client, participation):
    assert staff_client.get(reverse("involvement:my_involvement")).status_code == 404
    assert staff_client.get(reverse("involvement:feedback", args=[participation.pk])).status_code == 404


def test_a_partner_cannot_open_someone_elses_feedback(participation, wessex):
    other = LayPartnerFactory()
    assert client_for(other.user).get(reverse("involvement:feedback", args=[participation.pk])).status_code == 404


def test_giving_feedback(partner_client, participation):
    participation.attended = True
    participation.hours = Decimal("2")
    participation.save()
    response = partner_client.post(
        reverse("involvement:feedback", args=[participation.pk]),
        {"listened_to": "5", "role_clear": "4", "support_right": "3", "take_part_again": "5", "comments": "Thanks"},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get(participation=participation)
    assert (feedback.listened_to, feedback.may_use_name) == (5, False)


def test_feedback_from_someone_who_did_not_attend_is_refused(partner_client, participation):
    participation.attended = False
    participation.save()
    url = reverse("involvement:feedback", args=[participation.pk])
    assert "once you are recorded as having attended" in partner_client.get(url).content.decode()
    response = partner_client.post(
        url, {"listened_to": "5", "role_clear": "4", "support_right": "3", "take_part_again": "5"}
    )
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_missing_answers_keep_what_was_typed(partner_client, participation):
    participation.attended = True
    participation.save()
    response = partner_client.post(
        reverse("involvement:feedback", args=[participation.pk]), {"listened_to": "5", "comments": "Half done"}
    )
    page = response.content.decode()
    assert "Choose an answer for “My role was clear”" in page
    assert "Half done" in page


def test_editing_an_activity_keeps_its_ahsn_and_is_audited(staff_client, activity):
    data = _activity_post(title="Renamed workshop", programme=activity.programme_id)
    response = staff_client.post(reverse("involvement:activity_edit", args=[activity.pk]), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Renamed workshop"
    assert activity.level == "co_production"
    entry = AuditEntry.objects.get(action="involvement.activity.updated", target_id=str(activity.pk))
    assert "title" in entry.data["changed"]


def test_a_cancelled_activity_cannot_be_edited(staff_client, activity, staff):
    services.activity_cancel(actor=staff, activity=activity, reason="Closed")
    response = staff_client.post(reverse("involvement:activity_edit", args=[activity.pk]), _activity_post())
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Hospital discharge workshop"

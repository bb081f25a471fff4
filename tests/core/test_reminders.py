"""Reminder sweeps: the right people, the right words, once."""

from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from accounts.models import Role
from core.choices import ActivityFormat, CommunicationNeed, ContactMethod, SupportType
from core.delivery import CANCELLED_NOTE, deliver
from core.models import Notification, NotificationFrequency, NotificationPreference, ReminderSettings, SweepRun
from core.notifications import notify
from core.reminders import available_kinds, run_sweeps
from core.reminders.digest import send_weekly_digests
from involvement.models import Activity, ActivityStatus, Outcome, OutcomeStatus, Participation, ParticipationResponse
from partners.models import LayPartner, PartnerLink
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.core.factories import activity, linked_partner, take_part

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def activity_lead(wessex):
    user = UserFactory(full_name="Priya Shah", email="priya.shah@wessexahsn.example")
    MembershipFactory(user=user, organisation=wessex, role=Role.STAFF)
    return user


def _sent(kind: str) -> dict[str, Notification]:
    """{recipient name: notification} for one kind."""
    return {
        n.recipient_name: n
        for n in Notification.objects.filter(kind=kind).select_related("partner", "user").order_by("id")
    }


# --- Participants before an activity ------------------------------------------------------------


def test_participants_are_reminded_before_an_activity_with_when_where_support_and_contact(
    wessex, activity_lead, django_capture_on_commit_callbacks
) -> None:
    workshop = activity(
        wessex,
        starts_at=at(2026, 12, 1, 14, 0),
        lead=activity_lead,
        support_offered=[SupportType.BSL, SupportType.BOOKED_TRAVEL],
    )
    amira = linked_partner(wessex, full_name="Amira Khan", preferred_name="Amira", email="amira@example.org")
    left = linked_partner(wessex, full_name="Leaving Person", left_at=at(2026, 11, 1, 9, 0))
    unlinked = linked_partner(wessex, full_name="Left Wessex")
    PartnerLink.objects.filter(partner=unlinked).update(status=PartnerLink.Status.LEFT)
    sent_apologies = linked_partner(wessex, full_name="Sent Apologies")
    for partner in (amira, left, unlinked):
        take_part(workshop, partner)
    take_part(workshop, sent_apologies, attended=False)
    said_sorry = linked_partner(wessex, full_name="Said Sorry Online")
    take_part(workshop, said_sorry, response=ParticipationResponse.APOLOGIES, apology_reason="A hospital appointment")
    cancelled = activity(wessex, starts_at=at(2026, 12, 1, 10, 0), status=ActivityStatus.CANCELLED)
    take_part(cancelled, amira)
    later = activity(wessex, starts_at=at(2026, 12, 5, 10, 0))
    take_part(later, amira)

    with time_machine.travel(at(2026, 11, 29, 13, 0), tick=False):  # 49 hours before: too early
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 0}
    with (
        time_machine.travel(at(2026, 11, 30, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        counts = run_sweeps(kinds=["reminders.activity_upcoming"])
    assert counts == {"reminders.activity_upcoming": 1}
    reminders = _sent("reminders.activity_upcoming")
    assert list(reminders) == ["Amira"]
    reminder = reminders["Amira"]
    assert reminder.title == "Reminder: Designing the discharge leaflet on Tuesday 1 December 2026"
    assert reminder.organisation == wessex
    assert reminder.occurrence == "before:2026-12-01"
    assert "When: Tuesday 1 December 2026, 2pm to 4pm" in reminder.body
    assert "Where: Room 4, Innovation Centre, Southampton SO16 7NP" in reminder.body
    assert "Support we have arranged: british sign language interpreter, travel booked for them." in reminder.body
    assert "Who to contact: Priya Shah, priya.shah@wessexahsn.example (Wessex AHSN)" in reminder.body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amira@example.org"]
    assert "When: Tuesday 1 December 2026, 2pm to 4pm" in mail.outbox[0].body

    with time_machine.travel(at(2026, 11, 30, 9, 10), tick=False):  # the next sweep
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 0}
    assert Notification.objects.filter(kind="reminders.activity_upcoming").count() == 1


def test_online_activity_in_summer_time_gives_the_joining_details_and_easy_read_words(wessex) -> None:
    online = activity(
        wessex,
        starts_at=at(2026, 6, 10, 10, 30),
        hours=1.5,
        format=ActivityFormat.ONLINE,
        location="",
        joining_details="Microsoft Teams: https://teams.example/meet/123",
        title="Reading group",
    )
    partner = linked_partner(wessex, full_name="Ben Ode", communication_needs=[CommunicationNeed.EASY_READ])
    take_part(online, partner)
    with time_machine.travel(at(2026, 6, 9, 12, 0), tick=False):
        run_sweeps(kinds=["reminders.activity_upcoming"])
    reminder = Notification.objects.get(kind="reminders.activity_upcoming")
    assert "When: Wednesday 10 June 2026, 10:30am to midday" in reminder.body
    assert "How to join: Microsoft Teams: https://teams.example/meet/123" in reminder.body
    assert "If you need any support to take part, please tell us" in reminder.body
    assert "Who to contact: the involvement team at Wessex AHSN" in reminder.body
    assert "The day is Wednesday 10 June 2026.\nIt starts at 10:30am.\nIt ends at midday." in reminder.easy_read_body
    assert reminder.text_for_recipient == reminder.easy_read_body


def test_a_rescheduled_activity_reminds_again_for_its_new_date(wessex) -> None:
    workshop = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    take_part(workshop, linked_partner(wessex))
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        run_sweeps(kinds=["reminders.activity_upcoming"])
    workshop.starts_at = at(2026, 12, 3, 14, 0)
    workshop.ends_at = at(2026, 12, 3, 16, 0)
    workshop.save()
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 1}
    assert sorted(Notification.objects.values_list("occurrence", flat=True)) == [
        "before:2026-12-01",
        "before:2026-12-03",
    ]


def test_the_reminder_window_comes_from_the_settings(wessex) -> None:
    ReminderSettings.objects.filter(pk=1).update(activity_reminder_hours=72)
    take_part(activity(wessex, starts_at=at(2026, 12, 1, 14, 0)), linked_partner(wessex))
    with time_machine.travel(at(2026, 11, 28, 15, 0), tick=False):  # 71 hours before
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 1}


# --- Activity leads: no outcome ---------------------------------------------------------------------


def test_activity_lead_is_reminded_to_record_an_outcome_14_days_after(wessex, activity_lead) -> None:
    done = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), lead=activity_lead, status=ActivityStatus.COMPLETED)
    with_outcome = activity(
        wessex, starts_at=at(2026, 11, 2, 10, 0), lead=activity_lead, status=ActivityStatus.COMPLETED, title="Done"
    )
    Outcome.objects.create(
        organisation=wessex,
        activity=with_outcome,
        what_we_heard="Too much jargon",
        what_we_did="Rewrote it",
        status=OutcomeStatus.CHANGED,
        decided_on=at(2026, 11, 10, 0, 0).date(),
    )
    activity(wessex, starts_at=at(2026, 11, 2, 10, 0), lead=activity_lead, status=ActivityStatus.CANCELLED)
    activity(wessex, starts_at=at(2026, 11, 2, 10, 0), lead=activity_lead)  # still "planned"
    with time_machine.travel(at(2026, 11, 16, 11, 0), tick=False):  # 13 days 23 hours after it ended
        assert run_sweeps(kinds=["reminders.outcome_missing"]) == {"reminders.outcome_missing": 0}
    with time_machine.travel(at(2026, 11, 16, 12, 5), tick=False):
        assert run_sweeps(kinds=["reminders.outcome_missing"]) == {"reminders.outcome_missing": 1}
        assert run_sweeps(kinds=["reminders.outcome_missing"]) == {"reminders.outcome_missing": 0}
    reminder = Notification.objects.get(kind="reminders.outcome_missing")
    assert reminder.user == activity_lead
    assert reminder.subject_id == str(done.pk)
    assert reminder.title == "Record what changed after Designing the discharge leaflet"
    assert "finished on Monday 2 November 2026. No outcome has been recorded for it yet." in reminder.body
    assert reminder.url == f"/involvement/activities/{done.pk}/outcomes/new/"


# --- Exactly once, at scale ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_running_at_the_same_moment_remind_each_person_once(wessex) -> None:
    workshop = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    partners = [linked_partner(wessex) for _ in range(30)]
    for partner in partners:
        take_part(workshop, partner)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
                results.append(run_sweeps(kinds=["reminders.activity_upcoming"]))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r["reminders.activity_upcoming"] for r in results) == 30
    assert Notification.objects.filter(kind="reminders.activity_upcoming").count() == 30
    assert len(mail.outbox) == 30
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in partners)


def _bulk_participants(organisation, workshop, count: int, prefix: str) -> None:
    partners = LayPartner.objects.bulk_create(
        [
            LayPartner(full_name=f"{prefix} {i}", email=f"{prefix}{i}@example.org", reference=f"LP-{prefix}{i:06d}")
            for i in range(count)
        ]
    )
    PartnerLink.objects.bulk_create(
        [PartnerLink(partner=p, organisation=organisation, joined_on=at(2025, 1, 1, 0, 0).date()) for p in partners]
    )
    Participation.objects.bulk_create(
        [Participation(activity=workshop, partner=p, expected_hours=Decimal("2")) for p in partners]
    )


def test_a_sweep_costs_the_same_number_of_queries_for_ten_or_thousands_of_people(wessex) -> None:
    small = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    _bulk_participants(wessex, small, 10, "F")
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False), CaptureQueriesContext(connection) as few:
        assert run_sweeps()["reminders.activity_upcoming"] == 10
    Notification.objects.all().delete()
    Participation.objects.all().delete()
    SweepRun.objects.all().delete()  # a full run again, as the first was
    big = activity(wessex, starts_at=at(2026, 12, 1, 15, 0))
    _bulk_participants(wessex, big, 3000, "M")
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False), CaptureQueriesContext(connection) as many:
        assert run_sweeps()["reminders.activity_upcoming"] == 3000
    assert len(many.captured_queries) == len(few.captured_queries)
    # Loading the settings, then per sweep at most: savepoint, its one select, preferences, one insert,
    # release; an incremental sweep adds its row, its lock and the update after.
    assert len(many.captured_queries) <= 1 + 5 * len(available_kinds()) + 3


# --- The command ---------------------------------------------------------------------------------------


def test_send_reminders_prints_counts_and_dry_run_creates_nothing(wessex) -> None:
    take_part(activity(wessex, starts_at=at(2026, 12, 1, 14, 0)), linked_partner(wessex))
    out = StringIO()
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        call_command("send_reminders", "--dry-run", stdout=out)
        assert "reminders.activity_upcoming: would create 1" in out.getvalue()
        assert Notification.objects.count() == 0
        out = StringIO()
        call_command("send_reminders", stdout=out)
        assert "reminders.activity_upcoming: created 1" in out.getvalue()
        out = StringIO()
        call_command("send_reminders", stdout=out)
        assert "reminders.activity_upcoming: created 0" in out.getvalue()
    assert Notification.objects.count() == 1


def test_beat_runs_the_sweeps_every_ten_minutes_and_the_summary_on_monday_morning(db) -> None:
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("interval", "crontab")}
    sweeps = tasks["core.tasks.run_reminder_sweeps"]
    assert (sweeps.interval.every, sweeps.interval.period) == (10, "minutes")
    digest = tasks["core.tasks.send_weekly_digests"].crontab
    assert (digest.minute, digest.hour, digest.day_of_week, str(digest.timezone)) == ("0", "8", "1", "Europe/London")
    # Lost deliveries (a broker outage, a killed worker) are picked up within minutes.
    assert tasks["core.tasks.requeue_stale_notifications"].interval.every == 1


def test_a_large_sweep_queues_deliveries_in_batches_and_sends_each_once(
    wessex, django_capture_on_commit_callbacks
) -> None:
    workshop = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    _bulk_participants(wessex, workshop, 120, "Q")
    with (
        time_machine.travel(at(2026, 11, 30, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 120}
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"Q{i}@example.org" for i in range(120))
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()


def test_no_outcome_reminder_goes_to_an_activity_lead_who_has_left(wessex, activity_lead) -> None:
    activity(wessex, starts_at=at(2026, 11, 2, 10, 0), lead=activity_lead, status=ActivityStatus.COMPLETED)
    gone = UserFactory(full_name="Gone Lead", is_active=False)
    activity(wessex, starts_at=at(2026, 11, 2, 10, 0), lead=gone, status=ActivityStatus.COMPLETED, title="Old")
    activity(wessex, starts_at=at(2026, 11, 2, 10, 0), lead=None, status=ActivityStatus.COMPLETED, title="No lead")
    with time_machine.travel(at(2026, 11, 16, 12, 5), tick=False):
        assert run_sweeps(kinds=["reminders.outcome_missing"]) == {"reminders.outcome_missing": 1}
    assert Notification.objects.get(kind="reminders.outcome_missing").user == activity_lead


def test_a_participant_who_leaves_after_being_reminded_gets_nothing_for_the_next_activity(wessex) -> None:
    first = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    second = activity(wessex, starts_at=at(2026, 12, 8, 14, 0), title="Second workshop")
    stays = linked_partner(wessex, full_name="Stays Put")
    leaves = linked_partner(wessex, full_name="Moves Away")
    for workshop in (first, second):
        take_part(workshop, stays)
        take_part(workshop, leaves)
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 2}
    LayPartner.objects.filter(pk=leaves.pk).update(left_at=at(2026, 12, 2, 9, 0))
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 1}
    latest = Notification.objects.filter(kind="reminders.activity_upcoming").order_by("-id").first()
    assert latest.recipient_name == "Stays Put"
    assert latest.title == "Reminder: Second workshop on Tuesday 8 December 2026"


def test_a_reminder_still_waiting_to_go_when_the_activity_is_cancelled_is_not_sent(wessex) -> None:
    workshop = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    other = activity(wessex, starts_at=at(2026, 12, 1, 10, 0), title="Going ahead")
    partner = linked_partner(wessex, full_name="Amira Khan")
    take_part(workshop, partner)
    take_part(other, partner)
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):  # deliveries not run: no on_commit here
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 2}
    Activity.objects.filter(pk=workshop.pk).update(status=ActivityStatus.CANCELLED, cancellation_reason="Snow")
    cancelled = Notification.objects.get(kind="reminders.activity_upcoming", subject_id=str(workshop.pk))
    going = Notification.objects.get(kind="reminders.activity_upcoming", subject_id=str(other.pk))
    assert deliver(cancelled.pk) == Notification.Status.SKIPPED
    assert deliver(going.pk) == Notification.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Reminder: Going ahead on Tuesday 1 December 2026"]
    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.last_error) == (Notification.Status.SKIPPED, CANCELLED_NOTE)


# --- Reminders before an activity go straight away or not at all -----------------------------------


def test_a_weekly_choice_still_sends_the_reminder_before_an_activity_straight_away(
    wessex, django_capture_on_commit_callbacks
) -> None:
    workshop = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    weekly = linked_partner(wessex, with_login=True, full_name="Wendy Weekly", email="wendy@example.org")
    never = linked_partner(wessex, full_name="Nina Never", email="nina@example.org")  # no login: staff chose
    default = linked_partner(wessex, full_name="Dan Default", email="dan@example.org")
    NotificationPreference.objects.create(
        user=weekly.user, group="before_activity", frequency=NotificationFrequency.WEEKLY
    )
    NotificationPreference.objects.create(partner=never, group="before_activity", frequency=NotificationFrequency.NEVER)
    for partner in (weekly, never, default):
        take_part(workshop, partner)
    with (
        time_machine.travel(at(2026, 11, 30, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 3}
    assert sorted(m.to[0] for m in mail.outbox) == ["dan@example.org", "wendy@example.org"]
    assert {m.subject for m in mail.outbox} == {"Reminder: Designing the discharge leaflet on Tuesday 1 December 2026"}
    statuses = {name: n.status for name, n in _sent("reminders.activity_upcoming").items()}
    assert statuses == {
        "Wendy Weekly": Notification.Status.SENT,
        "Nina Never": Notification.Status.SKIPPED,
        "Dan Default": Notification.Status.SENT,
    }
    with time_machine.travel(at(2026, 12, 7, 8, 0), tick=False):
        assert send_weekly_digests() == 0  # nothing was held, so no summary arrives after the event


def test_a_held_reminder_for_a_cancelled_activity_is_left_out_of_the_weekly_summary(
    wessex, django_capture_on_commit_callbacks
) -> None:
    workshop = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    dee = linked_partner(wessex, with_login=True, full_name="Dee Dawson", email="dee@example.org")
    eve = linked_partner(wessex, with_login=True, full_name="Eve Evans", email="eve@example.org")
    for partner in (dee, eve):
        take_part(workshop, partner)
        NotificationPreference.objects.create(user=partner.user, group="forum", frequency=NotificationFrequency.WEEKLY)
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):  # deliveries not run: no on_commit here
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 2}
        # Held for the summary, as a "weekly" choice did before reminders always went straight away.
        Notification.objects.filter(kind="reminders.activity_upcoming").update(status=Notification.Status.HELD)
        notes, _ = notify(
            kind="forum.notes_published",
            subject=dee,
            partner=dee,
            title="Notes of the November forum",
            body="The notes are ready.",
        )
    assert notes.status == Notification.Status.HELD
    Activity.objects.filter(pk=workshop.pk).update(status=ActivityStatus.CANCELLED, cancellation_reason="Snow")

    with (
        time_machine.travel(at(2026, 12, 7, 8, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_weekly_digests() == 1  # Dee's; Eve had only the cancelled reminder
    assert [m.to for m in mail.outbox] == [["dee@example.org"]]
    summary = mail.outbox[0]
    assert summary.subject == "Your weekly summary: 1 message"
    assert "- Notes of the November forum (30 November 2026)" in summary.body
    assert "Designing the discharge leaflet" not in summary.body
    reminders = _sent("reminders.activity_upcoming")
    assert {name: (n.status, n.last_error) for name, n in reminders.items()} == {
        "Dee Dawson": (Notification.Status.SKIPPED, CANCELLED_NOTE),
        "Eve Evans": (Notification.Status.SKIPPED, CANCELLED_NOTE),
    }
    notes.refresh_from_db()
    assert notes.status == Notification.Status.DIGESTED


def test_a_reminder_waiting_to_be_sent_by_hand_is_dropped_when_the_activity_is_cancelled(
    wessex, lead_client, django_capture_on_commit_callbacks
) -> None:
    workshop = activity(wessex, starts_at=at(2026, 12, 1, 14, 0))
    going = activity(wessex, starts_at=at(2026, 12, 1, 10, 0), title="Going ahead")
    tom = linked_partner(
        wessex, full_name="Tom Text", email="", phone="07700 900456", contact_methods=[ContactMethod.TEXT]
    )
    take_part(workshop, tom)
    take_part(going, tom)
    with (
        time_machine.travel(at(2026, 11, 30, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),  # no GOV.UK Notify key: staff send them
    ):
        assert run_sweeps(kinds=["reminders.activity_upcoming"]) == {"reminders.activity_upcoming": 2}
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.MANUAL}
    Activity.objects.filter(pk=workshop.pk).update(status=ActivityStatus.CANCELLED, cancellation_reason="Snow")

    page = lead_client.get("/notifications/to-send/")
    assert [n.title for n in page.context["page_obj"]] == ["Reminder: Going ahead on Tuesday 1 December 2026"]
    assert "Designing the discharge leaflet" not in page.content.decode()

    with time_machine.travel(at(2026, 11, 30, 9, 10), tick=False):  # the next sweep marks it not sent
        run_sweeps(kinds=["reminders.activity_upcoming"])
    cancelled = Notification.objects.get(subject_id=str(workshop.pk))
    assert (cancelled.status, cancelled.last_error) == (Notification.Status.SKIPPED, CANCELLED_NOTE)
    assert Notification.objects.get(subject_id=str(going.pk)).status == Notification.Status.MANUAL
    assert mail.outbox == []

"""Reminders about claims and forums: exact recipients and words, with time frozen."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.choices import ContactMethod, PaymentPreference
from core.delivery import CANCELLED_NOTE
from core.models import Notification, NotificationFrequency, NotificationPreference, ReminderSettings, SweepRun
from core.quarters import FinancialQuarter
from core.reminders import run_sweeps
from forum.models import Action, Apology, Forum, ForumMember, Meeting, MeetingNotes
from involvement.models import Activity, ActivityStatus, Participation
from partners.models import LayPartner, PartnerLink
from payments import reminders as payments_reminders
from payments.models import Claim, ClaimLine, ClaimStatus, LineKind, RateCard
from reports.services import compile_due_reports, report_compile, report_compile_request
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.core.factories import activity, linked_partner, take_part

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def sweep(kind: str, when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return run_sweeps(kinds=[kind])[kind]


def recipients(kind: str) -> list[str]:
    return sorted(n.recipient_name for n in Notification.objects.filter(kind=kind).select_related("partner", "user"))


@pytest.fixture
def rate_card(wessex, lead):
    return RateCard.objects.create(
        organisation=wessex,
        effective_from=date(2026, 1, 1),
        hourly_rate=Decimal("25.00"),
        half_day_rate=Decimal("75.00"),
        half_day_hours=Decimal("3"),
        full_day_rate=Decimal("150.00"),
        full_day_hours=Decimal("6"),
        mileage_rate_per_mile=Decimal("0.45"),
        claim_deadline_days=60,
        created_by=lead,
    )


_references = itertools.count(1)


def new_claim(**fields) -> Claim:  # type: ignore[no-untyped-def]
    fields.setdefault("reference", f"WX-{next(_references):05d}")
    return Claim.objects.create(**fields)


def attended(workshop, partner) -> Participation:  # type: ignore[no-untyped-def]
    return take_part(workshop, partner, attended=True, hours=Decimal("2"))


def claim_for(participation: Participation, status: str, *, created_by, **fields) -> Claim:  # type: ignore[no-untyped-def]
    claim = new_claim(
        organisation=participation.activity.organisation,
        partner=participation.partner,
        status=status,
        payment_choice=PaymentPreference.PAY,
        created_by=created_by,
        **fields,
    )
    ClaimLine.objects.create(
        claim=claim,
        kind=LineKind.FEE,
        participation=participation,
        amount=Decimal("50.00"),
        participation_locked=status not in (ClaimStatus.WITHDRAWN, ClaimStatus.REJECTED),
    )
    return claim


# --- Lay partners: unclaimed after 7 days, and 14 days before the deadline ----------------------


def test_lay_partners_who_took_part_but_have_not_claimed_are_reminded_after_7_days(wessex, lead, rate_card) -> None:
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    amira = attended(workshop, linked_partner(wessex, full_name="Amira Khan", with_login=True))
    attended(workshop, linked_partner(wessex, full_name="No Login Nell", is_assisted_digital=True))
    claimed = attended(workshop, linked_partner(wessex, full_name="Already Claimed"))
    claim_for(claimed, ClaimStatus.SUBMITTED, created_by=lead)
    withdrawn = attended(workshop, linked_partner(wessex, full_name="Withdrew Claim"))
    claim_for(withdrawn, ClaimStatus.WITHDRAWN, created_by=lead)
    drafting = attended(workshop, linked_partner(wessex, full_name="Draft Dan"))
    claim_for(drafting, ClaimStatus.DRAFT, created_by=lead)
    attended(workshop, linked_partner(wessex, full_name="Declines Pay", payment_preference=PaymentPreference.DECLINE))
    attended(workshop, linked_partner(wessex, full_name="Has Left", left_at=at(2026, 11, 5, 9, 0)))
    take_part(workshop, linked_partner(wessex, full_name="Did Not Come"), attended=False)
    cancelled = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.CANCELLED)
    attended(cancelled, linked_partner(wessex, full_name="Cancelled Carl"))

    assert sweep("reminders.unclaimed", at(2026, 11, 9, 11, 0)) == 0  # 6 days 23 hours after it ended
    assert sweep("reminders.unclaimed", at(2026, 11, 9, 12, 10)) == 3
    assert sweep("reminders.unclaimed", at(2026, 11, 9, 12, 20)) == 0
    # The payments app's one meaning of claimed: a draft holds the participation; a withdrawn claim
    # frees it to be claimed again (the claim page offers it again, so the reminder says so too).
    assert recipients("reminders.unclaimed") == ["Amira Khan", "No Login Nell", "Withdrew Claim"]
    reminder = Notification.objects.get(kind="reminders.unclaimed", partner=amira.partner)
    assert reminder.title == "You can claim for Designing the discharge leaflet"
    assert "You took part in Designing the discharge leaflet on Monday 2 November 2026." in reminder.body
    assert "The last day to claim your involvement payment and expenses is Friday 1 January 2027." in reminder.body
    assert "under \u201cMy payments\u201d" in reminder.body
    assert reminder.url == "/payments/my/"
    nell = Notification.objects.get(kind="reminders.unclaimed", partner__full_name="No Login Nell")
    assert "Please contact Wessex AHSN and we will make the claim for you." in nell.body


def test_between_full_runs_the_unclaimed_sweep_looks_only_at_what_changed(wessex, lead, rate_card) -> None:
    """Beat runs the sweeps every ten minutes: a run with nothing new reads three index lookups, not
    the claimable participations; attendance recorded late and a claim withdrawn are still found."""
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    with time_machine.travel(at(2026, 11, 2, 13, 0), tick=False):
        late = take_part(workshop, linked_partner(wessex, full_name="Late Lucy"), attended=None)
        held = attended(workshop, linked_partner(wessex, full_name="Withdrawing Will"))
        claim = claim_for(held, ClaimStatus.DRAFT, created_by=lead)  # a draft holds the participation
    assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 0)) == 0  # the first run looks at everything
    with CaptureQueriesContext(connection) as quiet:
        assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 10)) == 0
    assert not any(
        "last_day" in q["sql"] or ("payments_claimline" in q["sql"] and "GROUP BY" in q["sql"])
        for q in quiet.captured_queries
    )
    # The settings, savepoint, its row, its lock, three lookups, update, release, and the runner's
    # one UPDATE for reminders of cancelled activities.
    assert len(quiet.captured_queries) <= 10
    with time_machine.travel(at(2026, 11, 10, 9, 15), tick=False):
        Participation.objects.filter(pk=late.pk).update(
            attended=True, hours=Decimal("2"), updated_at=at(2026, 11, 10, 9, 15)
        )
        # As `payments.services.claim_withdraw` leaves it (its own tests cover who may withdraw).
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.WITHDRAWN, updated_at=at(2026, 11, 10, 9, 15))
        ClaimLine.objects.filter(claim=claim).update(participation_locked=False)
    assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 20)) == 2
    assert recipients("reminders.unclaimed") == ["Late Lucy", "Withdrawing Will"]
    assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 30)) == 0


def test_with_more_changed_than_a_list_of_ids_should_hold_the_sweep_reads_its_whole_window(
    wessex, rate_card, monkeypatch
) -> None:
    monkeypatch.setattr(payments_reminders, "MAX_CANDIDATES", 1)
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    with time_machine.travel(at(2026, 11, 2, 13, 0), tick=False):
        late = [take_part(workshop, linked_partner(wessex, full_name=f"Late {n}"), attended=None) for n in "AB"]
    assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 0)) == 0
    with time_machine.travel(at(2026, 11, 10, 9, 15), tick=False):
        Participation.objects.filter(pk__in=[p.pk for p in late]).update(
            attended=True, hours=Decimal("2"), updated_at=at(2026, 11, 10, 9, 15)
        )
    with CaptureQueriesContext(connection) as queries:
        assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 20)) == 2
    assert not any('"involvement_participation"."id" IN (' in q["sql"] for q in queries.captured_queries)


def test_the_unclaimed_sweep_looks_at_everything_once_a_day_and_after_a_settings_change(wessex, rate_card) -> None:
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    with time_machine.travel(at(2026, 11, 2, 13, 0), tick=False):
        quiet = attended(workshop, linked_partner(wessex, full_name="Quiet Quentin"))
    assert sweep("reminders.unclaimed", at(2026, 11, 9, 9, 0)) == 0  # not 7 days yet: not due
    # Something no lookup sees (the activity's end moved earlier, by SQL): found by the next full run.
    Activity.objects.filter(pk=workshop.pk).update(starts_at=at(2026, 11, 1, 10, 0), ends_at=at(2026, 11, 1, 12, 0))
    assert sweep("reminders.unclaimed", at(2026, 11, 9, 9, 10)) == 0
    assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 0)) == 1  # the first run of a new day looks at everything
    Notification.objects.all().delete()
    ReminderSettings.objects.filter(pk=1).update(unclaimed_after_days=6, updated_at=at(2026, 11, 10, 9, 5))
    assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 10)) == 1
    assert quiet.partner.full_name == "Quiet Quentin"


def test_lay_partners_are_reminded_again_14_days_before_the_claim_deadline(wessex, lead, rate_card) -> None:
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    attended(workshop, linked_partner(wessex, full_name="Amira Khan"))
    paid = attended(workshop, linked_partner(wessex, full_name="Paid Pat"))
    claim_for(paid, ClaimStatus.PAID, created_by=lead)
    # Deadline: 2 November + 60 days = Friday 1 January 2027; 14 days before is 18 December.
    assert sweep("reminders.claim_deadline", at(2026, 12, 17, 23, 0)) == 0
    assert sweep("reminders.claim_deadline", at(2026, 12, 18, 0, 30)) == 1
    assert sweep("reminders.claim_deadline", at(2026, 12, 19, 9, 0)) == 0
    assert sweep("reminders.claim_deadline", at(2027, 1, 2, 9, 0)) == 0  # too late now
    reminder = Notification.objects.get(kind="reminders.claim_deadline")
    assert reminder.recipient_name == "Amira Khan"
    assert reminder.occurrence == "deadline-14d"
    assert reminder.title == "Claim for Designing the discharge leaflet by Friday 1 January 2027"
    assert "The last day to claim your involvement payment and expenses is Friday 1 January 2027." in reminder.body


def test_later_the_same_day_the_deadline_sweep_looks_only_at_what_changed(wessex, lead, rate_card) -> None:
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    with time_machine.travel(at(2026, 11, 2, 13, 0), tick=False):
        attended(workshop, linked_partner(wessex, full_name="Amira Khan"))
        late = take_part(workshop, linked_partner(wessex, full_name="Late Lucy"), attended=None)
    assert sweep("reminders.claim_deadline", at(2026, 12, 18, 0, 30)) == 1  # the day's first run: everything
    with CaptureQueriesContext(connection) as quiet:
        assert sweep("reminders.claim_deadline", at(2026, 12, 18, 0, 40)) == 0
    assert not any("last_day" in q["sql"] for q in quiet.captured_queries)
    with time_machine.travel(at(2026, 12, 18, 10, 0), tick=False):
        Participation.objects.filter(pk=late.pk).update(
            attended=True, hours=Decimal("2"), updated_at=at(2026, 12, 18, 10, 0)
        )
    assert sweep("reminders.claim_deadline", at(2026, 12, 18, 10, 10)) == 1
    assert recipients("reminders.claim_deadline") == ["Amira Khan", "Late Lucy"]


def test_a_short_deadline_sends_one_claim_reminder_not_two(wessex, rate_card) -> None:
    RateCard.objects.filter(pk=rate_card.pk).update(claim_deadline_days=20)  # deadline Sunday 22 November
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    attended(workshop, linked_partner(wessex, full_name="Amira Khan"))
    with time_machine.travel(at(2026, 11, 9, 13, 0), tick=False):
        counts = run_sweeps(kinds=["reminders.unclaimed", "reminders.claim_deadline"])
    assert counts == {"reminders.unclaimed": 0, "reminders.claim_deadline": 1}
    reminder = Notification.objects.get()
    assert reminder.title == "Claim for Designing the discharge leaflet by Sunday 22 November 2026"


def test_no_rate_card_means_no_claim_reminders(wessex) -> None:
    RateCard.objects.filter(organisation=wessex).delete()
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    attended(workshop, linked_partner(wessex))
    assert sweep("reminders.unclaimed", at(2026, 11, 10, 9, 0)) == 0


# --- Leads and finance: digests of claims waiting ---------------------------------------------------


def test_leads_get_a_daily_digest_of_claims_waiting_for_approval_too_long(wessex, yorkshire, lead, outsider) -> None:
    second_lead = UserFactory(full_name="Second Lead")
    MembershipFactory(user=second_lead, organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    MembershipFactory(user=UserFactory(full_name="Staff Sam"), organisation=wessex, role=Role.STAFF)
    MembershipFactory(
        user=UserFactory(full_name="Gone Lead", is_active=False), organisation=wessex, role=Role.INVOLVEMENT_LEAD
    )
    partner = linked_partner(wessex)
    old = new_claim(
        organisation=wessex,
        partner=partner,
        status=ClaimStatus.SUBMITTED,
        submitted_at=at(2026, 11, 20, 9, 0),
        payment_choice=PaymentPreference.PAY,
        created_by=lead,
    )
    new_claim(  # only 2 days old: not yet
        organisation=wessex,
        partner=partner,
        status=ClaimStatus.SUBMITTED,
        submitted_at=at(2026, 11, 28, 9, 0),
        payment_choice=PaymentPreference.PAY,
        created_by=lead,
    )
    new_claim(  # withdrawn: never
        organisation=wessex,
        partner=partner,
        status=ClaimStatus.WITHDRAWN,
        submitted_at=at(2026, 11, 1, 9, 0),
        payment_choice=PaymentPreference.PAY,
        created_by=lead,
    )
    assert sweep("reminders.claims_awaiting_approval", at(2026, 11, 30, 8, 0)) == 2
    assert sweep("reminders.claims_awaiting_approval", at(2026, 11, 30, 18, 0)) == 0  # once a day
    assert recipients("reminders.claims_awaiting_approval") == sorted([lead.full_name, "Second Lead"])
    digest = Notification.objects.get(kind="reminders.claims_awaiting_approval", user=lead)
    assert digest.title == "1 claim waiting for approval at Wessex AHSN"
    assert "1 claim at Wessex AHSN has been waiting for approval for more than 5 days:" in digest.body
    assert f"- {old.reference}: since Friday 20 November 2026 (10 days)" in digest.body
    assert digest.occurrence == "2026-11-30"
    assert digest.url == "/payments/claims/"
    assert sweep("reminders.claims_awaiting_approval", at(2026, 12, 1, 8, 0)) == 2  # the next day


def test_finance_gets_a_digest_of_approved_claims_unpaid_too_long(wessex, lead, finance) -> None:
    partner = linked_partner(wessex)
    approved = new_claim(
        organisation=wessex,
        partner=partner,
        status=ClaimStatus.APPROVED,
        submitted_at=at(2026, 11, 10, 9, 0),
        approved_at=at(2026, 11, 16, 14, 0),
        payment_choice=PaymentPreference.PAY,
        created_by=lead,
    )
    new_claim(
        organisation=wessex,
        partner=partner,
        status=ClaimStatus.PAID,
        approved_at=at(2026, 11, 1, 14, 0),
        paid_at=at(2026, 11, 5, 14, 0),
        payment_choice=PaymentPreference.PAY,
        created_by=lead,
    )
    assert sweep("reminders.claims_awaiting_payment", at(2026, 11, 21, 13, 0)) == 0
    assert sweep("reminders.claims_awaiting_payment", at(2026, 11, 21, 15, 0)) == 1
    digest = Notification.objects.get(kind="reminders.claims_awaiting_payment")
    assert digest.user == finance
    assert digest.title == "1 claim waiting for payment at Wessex AHSN"
    assert f"- {approved.reference}: since Monday 16 November 2026 (5 days)" in digest.body


# --- Forums ------------------------------------------------------------------------------------------


@pytest.fixture
def forum(wessex):
    return Forum.objects.create(organisation=wessex, name="Wessex Involvement Forum", slug="wessex-forum")


def member(forum, role=ForumMember.Role.MEMBER, *, partner=None, user=None, **fields) -> ForumMember:  # type: ignore[no-untyped-def]
    return ForumMember.objects.create(forum=forum, role=role, partner=partner, user=user, **fields)


def test_forum_members_are_reminded_before_a_meeting_except_those_who_sent_apologies(forum, wessex) -> None:
    meeting = Meeting.objects.create(
        forum=forum,
        starts_at=at(2026, 12, 3, 10, 0),
        ends_at=at(2026, 12, 3, 12, 30),
        format="hybrid",
        venue="Wessex AHSN, Innovation Centre, Southampton",
        joining_link="https://meet.example.org/wessex-forum",
        access_information="Step-free access. A BSL interpreter is booked.",
    )
    Meeting.objects.create(  # cancelled: nothing
        forum=forum,
        starts_at=at(2026, 12, 3, 14, 0),
        ends_at=at(2026, 12, 3, 15, 0),
        status=Meeting.Status.CANCELLED,
        cancellation_reason="Clash",
    )
    lay = member(forum, partner=linked_partner(wessex, full_name="Grace Lay"))
    staff_member = member(forum, ForumMember.Role.STAFF_CO_CHAIR, user=UserFactory(full_name="Sam Staff"))
    sorry = member(forum, partner=linked_partner(wessex, full_name="Sorry Sue"))
    Apology.objects.create(meeting=meeting, member=sorry)
    member(forum, partner=linked_partner(wessex, full_name="Left Forum"), left_on=date(2026, 10, 1))
    assert sweep("reminders.meeting_upcoming", at(2026, 12, 1, 9, 50)) == 0  # 48 hours 10 minutes before
    assert sweep("reminders.meeting_upcoming", at(2026, 12, 1, 10, 5)) == 2
    assert sweep("reminders.meeting_upcoming", at(2026, 12, 1, 10, 15)) == 0
    assert recipients("reminders.meeting_upcoming") == ["Grace Lay", "Sam Staff"]
    reminder = Notification.objects.get(kind="reminders.meeting_upcoming", partner=lay.partner)
    assert reminder.title == "Reminder: Wessex Involvement Forum meeting on Thursday 3 December 2026"
    assert "When: Thursday 3 December 2026, 10am to 12:30pm" in reminder.body
    assert "Where: Wessex AHSN, Innovation Centre, Southampton" in reminder.body
    assert "How to join online: https://meet.example.org/wessex-forum" in reminder.body
    assert "Support and access: Step-free access. A BSL interpreter is booked." in reminder.body
    assert reminder.url == f"/forums/meetings/{meeting.pk}/"
    assert Notification.objects.get(kind="reminders.meeting_upcoming", user=staff_member.user).recipient_key == (
        f"u:{staff_member.user_id}"
    )


def test_co_chairs_are_reminded_about_unpublished_notes_3_and_7_days_after(forum, wessex) -> None:
    meeting = Meeting.objects.create(
        forum=forum, starts_at=at(2026, 11, 2, 10, 0), ends_at=at(2026, 11, 2, 12, 0), status=Meeting.Status.HELD
    )
    MeetingNotes.objects.create(meeting=meeting, status=MeetingNotes.Status.AWAITING_APPROVAL)
    published = Meeting.objects.create(
        forum=forum, starts_at=at(2026, 11, 2, 14, 0), ends_at=at(2026, 11, 2, 15, 0), status=Meeting.Status.HELD
    )
    MeetingNotes.objects.create(
        meeting=published, status=MeetingNotes.Status.PUBLISHED, published_at=at(2026, 11, 3, 9)
    )
    member(forum, ForumMember.Role.STAFF_CO_CHAIR, user=UserFactory(full_name="Sam Staff"))
    member(forum, ForumMember.Role.LAY_CO_CHAIR, partner=linked_partner(wessex, full_name="Grace Lay"))
    member(forum, partner=linked_partner(wessex, full_name="Ordinary Member"))
    assert sweep("reminders.notes_unpublished", at(2026, 11, 5, 11, 0)) == 0
    assert sweep("reminders.notes_unpublished", at(2026, 11, 5, 12, 30)) == 2
    assert sweep("reminders.notes_unpublished", at(2026, 11, 6, 12, 30)) == 0
    assert sweep("reminders.notes_unpublished", at(2026, 11, 9, 12, 30)) == 2
    assert sweep("reminders.notes_unpublished", at(2026, 11, 12, 12, 30)) == 0
    rows = sorted(
        (n.recipient_name, n.occurrence)
        for n in Notification.objects.filter(kind="reminders.notes_unpublished").select_related("partner", "user")
    )
    assert rows == [("Grace Lay", "day-3"), ("Grace Lay", "day-7"), ("Sam Staff", "day-3"), ("Sam Staff", "day-7")]
    first = Notification.objects.filter(kind="reminders.notes_unpublished", occurrence="day-3").first()
    assert first.title == "The notes of the Wessex Involvement Forum meeting are not published yet"
    assert "was on Monday 2 November 2026, 3 days ago." in first.body


def test_action_owners_are_reminded_when_an_action_is_past_due(forum, wessex) -> None:
    meeting = Meeting.objects.create(
        forum=forum, starts_at=at(2026, 11, 2, 10, 0), ends_at=at(2026, 11, 2, 12, 0), status=Meeting.Status.HELD
    )
    owner = member(forum, partner=linked_partner(wessex, full_name="Grace Lay"))
    other = member(forum, user=UserFactory(full_name="Sam Staff"))
    action = Action.objects.create(
        meeting=meeting,
        description="Share the draft leaflet with the carers' group",
        owner=owner,
        due_on=date(2026, 11, 20),
    )
    Action.objects.create(
        meeting=meeting, description="Done already", owner=other, due_on=date(2026, 11, 20), status="done"
    )
    Action.objects.create(meeting=meeting, description="Not due yet", owner=other, due_on=date(2026, 11, 30))
    assert sweep("reminders.action_overdue", at(2026, 11, 20, 18, 0)) == 0  # due today: not late yet
    assert sweep("reminders.action_overdue", at(2026, 11, 21, 8, 0)) == 1
    assert sweep("reminders.action_overdue", at(2026, 11, 22, 8, 0)) == 0
    reminder = Notification.objects.get(kind="reminders.action_overdue")
    assert reminder.recipient_name == "Grace Lay"
    assert reminder.title == "An action for the Wessex Involvement Forum was due on Friday 20 November 2026"
    assert "Share the draft leaflet with the carers' group" in reminder.body
    assert "at the Wessex Involvement Forum meeting on Monday 2 November 2026:" in reminder.body
    action.due_on = date(2026, 11, 25)
    action.save()
    assert sweep("reminders.action_overdue", at(2026, 11, 26, 8, 0)) == 1  # a new due date, a new reminder


def test_claim_and_forum_sweeps_cost_the_same_queries_for_many_rows(wessex, lead, rate_card, forum) -> None:
    def build(count: int, tag: str) -> None:
        workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED, title=tag)
        partners = LayPartner.objects.bulk_create(
            [
                LayPartner(full_name=f"{tag}{i}", email=f"{tag}{i}@ex.org", reference=f"LP-{tag}{i:05d}")
                for i in range(count)
            ]
        )
        PartnerLink.objects.bulk_create(
            [PartnerLink(partner=p, organisation=wessex, joined_on=date(2025, 1, 1)) for p in partners]
        )
        Participation.objects.bulk_create(
            [Participation(activity=workshop, partner=p, attended=True, hours=Decimal("2")) for p in partners]
        )
        ForumMember.objects.bulk_create([ForumMember(forum=forum, partner=p) for p in partners])
        meeting = Meeting.objects.create(
            forum=forum, starts_at=at(2026, 11, 10, 10, 0), ends_at=at(2026, 11, 10, 11, 0), title=tag
        )
        Action.objects.bulk_create(
            [Action(meeting=meeting, description=f"Task {tag}", due_on=date(2026, 11, 8)) for _ in range(count)]
        )

    def measure() -> tuple[int, dict[str, int]]:
        SweepRun.objects.all().delete()  # a full run each time, so the two are alike
        with time_machine.travel(at(2026, 11, 9, 13, 0), tick=False), CaptureQueriesContext(connection) as queries:
            counts = run_sweeps()
        return len(queries.captured_queries), counts

    build(5, "s")
    few, few_counts = measure()
    build(1500, "m")
    many, many_counts = measure()
    assert few_counts["reminders.unclaimed"] == 5
    assert many_counts["reminders.unclaimed"] == 1500
    assert many_counts["reminders.meeting_upcoming"] == 1505 + 1500  # both meetings, every member
    assert many == few


# --- Cancelled, withdrawn and people who left: nothing ------------------------------------------


def test_claim_reminders_skip_people_who_left_the_ahsn_but_not_those_whose_claim_was_withdrawn_or_rejected(
    wessex, lead, rate_card
) -> None:
    """A withdrawn or rejected claim frees its participation to be claimed again (the payments app's
    rule, the one the claim page follows), so its claimant is reminded like anyone who has not claimed."""
    workshop = activity(wessex, starts_at=at(2026, 11, 2, 10, 0), status=ActivityStatus.COMPLETED)
    attended(workshop, linked_partner(wessex, full_name="Still Here"))
    left_wessex = linked_partner(wessex, full_name="Left Wessex")
    PartnerLink.objects.filter(partner=left_wessex).update(status=PartnerLink.Status.LEFT)
    attended(workshop, left_wessex)
    attended(workshop, linked_partner(wessex, full_name="Anonymised Ann", anonymised=True))
    claim_for(attended(workshop, linked_partner(wessex, full_name="Withdrew")), ClaimStatus.WITHDRAWN, created_by=lead)
    claim_for(attended(workshop, linked_partner(wessex, full_name="Rejected")), ClaimStatus.REJECTED, created_by=lead)
    left_later = linked_partner(wessex, full_name="Left Later")
    attended(workshop, left_later)
    assert sweep("reminders.unclaimed", at(2026, 11, 9, 12, 10)) == 4
    assert recipients("reminders.unclaimed") == ["Left Later", "Rejected", "Still Here", "Withdrew"]
    LayPartner.objects.filter(pk=left_later.pk).update(left_at=at(2026, 12, 1, 9, 0))
    # By the deadline reminder (18 December) "Left Later" has left the portal: they are not told.
    assert sweep("reminders.claim_deadline", at(2026, 12, 18, 9, 0)) == 3
    assert recipients("reminders.claim_deadline") == ["Rejected", "Still Here", "Withdrew"]
    reminder = Notification.objects.get(kind="reminders.claim_deadline", partner__full_name="Still Here")
    assert reminder.title == "Claim for Designing the discharge leaflet by Friday 1 January 2027"


def test_claim_digests_skip_finance_officers_who_left_and_claims_no_longer_waiting(wessex, lead, finance) -> None:
    MembershipFactory(
        user=UserFactory(full_name="Gone Finance", is_active=False), organisation=wessex, role=Role.FINANCE
    )
    partner = linked_partner(wessex)
    waiting = new_claim(
        organisation=wessex,
        partner=partner,
        status=ClaimStatus.APPROVED,
        approved_at=at(2026, 11, 10, 9, 0),
        payment_choice=PaymentPreference.PAY,
        created_by=lead,
    )
    for status in (ClaimStatus.WITHDRAWN, ClaimStatus.RETURNED, ClaimStatus.REJECTED, ClaimStatus.PAID):
        new_claim(
            organisation=wessex,
            partner=partner,
            status=status,
            approved_at=at(2026, 11, 1, 9, 0),
            payment_choice=PaymentPreference.PAY,
            created_by=lead,
        )
    assert sweep("reminders.claims_awaiting_payment", at(2026, 11, 30, 8, 0)) == 1
    digest = Notification.objects.get(kind="reminders.claims_awaiting_payment")
    assert digest.user == finance
    assert digest.title == "1 claim waiting for payment at Wessex AHSN"
    assert f"- {waiting.reference}: since Tuesday 10 November 2026 (20 days)" in digest.body
    assert digest.body.count("\n- ") == 1


def test_forum_reminders_skip_cancelled_meetings_and_members_who_left(forum, wessex) -> None:
    held = Meeting.objects.create(
        forum=forum, starts_at=at(2026, 11, 2, 10, 0), ends_at=at(2026, 11, 2, 12, 0), status=Meeting.Status.HELD
    )
    cancelled = Meeting.objects.create(
        forum=forum,
        starts_at=at(2026, 11, 2, 14, 0),
        ends_at=at(2026, 11, 2, 15, 0),
        status=Meeting.Status.CANCELLED,
        cancellation_reason="Clash",
    )
    upcoming = Meeting.objects.create(
        forum=forum, starts_at=at(2026, 11, 6, 10, 0), ends_at=at(2026, 11, 6, 11, 0), venue="Room 1"
    )
    chair = member(forum, ForumMember.Role.STAFF_CO_CHAIR, user=UserFactory(full_name="Sam Staff"))
    member(
        forum,
        ForumMember.Role.LAY_CO_CHAIR,
        partner=linked_partner(wessex, full_name="Left Forum"),
        left_on=date(2026, 10, 1),
    )
    member(
        forum,
        ForumMember.Role.LAY_CO_CHAIR,
        partner=linked_partner(wessex, full_name="Left Portal", left_at=at(2026, 10, 20, 9, 0)),
    )
    member(forum, ForumMember.Role.STAFF_CO_CHAIR, user=UserFactory(full_name="Gone Staff", is_active=False))
    owners = list(ForumMember.objects.filter(forum=forum).order_by("id"))
    for meeting in (held, cancelled):
        for owner in owners:
            Action.objects.create(
                meeting=meeting, description=f"Task for {owner.pk}", owner=owner, due_on=date(2026, 11, 3)
            )

    assert sweep("reminders.notes_unpublished", at(2026, 11, 5, 15, 30)) == 1
    notes = Notification.objects.get(kind="reminders.notes_unpublished")
    assert (notes.user, notes.subject_id) == (chair.user, str(held.pk))
    assert sweep("reminders.action_overdue", at(2026, 11, 5, 15, 30)) == 1
    action = Notification.objects.get(kind="reminders.action_overdue")
    assert action.user == chair.user
    assert action.title == "An action for the Wessex Involvement Forum was due on Tuesday 3 November 2026"
    assert sweep("reminders.meeting_upcoming", at(2026, 11, 5, 15, 30)) == 1
    before = Notification.objects.get(kind="reminders.meeting_upcoming")
    assert (before.user, before.subject_id) == (chair.user, str(upcoming.pk))
    assert "When: Friday 6 November 2026, 10am to 11am\nWhere: Room 1" in before.body


# --- Leads and network admins: a quarterly report is ready ------------------------------------------


def test_leads_and_network_admins_are_told_when_the_quarterly_report_is_ready(
    wessex, lead, network_admin, staff, finance, outsider, django_capture_on_commit_callbacks
) -> None:
    second_lead = UserFactory(full_name="Second Lead", email="second.lead@wessex.example.org")
    MembershipFactory(user=second_lead, organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    MembershipFactory(user=UserFactory(is_active=False), organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    quarter = FinancialQuarter(2026, 2)  # July to September 2026
    with time_machine.travel(at(2026, 9, 30, 23, 0), tick=False):
        assert compile_due_reports(today=date(2026, 9, 30), quarter=quarter) == []  # the quarter has not ended
    # Beat starts the compile on the first working day after the quarter (Thursday 1 October 2026).
    with time_machine.travel(at(2026, 10, 1, 7, 0), tick=False), django_capture_on_commit_callbacks(execute=True):
        report = report_compile_request(scope=wessex, quarter=quarter, actor=None)
    report.refresh_from_db()
    assert report.status == "ready"
    told = Notification.objects.filter(kind="reports.report_ready", subject_id=str(report.pk)).select_related("user")
    assert sorted(n.user.email for n in told) == sorted([lead.email, second_lead.email, network_admin.email])
    notification = told.get(user=lead)
    assert notification.title == "The Wessex report for 2026/27 Q2 is ready"
    assert notification.body.startswith(
        "Version 1 of the quarterly priority-progress report for Wessex AHSN, 2026/27 Q2, "
        "was compiled on 1 October 2026 at 7am."
    )
    assert notification.url == f"/reports/{report.pk}/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, second_lead.email, network_admin.email])
    assert all(m.subject == "The Wessex report for 2026/27 Q2 is ready" for m in mail.outbox)
    # The task running again (a retried or doubly-fired compile) tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        report_compile(report_id=report.pk)
    assert Notification.objects.filter(kind="reports.report_ready").count() == 3
    assert len(mail.outbox) == 3


def test_meeting_reminders_ignore_a_weekly_choice_and_a_cancelled_meetings_letter_is_not_sent(
    forum, wessex, admin_client_portal, django_capture_on_commit_callbacks
) -> None:
    meeting = Meeting.objects.create(forum=forum, starts_at=at(2026, 12, 3, 10, 0), ends_at=at(2026, 12, 3, 12, 0))
    letter = linked_partner(
        wessex,
        full_name="Lettie Post",
        email="",
        address="1 High Street, Winchester",
        postcode="SO23 8UJ",
        contact_methods=[ContactMethod.POST],
    )
    member(forum, partner=letter)
    staff_member = member(
        forum, ForumMember.Role.STAFF_CO_CHAIR, user=UserFactory(full_name="Sam Staff", email="sam@wessex.example")
    )
    NotificationPreference.objects.create(
        user=staff_member.user, group="before_activity", frequency=NotificationFrequency.WEEKLY
    )
    with (
        time_machine.travel(at(2026, 12, 1, 10, 5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert run_sweeps(kinds=["reminders.meeting_upcoming"]) == {"reminders.meeting_upcoming": 2}
    assert [m.to for m in mail.outbox] == [["sam@wessex.example"]]  # straight away, not held for Monday
    assert mail.outbox[0].subject == "Reminder: Wessex Involvement Forum meeting on Thursday 3 December 2026"
    waiting = Notification.objects.get(kind="reminders.meeting_upcoming", partner=letter)
    assert (waiting.channel, waiting.status) == (Notification.Channel.LETTER, Notification.Status.MANUAL)
    assert [n.pk for n in admin_client_portal.get("/notifications/to-send/").context["page_obj"]] == [waiting.pk]

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancellation_reason="Clash")
    page = admin_client_portal.get("/notifications/to-send/")
    assert list(page.context["page_obj"]) == []
    assert "There are no messages to send by hand." in page.content.decode()
    with time_machine.travel(at(2026, 12, 1, 10, 15), tick=False):
        run_sweeps()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.last_error) == (Notification.Status.SKIPPED, CANCELLED_NOTE)
    assert len(mail.outbox) == 1

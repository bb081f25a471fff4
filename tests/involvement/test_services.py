from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEntry, Notification
from involvement import selectors, services
from involvement.models import ActivityStatus, Outcome, OutcomeStatus, Participation
from partners.models import PartnerLink
from payments.selectors import claimable_participations
from programmes.models import ProgrammeType
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def _create(actor, organisation, **overrides):
    start = timezone.now() + timedelta(days=3)
    fields = {
        "title": "Discharge letters focus group",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "method": "focus_group",
        "level": "consultation",
        "format": "online",
    }
    fields.update(overrides)
    return services.activity_create(actor=actor, organisation=organisation, **fields)


# ------------------------------------------------------------------ activities


def test_logging_an_activity_is_audited(staff, wessex):
    activity = _create(staff, wessex)
    assert activity.status == ActivityStatus.PLANNED
    assert AuditEntry.objects.filter(action="involvement.activity.created", target_id=str(activity.pk)).exists()


def test_an_activity_cannot_end_before_it_starts(staff, wessex):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(services.InvolvementError, match="end must be after the start"):
        _create(staff, wessex, starts_at=start, ends_at=start - timedelta(minutes=30))


def test_finance_cannot_log_activities(finance, wessex):
    with pytest.raises(services.InvolvementError):
        _create(finance, wessex)


def test_another_ahsn_can_log_against_a_shared_national_programme_only(staff, wessex, yorkshire, outsider):
    national = ProgrammeFactory(organisation=wessex, programme_type=ProgrammeType.NATIONAL)
    local = ProgrammeFactory(organisation=wessex)
    with pytest.raises(services.InvolvementError, match="not shared"):
        _create(outsider, yorkshire, programme=national)
    national.shared_with.add(yorkshire)
    activity = _create(outsider, yorkshire, programme=national)
    assert activity.organisation == yorkshire
    with pytest.raises(services.InvolvementError, match="not shared"):
        _create(outsider, yorkshire, programme=local)


def test_duplicating_an_activity_brings_the_same_people(staff, wessex):
    activity = ActivityFactory(organisation=wessex)
    ParticipationFactory.create_batch(3, activity=activity)
    start = timezone.now() + timedelta(days=14)
    copy = services.activity_duplicate(
        actor=staff, activity=activity, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    assert copy.pk != activity.pk
    assert copy.status == ActivityStatus.PLANNED
    assert copy.participations.count() == 3
    assert all(p.attended is None for p in copy.participations.all())


def test_cancelling_tells_every_participant_even_if_they_opted_out_of_email(staff, activity):
    activity.starts_at = timezone.now() + timedelta(days=2)
    activity.ends_at = activity.starts_at + timedelta(hours=2)
    activity.save()
    people = ParticipationFactory.create_batch(2, activity=activity)
    services.activity_cancel(actor=staff, activity=activity, reason="The venue flooded")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED
    notes = Notification.objects.filter(kind="involvement.activity_cancelled")
    assert {n.partner_id for n in notes} == {p.partner_id for p in people}
    assert all(n.essential and "The venue flooded" in n.body for n in notes)


def test_cancelling_needs_a_reason_and_cannot_cancel_twice(staff, activity):
    with pytest.raises(services.InvolvementError, match="Say why"):
        services.activity_cancel(actor=staff, activity=activity, reason="  ")
    services.activity_cancel(actor=staff, activity=activity, reason="Speaker ill")
    with pytest.raises(services.InvolvementError, match="already cancelled"):
        services.activity_cancel(actor=staff, activity=activity, reason="Again")


def test_the_database_refuses_a_cancelled_activity_without_a_reason(activity):
    activity.status = ActivityStatus.CANCELLED
    with pytest.raises(IntegrityError), transaction.atomic():
        activity.save()


# ------------------------------------------------------------------ participation


def test_a_partner_not_registered_with_the_ahsn_cannot_be_added(staff, activity, yorkshire):
    stranger = LayPartnerFactory(organisation=yorkshire, full_name="Sam Jones")
    with pytest.raises(services.InvolvementError, match="Sam Jones is not registered with Wessex"):
        services.participation_add(actor=staff, activity=activity, partner=stranger)
    assert not Participation.objects.filter(partner=stranger).exists()


def test_a_partner_is_added_once_only(staff, activity, partner):
    services.participation_add(actor=staff, activity=activity, partner=partner, role="Panel member")
    with pytest.raises(services.InvolvementError, match="already taking part"):
        services.participation_add(actor=staff, activity=activity, partner=partner)
    assert activity.participations.count() == 1


def test_expected_hours_cannot_be_negative(staff, activity, partner):
    with pytest.raises(services.InvolvementError, match="cannot be negative"):
        services.participation_add(actor=staff, activity=activity, partner=partner, expected_hours=Decimal("-1"))


def test_nobody_can_be_added_to_a_cancelled_activity(staff, activity, partner):
    services.activity_cancel(actor=staff, activity=activity, reason="No room")
    with pytest.raises(services.InvolvementError, match="cancelled"):
        services.participation_add(actor=staff, activity=activity, partner=partner)


# ------------------------------------------------------------------ attendance


def test_recording_attendance_saves_hours_and_completes_the_activity(staff, activity):
    came, missed = ParticipationFactory.create_batch(2, activity=activity)
    services.attendance_record(
        actor=staff, activity=activity, rows=[(came, True, Decimal("2.5")), (missed, False, Decimal("2"))]
    )
    came.refresh_from_db()
    missed.refresh_from_db()
    activity.refresh_from_db()
    assert (came.attended, came.hours) == (True, Decimal("2.50"))
    assert (missed.attended, missed.hours) == (False, None)
    assert activity.status == ActivityStatus.COMPLETED
    assert AuditEntry.objects.filter(action="involvement.attendance.recorded").exists()


@pytest.mark.parametrize("hours", [Decimal("-1"), Decimal("24.25")])
def test_hours_must_be_between_0_and_24_for_a_one_day_activity(staff, activity, hours):
    first, second = ParticipationFactory.create_batch(2, activity=activity)
    with pytest.raises(services.InvolvementError):
        services.attendance_record(
            actor=staff, activity=activity, rows=[(first, True, Decimal("2")), (second, True, hours)]
        )
    first.refresh_from_db()
    activity.refresh_from_db()
    assert first.attended is None, "nothing is saved when one row is wrong"
    assert activity.status == ActivityStatus.PLANNED


def test_a_two_day_residential_allows_up_to_48_hours(staff, wessex):
    start = timezone.now() - timedelta(days=3)
    activity = ActivityFactory(organisation=wessex, starts_at=start, ends_at=start + timedelta(days=1, hours=2))
    p = ParticipationFactory(activity=activity)
    services.attendance_record(actor=staff, activity=activity, rows=[(p, True, Decimal("30"))])
    p.refresh_from_db()
    assert p.hours == Decimal("30")


def test_attendance_cannot_be_marked_on_a_cancelled_activity(staff, activity):
    p = ParticipationFactory(activity=activity)
    services.activity_cancel(actor=staff, activity=activity, reason="Snow")
    with pytest.raises(services.InvolvementError, match="cancelled"):
        services.attendance_record(actor=staff, activity=activity, rows=[(p, True, Decimal("2"))])


def test_attendance_waits_until_the_activity_has_started(staff, wessex):
    start = timezone.now() + timedelta(days=1)
    activity = ActivityFactory(organisation=wessex, starts_at=start, ends_at=start + timedelta(hours=1))
    p = ParticipationFactory(activity=activity)
    with pytest.raises(services.InvolvementError, match="once the activity has started"):
        services.attendance_record(actor=staff, activity=activity, rows=[(p, True, Decimal("1"))])


# ------------------------------------------------------------------ claimable


def test_claimable_means_attended_with_hours_on_an_activity_that_went_ahead(staff, wessex, partner):
    good = ParticipationFactory(partner=partner, attended=True, hours=Decimal("2"))
    ParticipationFactory(partner=partner, attended=True, hours=Decimal("0"))
    ParticipationFactory(partner=partner, attended=False)
    ParticipationFactory(partner=partner, attended=None)
    cancelled = ParticipationFactory(partner=partner, attended=True, hours=Decimal("2"))
    cancelled.activity.status = ActivityStatus.CANCELLED
    cancelled.activity.cancellation_reason = "Recorded in error"
    cancelled.activity.save()
    assert list(claimable_participations(partner=partner)) == [good]
    assert good.is_claimable


def test_claimable_needs_the_partner_still_linked_to_the_ahsn(partner, wessex, yorkshire):
    p = ParticipationFactory(partner=partner, attended=True, hours=Decimal("2"))
    assert claimable_participations(partner=partner, organisation_ids=[wessex.pk]).count() == 1
    assert claimable_participations(partner=partner, organisation_ids=[yorkshire.pk]).count() == 0
    PartnerLink.objects.filter(partner=partner).delete()
    assert not Participation.objects.claimable().filter(pk=p.pk).exists()


# ------------------------------------------------------------------ outcomes


def test_an_outcome_tells_the_people_who_took_part(staff, activity):
    came, unknown, missed = ParticipationFactory.create_batch(3, activity=activity)
    missed.attended = False
    missed.save()
    came.attended = True
    came.save()
    outcome = services.outcome_record(
        actor=staff,
        activity=activity,
        what_we_heard="The discharge letter was confusing",
        what_we_did="We rewrote it with you",
        status=OutcomeStatus.CHANGED,
        decided_on=timezone.localdate(),
    )
    told = set(Notification.objects.filter(kind="involvement.outcome_recorded").values_list("partner_id", flat=True))
    assert told == {came.partner_id, unknown.partner_id}
    assert list(selectors.partner_outcomes(came.partner)) == [outcome]
    assert list(selectors.partner_outcomes(missed.partner)) == []
    assert AuditEntry.objects.filter(action="involvement.outcome.recorded", target_id=str(outcome.pk)).exists()


def test_not_taken_forward_needs_a_reason(staff, activity):
    with pytest.raises(services.InvolvementError, match="Say why"):
        services.outcome_record(
            actor=staff,
            activity=activity,
            what_we_heard="Open on Saturdays",
            what_we_did="We looked at it",
            status=OutcomeStatus.NOT_TAKEN_FORWARD,
            decided_on=timezone.localdate(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(
            organisation=activity.organisation,
            activity=activity,
            what_we_heard="x",
            what_we_did="y",
            status=OutcomeStatus.NOT_TAKEN_FORWARD,
            decided_on=timezone.localdate(),
        )


def test_an_outcome_belongs_to_an_activity_or_a_programme_not_both(activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(
            organisation=activity.organisation,
            activity=activity,
            programme=activity.programme,
            what_we_heard="x",
            what_we_did="y",
            status=OutcomeStatus.CHANGED,
            decided_on=timezone.localdate(),
        )


def test_a_programme_outcome_reaches_people_who_attended_its_activities(staff, activity):
    came = ParticipationFactory(activity=activity, attended=True, hours=Decimal("1"))
    outcome = services.outcome_record(
        actor=staff,
        programme=activity.programme,
        what_we_heard="Make it easier to find",
        what_we_did="New website page",
        status=OutcomeStatus.IN_PROGRESS,
        decided_on=timezone.localdate(),
    )
    assert list(selectors.partner_outcomes(came.partner)) == [outcome]


def test_staff_of_a_sharing_ahsn_cannot_record_programme_outcomes(outsider, wessex, yorkshire):
    national = ProgrammeFactory(organisation=wessex, programme_type=ProgrammeType.NATIONAL)
    national.shared_with.add(yorkshire)
    with pytest.raises(services.InvolvementError):
        services.outcome_record(
            actor=outsider,
            programme=national,
            what_we_heard="a",
            what_we_did="b",
            status=OutcomeStatus.CONSIDERED,
            decided_on=timezone.localdate(),
        )


# ------------------------------------------------------------------ feedback

SCORES = {"listened_to": 5, "role_clear": 4, "support_right": 4, "take_part_again": 5}


def test_feedback_only_from_someone_who_attended(participation, partner):
    with pytest.raises(services.InvolvementError, match="recorded as having attended"):
        services.feedback_submit(actor=partner.user, participation=participation, **SCORES)
    participation.attended = False
    participation.save()
    with pytest.raises(services.InvolvementError):
        services.feedback_submit(actor=partner.user, participation=participation, **SCORES)


def test_feedback_only_from_the_person_who_took_part(participation, staff):
    participation.attended = True
    participation.save()
    with pytest.raises(services.InvolvementError, match="Only the person"):
        services.feedback_submit(actor=staff, participation=participation, **SCORES)


def test_feedback_is_once_per_participation_and_editable_for_14_days(participation, partner):
    participation.attended = True
    participation.hours = Decimal("2")
    participation.save()
    first = services.feedback_submit(actor=partner.user, participation=participation, comments="Good", **SCORES)
    second = services.feedback_submit(
        actor=partner.user, participation=participation, comments="Very good", **{**SCORES, "role_clear": 2}
    )
    assert first.pk == second.pk
    second.refresh_from_db()
    assert (second.role_clear, second.comments) == (2, "Very good")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        with pytest.raises(services.InvolvementError, match="14 days"):
            services.feedback_submit(actor=partner.user, participation=participation, **SCORES)
        assert not selectors.partner_feedback_due(partner).exists()


def test_feedback_scores_must_be_1_to_5(participation, partner):
    participation.attended = True
    participation.save()
    with pytest.raises(services.InvolvementError):
        services.feedback_submit(actor=partner.user, participation=participation, **{**SCORES, "listened_to": 6})


def test_feedback_summary_averages_and_hides_names_unless_allowed(wessex, activity):
    named, anonymous = ParticipationFactory.create_batch(2, activity=activity, attended=True, hours=Decimal("1"))
    named.partner.preferred_name = "Jo"
    named.partner.save()
    services.feedback_submit(
        actor=named.partner.user, participation=named, comments="Felt heard", may_use_name=True, **SCORES
    )
    services.feedback_submit(
        actor=anonymous.partner.user,
        participation=anonymous,
        comments="Too rushed",
        **{**SCORES, "listened_to": 2},
    )
    summary = selectors.activity_feedback(activity)
    assert summary["count"] == 2
    assert summary["scores"][0] == {"label": "Felt listened to", "average": 3.5}
    names = {c["text"]: c["name"] for c in summary["comments"]}
    assert names == {"Felt heard": "Jo", "Too rushed": ""}


def test_no_new_activity_on_a_closed_programme_but_its_old_ones_can_still_be_edited(staff, wessex):
    programme = ProgrammeFactory(organisation=wessex)
    activity = _create(staff, wessex, programme=programme)
    programme.status = "closed"
    programme.save(update_fields=["status"])
    with pytest.raises(services.InvolvementError, match="is closed"):
        _create(staff, wessex, programme=programme)
    services.activity_update(activity=activity, actor=staff, title="Renamed after the programme closed")
    activity.refresh_from_db()
    assert activity.title == "Renamed after the programme closed"

"""Every write to involvement and programmes leaves an audit entry; refused writes leave nothing.

Also the "Bad input and access" cases the other files do not reach: an unshared programme edited
by another AHSN, expected hours over the day's limit, a duplicate ending before it starts,
feedback after its 14 days, and who a programme outcome is sent to."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Notification
from involvement import selectors, services
from involvement.models import Activity, ActivityStatus, Feedback, OutcomeStatus
from partners.models import LayPartner
from programmes import services as programme_services
from programmes.models import Programme, ProgrammeType
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

SCORES = {"listened_to": 4, "role_clear": 4, "support_right": 5, "take_part_again": 5}


def _audited(action, target):
    return AuditEntry.objects.filter(action=action, target_id=str(target.pk)).exists()


# ------------------------------------------------------------------ every write is audited


def test_every_activity_write_is_audited(staff, wessex, partner):
    activity = ActivityFactory(organisation=wessex)
    other = LayPartnerFactory()

    added = services.participation_add(actor=staff, activity=activity, partner=other)
    assert _audited("involvement.participation.added", added)
    services.participation_remove(actor=staff, participation=added)
    assert AuditEntry.objects.filter(action="involvement.participation.removed", target_id=str(added.pk)).exists()

    mine = services.participation_add(actor=staff, activity=activity, partner=partner, expected_hours=Decimal("2"))
    services.attendance_record(actor=staff, activity=activity, rows=[(mine, True, Decimal("2"))])
    assert _audited("involvement.attendance.recorded", activity)

    outcome = services.outcome_record(
        actor=staff,
        activity=activity,
        what_we_heard="Too much jargon",
        what_we_did="Plain English guide",
        status=OutcomeStatus.IN_PROGRESS,
        decided_on=timezone.localdate(),
    )
    services.outcome_update(actor=staff, outcome=outcome, what_we_did="Plain English guide for every letter")
    entry = AuditEntry.objects.get(action="involvement.outcome.updated", target_id=str(outcome.pk))
    assert entry.data["changed"] == {"what_we_did": "changed"}
    services.outcome_status_change(
        actor=staff, outcome=outcome, status=OutcomeStatus.CHANGED, changed_on=timezone.localdate(), note="Done"
    )
    entry = AuditEntry.objects.get(action="involvement.outcome.status_changed", target_id=str(outcome.pk))
    assert (entry.data["from"], entry.data["to"]) == ("in_progress", "changed")

    feedback = services.feedback_submit(actor=partner.user, participation=mine, **SCORES)
    assert _audited("involvement.feedback.submitted", feedback)
    services.feedback_submit(actor=partner.user, participation=mine, **{**SCORES, "role_clear": 2})
    assert _audited("involvement.feedback.updated", feedback)

    start = timezone.now() + timedelta(days=7)
    copy = services.activity_duplicate(
        actor=staff, activity=activity, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    entry = AuditEntry.objects.get(action="involvement.activity.duplicated", target_id=str(copy.pk))
    assert entry.data == {"from_activity": activity.pk}
    services.activity_cancel(actor=staff, activity=copy, reason="Room not available")
    assert _audited("involvement.activity.cancelled", copy)

    quiet = ActivityFactory(organisation=wessex)
    services.activity_complete(actor=staff, activity=quiet)
    assert _audited("involvement.activity.completed", quiet)


def test_every_programme_and_priority_write_is_audited(staff, network_admin, wessex):
    programme = programme_services.programme_create(
        actor=staff, organisation=wessex, name="Falls", programme_type="local", innovation_stage="design"
    )
    programme_services.programme_update(actor=staff, programme=programme, status="paused")
    entry = AuditEntry.objects.get(action="programmes.programme.updated", target_id=str(programme.pk))
    assert entry.data["changed"] == {"status": "paused"}
    services.outcome_record(
        actor=staff,
        programme=programme,
        what_we_heard="Too far to travel",
        what_we_did="Sessions online too",
        status=OutcomeStatus.CHANGED,
        decided_on=timezone.localdate(),
    )
    assert AuditEntry.objects.filter(action="involvement.outcome.recorded", data__programme=programme.pk).exists()
    priority = programme_services.priority_save(
        actor=network_admin, code="1.1", theme="Leadership", title="Shared governance", strategy="2024-27"
    )
    assert _audited("programmes.priority.created", priority)
    programme_services.priority_save(
        actor=network_admin, priority=priority, code="1.1", theme="Leadership", title="Shared", strategy="2024-27"
    )
    assert _audited("programmes.priority.updated", priority)


def test_a_refused_write_leaves_no_audit_entry(staff, finance, activity, yorkshire):
    before = AuditEntry.objects.count()
    stranger = LayPartnerFactory(organisation=yorkshire)
    with pytest.raises(services.InvolvementError):
        services.participation_add(actor=staff, activity=activity, partner=stranger)
    with pytest.raises(services.InvolvementError):
        services.activity_cancel(actor=finance, activity=activity, reason="Not mine to cancel")
    assert AuditEntry.objects.count() == before


# ------------------------------------------------------------------ another AHSN and a programme not shared with it


def test_another_ahsn_cannot_edit_a_programme_not_shared_with_it(outsider, outsider_client, wessex):
    programme = ProgrammeFactory(organisation=wessex, name="Digital front door", programme_type=ProgrammeType.NATIONAL)
    url = reverse("programmes:programme_edit", args=[programme.pk])
    response = outsider_client.post(
        url, {"name": "Taken over", "programme_type": "national", "innovation_stage": "design", "status": "closed"}
    )
    assert response.status_code == 404
    with pytest.raises(programme_services.ProgrammeError, match="Only staff at the AHSN that owns"):
        programme_services.programme_update(actor=outsider, programme=programme, name="Taken over", status="closed")
    programme.refresh_from_db()
    assert (programme.name, programme.status) == ("Digital front door", "active")
    assert not AuditEntry.objects.filter(action="programmes.programme.updated").exists()
    assert outsider_client.get(reverse("programmes:programme_outcome_create", args=[programme.pk])).status_code == 404


# ------------------------------------------------------------------ hours and times


def test_expected_hours_cannot_be_more_than_24_a_day(staff, activity, partner):
    with pytest.raises(services.InvolvementError, match="cannot be more than 24"):
        services.participation_add(actor=staff, activity=activity, partner=partner, expected_hours=Decimal("24.5"))
    assert not activity.participations.exists()
    services.participation_add(actor=staff, activity=activity, partner=partner, expected_hours=Decimal("24"))
    assert activity.participations.get().expected_hours == Decimal("24")


def test_changing_an_activity_to_end_before_it_starts_is_refused(staff, activity):
    with pytest.raises(services.InvolvementError, match="end must be after the start"):
        services.activity_update(actor=staff, activity=activity, ends_at=activity.starts_at - timedelta(minutes=1))
    activity.refresh_from_db()
    assert activity.ends_at > activity.starts_at


def test_a_duplicate_that_ends_before_it_starts_shows_an_error(staff_client, activity):
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = staff_client.post(
        reverse("involvement:activity_duplicate", args=[activity.pk]),
        {"start_date": day, "start_time": "14:00", "end_time": "13:00"},
    )
    assert response.status_code == 200
    assert "The end must be after the start" in response.content.decode()
    assert Activity.objects.filter(title=activity.title).count() == 1


def test_a_duplicate_leaves_out_people_who_have_left(staff, activity):
    stays, leaves = ParticipationFactory.create_batch(2, activity=activity)
    LayPartner.objects.filter(pk=leaves.partner_id).update(left_at=timezone.now())
    start = timezone.now() + timedelta(days=7)
    copy = services.activity_duplicate(
        actor=staff, activity=activity, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    assert list(copy.participations.values_list("partner_id", flat=True)) == [stays.partner_id]


# ------------------------------------------------------------------ feedback for 14 days


def _attended(participation):
    participation.attended = True
    participation.hours = Decimal("2")
    participation.save()
    return participation


def test_feedback_can_still_be_changed_on_day_13(participation, partner):
    _attended(participation)
    services.feedback_submit(actor=partner.user, participation=participation, **SCORES)
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        changed = services.feedback_submit(
            actor=partner.user, participation=participation, **{**SCORES, "role_clear": 1}
        )
        assert selectors.partner_feedback_due(partner).filter(pk=participation.pk).exists()
    assert changed.role_clear == 1


def test_feedback_page_refuses_a_change_after_14_days(partner_client, participation, partner):
    _attended(participation)
    services.feedback_submit(actor=partner.user, participation=participation, comments="First go", **SCORES)
    Feedback.objects.filter(participation=participation).update(submitted_at=timezone.now() - timedelta(days=15))
    url = reverse("involvement:feedback", args=[participation.pk])
    assert "can no longer be changed" in partner_client.get(url).content.decode()
    response = partner_client.post(url, {**{k: "1" for k in SCORES}, "comments": "Second go"})
    assert response.status_code == 403
    feedback = Feedback.objects.get(participation=participation)
    assert (feedback.comments, feedback.listened_to) == ("First go", 4)


def test_feedback_page_refuses_a_cancelled_activity(partner_client, participation):
    _attended(participation)
    Activity.objects.filter(pk=participation.activity_id).update(
        status=ActivityStatus.CANCELLED, cancellation_reason="Recorded in error"
    )
    response = partner_client.post(reverse("involvement:feedback", args=[participation.pk]), {k: "5" for k in SCORES})
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_outcome_pages_are_for_lay_partners_only(staff_client, partner_client):
    assert staff_client.get(reverse("involvement:my_outcomes")).status_code == 404
    assert partner_client.get(reverse("involvement:my_outcomes")).status_code == 200


# ------------------------------------------------------------------ who hears about a programme outcome


def test_a_programme_outcome_goes_only_to_people_who_attended(staff, wessex):
    programme = ProgrammeFactory(organisation=wessex)
    came = ParticipationFactory(activity=ActivityFactory(programme=programme), attended=True, hours=Decimal("2"))
    start = timezone.now() + timedelta(days=5)
    invited = ParticipationFactory(
        activity=ActivityFactory(programme=programme, starts_at=start, ends_at=start + timedelta(hours=1))
    )
    services.outcome_record(
        actor=staff,
        programme=programme,
        what_we_heard="Evening sessions",
        what_we_did="Two evening sessions a month",
        status=OutcomeStatus.CHANGED,
        decided_on=timezone.localdate(),
    )
    told = set(Notification.objects.filter(kind="involvement.outcome_recorded").values_list("partner_id", flat=True))
    assert told == {came.partner_id}
    assert selectors.partner_outcomes(came.partner).count() == 1
    assert selectors.partner_outcomes(invited.partner).count() == 0


# ------------------------------------------------------------------ names in feedback on a shared programme


def test_feedback_on_a_shared_programme_names_only_your_own_partners(staff_client, outsider_client, wessex, yorkshire):
    national = ProgrammeFactory(organisation=wessex, programme_type=ProgrammeType.NATIONAL, name="Heart failure")
    national.shared_with.add(yorkshire)
    for org, name, comment in ((wessex, "Wendy Wessex", "Lovely venue"), (yorkshire, "Yusuf York", "Clear slides")):
        p = ParticipationFactory(
            activity=ActivityFactory(programme=national, organisation=org),
            partner=LayPartnerFactory(full_name=name, organisation=org),
            attended=True,
            hours=Decimal("2"),
        )
        Feedback.objects.create(
            participation=p, comments=comment, may_use_name=True, submitted_at=timezone.now(), **SCORES
        )
    url = reverse("programmes:programme_detail", args=[national.pk])
    wessex_page = staff_client.get(url).content.decode()
    york_page = outsider_client.get(url).content.decode()
    assert "Clear slides" in wessex_page and "Yusuf York" not in wessex_page
    assert "Lovely venue" in york_page and "Wendy Wessex" not in york_page
    assert "— Wendy Wessex" in wessex_page and "— Yusuf York" in york_page


# ------------------------------------------------------------------ CSV


def test_csv_export_neutralises_formulas_in_programme_names(staff_client, wessex):
    programme = Programme.objects.create(
        organisation=wessex, name="=HYPERLINK(1)", programme_type="local", innovation_stage="design"
    )
    ActivityFactory(organisation=wessex, programme=programme, title="+SUM(A1)")
    body = b"".join(staff_client.get(reverse("involvement:activity_export")).streaming_content).decode()
    row = next(csv.DictReader(io.StringIO(body)))
    assert (row["Programme"], row["Title"]) == ("'=HYPERLINK(1)", "'+SUM(A1)")

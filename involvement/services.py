"""Every write to involvement: activities, participation, attendance, outcomes and feedback.

Keyword-only, one transaction, the row locked before a state change, audited, and people told
through `core.notifications.notify` (delivered after commit).

Attendance rule (documented for the forum and payments apps): attendance can be recorded once an
activity has started and never on a cancelled one; recording it marks a planned activity completed.
Hours are 0 to 24 for each calendar day (Europe/London) the activity runs on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import DELIVERY_ROLES
from core import formatting
from core.access import can_write
from core.audit import log_action
from core.errors import DomainError
from core.idempotency import submit_once
from core.notifications import notify
from involvement.evidence_files import EvidenceRejected, check_evidence
from involvement.models import (
    Activity,
    ActivityStatus,
    Feedback,
    Outcome,
    OutcomeStatus,
    OutcomeStatusChange,
    Participation,
    ParticipationResponse,
)
from involvement.selectors import FEEDBACK_EDITABLE_DAYS
from partners.models import LayPartner, PartnerLink
from programmes.models import Programme, ProgrammeStatus, StrategyPriority

ACTIVITY_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "format",
    "location",
    "joining_details",
    "method",
    "level",
    "stage",
    "seldom_heard_groups",
    "support_offered",
    "public_participants_count",
    "lead",
    "programme",
    "purpose",
    "what_to_expect",
)


class InvolvementError(DomainError):
    """A request we refuse, with a message to show the person who made it (and the field it is about)."""


def activity_days(activity: Activity) -> int:
    """The number of calendar days (Europe/London) the activity runs on."""
    return (formatting.local_date(activity.ends_at) - formatting.local_date(activity.starts_at)).days + 1


def max_hours(activity: Activity) -> Decimal:
    return Decimal(24 * activity_days(activity))


def _check_writer(actor: User | None, organisation_id: int) -> None:
    if not can_write(actor, organisation_id, roles=DELIVERY_ROLES):
        raise InvolvementError("Your role cannot change activities at this AHSN.")


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise InvolvementError("Give the start and end with a time zone.")
    if ends_at <= starts_at:
        raise InvolvementError("The end must be after the start.")


def _check_programme(programme: Programme | None, organisation: Organisation, *, new: bool = False) -> None:
    if programme is None:
        return
    if new and programme.status == ProgrammeStatus.CLOSED:
        raise InvolvementError(f"{programme.name} is closed, so new activities cannot be logged against it.")
    if programme.organisation_id == organisation.pk:
        return
    if not programme.shared_with.filter(pk=organisation.pk).exists():
        raise InvolvementError(
            f"{programme.name} belongs to another AHSN and is not shared with {organisation.short_name}."
        )


def _check_lead(lead: Any, organisation: Organisation) -> None:
    if lead is not None and not lead.memberships.filter(organisation=organisation).exists():
        raise InvolvementError(f"The activity lead must be a member of {organisation.short_name}.")


def _actor_or_none(actor: User | None) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def activity_create(
    *,
    actor: User | None,
    organisation: Organisation,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    method: str,
    level: str,
    format: str,
    programme: Programme | None = None,
    priorities: Iterable[StrategyPriority] = (),
    submission_token: str = "",
    **fields: Any,
) -> Activity:
    """Log an activity run by `organisation` (against its own programme or one shared with it).
    The same form sent twice logs it once (`submission_token`, core.idempotency)."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    if actor is not None:
        _check_writer(actor, organisation.pk)
    _check_times(starts_at, ends_at)
    _check_programme(programme, organisation, new=True)
    _check_lead(fields.get("lead"), organisation)
    if fields.get("public_participants_count", 0) < 0:
        raise InvolvementError("The number of members of the public cannot be negative.")
    with transaction.atomic():
        once = submit_once(token=submission_token, actor=actor)
        activity = Activity.objects.create(
            organisation=organisation,
            programme=programme,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            method=method,
            level=level,
            format=format,
            created_by=_actor_or_none(actor),
            **fields,
        )
        activity.priorities.set(list(priorities))
        once.made(activity)
        log_action(
            actor=actor,
            action="involvement.activity.created",
            target=activity,
            organisation=organisation,
            data={"programme": programme.pk if programme else None, "method": method, "level": level},
        )
    return activity


def activity_update(
    *, actor: User | None, activity: Activity, priorities: Iterable[StrategyPriority] | None = None, **fields: Any
) -> Activity:
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Activity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=activity.pk)
        _check_writer(actor, locked.organisation_id)
        if locked.status == ActivityStatus.CANCELLED:
            raise InvolvementError("This activity was cancelled. Duplicate it to plan a new one.")
        _check_times(fields.get("starts_at", locked.starts_at), fields.get("ends_at", locked.ends_at))
        if "programme" in fields:
            _check_programme(fields["programme"], locked.organisation)
        if "lead" in fields:
            _check_lead(fields["lead"], locked.organisation)
        changed: dict[str, Any] = {}
        for key, value in fields.items():
            if getattr(locked, key) != value:
                changed[key] = str(getattr(value, "pk", value))
                setattr(locked, key, value)
        locked.save()
        if priorities is not None:
            before = set(locked.priorities.values_list("pk", flat=True))
            locked.priorities.set(list(priorities))
            if before != {p.pk for p in priorities}:
                changed["priorities"] = sorted(p.code for p in priorities)
        if changed:  # saved without a change: nothing to record
            log_action(
                actor=actor,
                action="involvement.activity.updated",
                target=locked,
                organisation=locked.organisation,
                data={"changed": changed},
            )
    return locked


def activity_duplicate(*, actor: User | None, activity: Activity, starts_at: datetime, ends_at: datetime) -> Activity:
    """A new planned activity like `activity` (for a series of sessions), with the same people invited."""
    _check_writer(actor, activity.organisation_id)
    _check_times(starts_at, ends_at)
    with transaction.atomic():
        copy = activity_create(
            actor=actor,
            organisation=activity.organisation,
            title=activity.title,
            starts_at=starts_at,
            ends_at=ends_at,
            method=activity.method,
            level=activity.level,
            format=activity.format,
            programme=activity.programme,
            priorities=list(activity.priorities.all()),
            location=activity.location,
            joining_details=activity.joining_details,
            purpose=activity.purpose,
            what_to_expect=activity.what_to_expect,
            stage=activity.stage,
            seldom_heard_groups=list(activity.seldom_heard_groups),
            support_offered=list(activity.support_offered),
            lead=activity.lead,
        )
        # The same people, less anyone who has since left (the rule `participation_add` applies).
        linked = set(
            PartnerLink.objects.filter(
                organisation_id=activity.organisation_id, partner__left_at__isnull=True, partner__anonymised=False
            )
            .exclude(status=PartnerLink.Status.LEFT)
            .values_list("partner_id", flat=True)
        )
        Participation.objects.bulk_create(
            [
                Participation(activity=copy, partner_id=p.partner_id, role=p.role, expected_hours=p.expected_hours)
                for p in activity.participations.all()
                if p.partner_id in linked
            ]
        )
        log_action(
            actor=actor,
            action="involvement.activity.duplicated",
            target=copy,
            organisation=activity.organisation,
            data={"from_activity": activity.pk},
        )
    return copy


def activity_cancel(*, actor: User | None, activity: Activity, reason: str) -> Activity:
    """Cancel a planned activity; everyone taking part is told, whatever their email settings."""
    reason = reason.strip()
    if not reason:
        raise InvolvementError("Say why the activity is cancelled. Participants will see this.")
    with transaction.atomic():
        locked = Activity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=activity.pk)
        _check_writer(actor, locked.organisation_id)
        if locked.status == ActivityStatus.CANCELLED:
            raise InvolvementError("This activity is already cancelled.")
        if locked.status == ActivityStatus.COMPLETED:
            raise InvolvementError("This activity has taken place, so it cannot be cancelled.")
        locked.status = ActivityStatus.CANCELLED
        locked.cancellation_reason = reason
        locked.save(update_fields=["status", "cancellation_reason", "updated_at"])
        log_action(
            actor=actor,
            action="involvement.activity.cancelled",
            target=locked,
            organisation=locked.organisation,
            data={"participants": locked.participations.count()},
        )
        url = reverse("involvement:my_involvement")
        for participation in locked.participations.select_related("partner", "partner__user"):
            notify(
                kind="involvement.activity_cancelled",
                subject=locked,
                partner=participation.partner,
                organisation=locked.organisation,
                title=f"Cancelled: {locked.title}",
                body=(
                    f"{locked.title} on {formatting.when_text(locked.starts_at, locked.ends_at)} has been cancelled.\n\n"
                    f"The reason: {reason}\n\n"
                    f"{locked.organisation.name} will be in touch about what happens next."
                ),
                url=url,
                essential=True,
            )
    return locked


def participation_add(
    *,
    actor: User | None,
    activity: Activity,
    partner: LayPartner,
    role: str = "",
    expected_hours: Decimal = Decimal("0"),
) -> Participation:
    """Add a lay partner to an activity. They must be registered with the AHSN running it."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=activity.pk)
        if actor is not None:
            _check_writer(actor, locked.organisation_id)
        if locked.status == ActivityStatus.CANCELLED:
            raise InvolvementError("This activity was cancelled, so nobody can be added to it.")
        link = PartnerLink.objects.filter(partner=partner, organisation_id=locked.organisation_id).first()
        if link is None:
            raise InvolvementError(
                f"{partner.display_name} is not registered with {locked.organisation.short_name}. "
                "Register them first, then add them."
            )
        if link.status == PartnerLink.Status.LEFT or partner.left_at is not None:
            raise InvolvementError(f"{partner.display_name} has left {locked.organisation.short_name}.")
        expected_hours = Decimal(expected_hours)
        if expected_hours < 0:
            raise InvolvementError("Expected hours cannot be negative.")
        if expected_hours > max_hours(locked):
            raise InvolvementError(f"Expected hours cannot be more than {max_hours(locked)} for this activity.")
        try:
            with transaction.atomic():
                participation = Participation.objects.create(
                    activity=locked, partner=partner, role=role.strip(), expected_hours=expected_hours
                )
        except IntegrityError as exc:
            raise InvolvementError(f"{partner.display_name} is already taking part in this activity.") from exc
        log_action(
            actor=actor,
            action="involvement.participation.added",
            target=participation,
            organisation=locked.organisation,
            data={"activity": locked.pk, "partner": partner.reference},
            on_behalf_of="",
        )
    return participation


def participation_remove(*, actor: User | None, participation: Participation) -> None:
    """Take someone off an activity before attendance is recorded for them."""
    with transaction.atomic():
        locked = (
            Participation.objects.select_for_update()
            .select_related("activity", "activity__organisation", "partner")
            .get(pk=participation.pk)
        )
        _check_writer(actor, locked.activity.organisation_id)
        if locked.attended is not None:
            raise InvolvementError("Attendance has been recorded for this person, so they cannot be removed.")
        log_action(
            actor=actor,
            action="involvement.participation.removed",
            target=locked,
            organisation=locked.activity.organisation,
            data={"activity": locked.activity_id, "partner": locked.partner.reference},
        )
        locked.delete()


# ---------------------------------------------------------------- the partner's answer


def _lead_of(activity: Activity) -> Any:
    """Who hears about a partner's answer: the activity lead, or whoever logged it."""
    return activity.lead or activity.created_by


def _tell_lead_about_response(participation: Participation, *, occurrence: str) -> None:
    activity = participation.activity
    lead = _lead_of(activity)
    if lead is None:
        return
    name = participation.partner.display_name
    if participation.response == ParticipationResponse.APOLOGIES:
        kind = "involvement.participation_apologies"
        title = f"Apologies from {name}: {activity.title}"
        reason = participation.apology_reason or "They did not give a reason."
        body = f"{name} has sent apologies for {activity.title} on {formatting.when_text(activity.starts_at, activity.ends_at)}.\n\nTheir reason: {reason}"
    else:
        kind = "involvement.participation_coming_again"
        title = f"{name} can come after all: {activity.title}"
        body = f"{name} sent apologies for {activity.title} on {formatting.when_text(activity.starts_at, activity.ends_at)}, but can now come."
    notify(
        kind=kind,
        subject=participation,
        user=lead,
        organisation=activity.organisation,
        title=title,
        body=body,
        url=reverse("involvement:activity_detail", args=[activity.pk]),
        occurrence=occurrence,
        essential=True,
    )


def participation_respond(
    *, actor: Any, participation: Participation, response: str, reason: str = "", now: datetime | None = None
) -> Participation:
    """The lay partner says they are coming, or sends apologies (with an optional reason).

    They can change their answer until the activity starts. The activity lead is told of each
    apology once (and when someone who sent apologies can come after all); saying the same thing
    twice changes nothing and tells nobody again."""
    if response not in (ParticipationResponse.COMING, ParticipationResponse.APOLOGIES):
        raise InvolvementError("Choose whether you are coming or sending apologies.")
    reason = reason.strip() if response == ParticipationResponse.APOLOGIES else ""
    with transaction.atomic():
        locked = (
            Participation.objects.select_for_update(of=("self",))
            .select_related("activity", "activity__organisation", "activity__lead", "activity__created_by", "partner")
            .get(pk=participation.pk)
        )
        if locked.partner.user_id is None or locked.partner.user_id != getattr(actor, "pk", None):
            raise InvolvementError("Only the person taking part can answer for themselves.")
        refusal = response_refusal(locked, now=now)
        if refusal:
            raise InvolvementError(refusal)
        previous = locked.response
        if previous == response and locked.apology_reason == reason:
            return locked
        locked.response = response
        locked.apology_reason = reason
        if previous != response:
            locked.responded_at = timezone.now()
        locked.save(update_fields=["response", "apology_reason", "responded_at", "updated_at"])
        log_action(
            actor=actor,
            action=f"involvement.participation.{response}",
            target=locked,
            organisation=locked.activity.organisation,
            data={"activity": locked.activity_id, "previous": previous, "reason_given": bool(reason)},
        )
        changed_to_apologies = response == ParticipationResponse.APOLOGIES and previous != response
        coming_after_all = previous == ParticipationResponse.APOLOGIES and response == ParticipationResponse.COMING
        if changed_to_apologies or coming_after_all:
            assert locked.responded_at is not None
            _tell_lead_about_response(locked, occurrence=locked.responded_at.isoformat())
    return locked


# ---------------------------------------------------------------- what an activity allows now
# The moves below are checked here once: the services refuse with these messages, and the staff
# activity page offers a button only when its move is allowed.


def attendance_refusal(activity: Activity, *, now: datetime | None = None) -> str:
    """Why attendance cannot be recorded on `activity` now, or "" when it can."""
    if activity.status == ActivityStatus.CANCELLED:
        return "This activity was cancelled, so attendance cannot be recorded."
    if activity.starts_at > (now or timezone.now()):
        return "You can record attendance once the activity has started."
    return ""


def response_refusal(participation: Participation, *, now: datetime | None = None) -> str:
    """Why the partner cannot say whether they are coming now, or "" when they can."""
    activity = participation.activity
    if activity.status == ActivityStatus.CANCELLED:
        return "This activity was cancelled, so there is nothing to answer."
    now = now or timezone.now()
    if activity.ends_at <= now:
        return "This activity has finished, so there is nothing to answer."
    if activity.starts_at <= now:
        return "This activity has started, so your answer can no longer be changed here. Contact the activity lead instead."
    if participation.partner.left_at is not None:
        return "You have left, so you cannot answer for this activity."
    return ""


def completion_refusal(activity: Activity, *, now: datetime | None = None) -> str:
    """Why `activity` cannot be marked as completed now, or "" when it can."""
    if activity.status != ActivityStatus.PLANNED:
        return "Only a planned activity can be marked as completed."
    if activity.starts_at > (now or timezone.now()):
        return "An activity can only be completed once it has started."
    return ""


class NextStep(StrEnum):
    ADD_PARTNERS = "add_partners"
    RECORD_ATTENDANCE = "record_attendance"
    RECORD_OUTCOME = "record_outcome"


@dataclass(frozen=True)
class ActivitySteps:
    """What staff who may change an activity can do with it now, and the one thing to do next."""

    main: NextStep | None
    add_partners: bool
    record_attendance: bool
    record_outcome: bool
    complete: bool
    change: bool
    cancel: bool

    def secondary(self) -> list[NextStep]:
        """The allowed steps other than the main one, in the order the page shows them."""
        allowed = [
            (NextStep.RECORD_ATTENDANCE, self.record_attendance),
            (NextStep.RECORD_OUTCOME, self.record_outcome),
            (NextStep.ADD_PARTNERS, self.add_partners),
        ]
        return [step for step, ok in allowed if ok and step != self.main]


def activity_steps(
    activity: Activity, *, participants: int, not_recorded: int, now: datetime | None = None
) -> ActivitySteps:
    """The staff activity page's buttons: before the activity, add people; once it has started,
    record who came; once attendance is saved (the activity is completed), record an outcome.
    `participants` and `not_recorded` are the activity's counts (`selectors.participant_counts`),
    across every page of its participants."""
    now = now or timezone.now()
    cancelled = activity.status == ActivityStatus.CANCELLED
    started = activity.starts_at <= now
    attendance = not attendance_refusal(activity, now=now) and participants > 0
    outcome = not cancelled and started
    main: NextStep | None
    if cancelled:
        main = None
    elif attendance and (activity.status == ActivityStatus.PLANNED or not_recorded > 0):
        main = NextStep.RECORD_ATTENDANCE
    elif activity.status == ActivityStatus.COMPLETED:
        main = NextStep.RECORD_OUTCOME
    else:
        main = NextStep.ADD_PARTNERS
    return ActivitySteps(
        main=main,
        add_partners=not cancelled,
        record_attendance=attendance,
        record_outcome=outcome,
        complete=not completion_refusal(activity, now=now),
        change=not cancelled,
        cancel=activity.status == ActivityStatus.PLANNED,
    )


def attendance_record(
    *, actor: User | None, activity: Activity, rows: list[tuple[Participation, bool, Decimal | None]]
) -> Activity:
    """Record who attended and for how long, all at once. Marks a planned activity completed
    (the activity returned carries its new status)."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=activity.pk)
        if actor is not None:
            _check_writer(actor, locked.organisation_id)
        refusal = attendance_refusal(locked)
        if refusal:
            raise InvolvementError(refusal)
        limit = max_hours(locked)
        # Only the rows being recorded are locked (a page of the activity's people at a time).
        wanted = [participation.pk for participation, _attended, _hours in rows]
        by_id = {p.pk: p for p in Participation.objects.select_for_update().filter(activity=locked, pk__in=wanted)}
        changes: list[dict[str, Any]] = []
        for participation, attended, typed_hours in rows:
            current = by_id.get(participation.pk)
            if current is None:
                raise InvolvementError("One of these people is not taking part in this activity.")
            hours = None if typed_hours is None else Decimal(typed_hours)
            if hours is not None:
                if hours < 0:
                    raise InvolvementError(f"Hours for {participation.partner.display_name} cannot be negative.")
                if hours > limit:
                    raise InvolvementError(
                        f"Hours for {participation.partner.display_name} cannot be more than {limit} "
                        f"(24 for each day of the activity)."
                    )
            if not attended:
                hours = None
            if current.attended != attended or current.hours != hours:
                current.attended = attended
                current.hours = hours
                current.save(update_fields=["attended", "hours", "updated_at"])
                changes.append(
                    {"partner": participation.partner.reference, "attended": attended, "hours": str(hours or "")}
                )
        if locked.status == ActivityStatus.PLANNED:
            locked.status = ActivityStatus.COMPLETED
            locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=actor,
            action="involvement.attendance.recorded",
            target=locked,
            organisation=locked.organisation,
            data={"changes": changes},
        )
    return locked


def activity_complete(*, actor: User | None, activity: Activity) -> Activity:
    """Mark an activity that took place as completed (recording attendance also does this)."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=activity.pk)
        _check_writer(actor, locked.organisation_id)
        refusal = completion_refusal(locked)
        if refusal:
            raise InvolvementError(refusal)
        locked.status = ActivityStatus.COMPLETED
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=actor, action="involvement.activity.completed", target=locked, organisation=locked.organisation
        )
    return locked


def _check_outcome_fields(status: str, reason: str) -> None:
    if status not in OutcomeStatus.values:
        raise InvolvementError("Choose what happened from the list.")
    if status == OutcomeStatus.NOT_TAKEN_FORWARD and not reason.strip():
        raise InvolvementError("Say why it was not taken forward. The people involved will see this.")


def _outcome_recipients(outcome: Outcome) -> Iterable[LayPartner]:
    if outcome.activity_id is not None:
        participations = Participation.objects.filter(activity_id=outcome.activity_id)
    else:
        # A programme outcome goes to people who attended one of its activities (the same rule as
        # `selectors.partner_outcomes`), not to people only invited to a session still to come.
        participations = Participation.objects.filter(activity__programme_id=outcome.programme_id or 0, attended=True)
    partner_ids = (
        participations.exclude(attended=False).exclude(activity__status=ActivityStatus.CANCELLED).values("partner_id")
    )
    return LayPartner.objects.filter(pk__in=partner_ids, anonymised=False).select_related("user")


def outcome_record(
    *,
    actor: User | None,
    activity: Activity | None = None,
    programme: Programme | None = None,
    what_we_heard: str,
    what_we_did: str,
    status: str,
    decided_on: Any,
    reason: str = "",
    shareable: bool = False,
    public: bool = False,
    submission_token: str = "",
) -> Outcome:
    """Record "you said, we did" on an activity or a programme and tell the people involved.
    The same form sent twice records it once (`submission_token`, core.idempotency)."""
    if (activity is None) == (programme is None):
        raise InvolvementError("An outcome belongs to one activity or one programme.")
    _check_outcome_fields(status, reason)
    if not what_we_heard.strip() or not what_we_did.strip():
        raise InvolvementError("Say what we heard and what we did.")
    with transaction.atomic():
        once = submit_once(token=submission_token, actor=actor)
        if activity is not None:
            target = Activity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=activity.pk)
            organisation = target.organisation
            if target.status == ActivityStatus.CANCELLED:
                raise InvolvementError("This activity was cancelled, so it has no outcomes.")
            _check_writer(actor, organisation.pk)
            label = target.title
        else:
            assert programme is not None
            target_programme = Programme.objects.select_related("organisation").get(pk=programme.pk)
            organisation = target_programme.organisation
            if not can_write(actor, organisation.pk, roles=DELIVERY_ROLES):
                raise InvolvementError("Only staff at the AHSN that owns this programme can record its outcomes.")
            label = target_programme.name
        outcome = Outcome.objects.create(
            organisation=organisation,
            activity=activity,
            programme=programme,
            what_we_heard=what_we_heard.strip(),
            what_we_did=what_we_did.strip(),
            status=status,
            reason=reason.strip(),
            decided_on=decided_on,
            shareable=shareable,
            public=public,
            recorded_by=_actor_or_none(actor),
        )
        once.made(outcome)
        OutcomeStatusChange.objects.create(
            outcome=outcome,
            from_status="",
            to_status=status,
            changed_on=decided_on,
            note="Recorded.",
            reason=outcome.reason,
            changed_by=_actor_or_none(actor),
        )
        recipients = list(_outcome_recipients(outcome))
        log_action(
            actor=actor,
            action="involvement.outcome.recorded",
            target=outcome,
            organisation=organisation,
            data={
                "activity": outcome.activity_id,
                "programme": outcome.programme_id,
                "status": status,
                "told": len(recipients),
            },
        )
        url = reverse("involvement:my_outcome_detail", args=[outcome.pk])
        status_label = OutcomeStatus(status).label
        for partner in recipients:
            body = (
                f"You took part in {label}. Here is what changed because of it.\n\n"
                f"You said: {outcome.what_we_heard}\n\n"
                f"We did: {outcome.what_we_did}\n\n"
                f"Where this is now: {status_label}."
            )
            if status == OutcomeStatus.NOT_TAKEN_FORWARD:
                body += f"\n\nWhy: {outcome.reason}"
            notify(
                kind="involvement.outcome_recorded",
                subject=outcome,
                partner=partner,
                organisation=organisation,
                title=f"You said, we did: {label}",
                body=body,
                url=url,
            )
    return outcome


OUTCOME_WORDING_FIELDS = frozenset({"what_we_heard", "what_we_did", "shareable", "public"})


def outcome_update(*, actor: User, outcome: Outcome, **fields: Any) -> Outcome:
    """Change an outcome's wording or whether it can be shared. Its status moves only through
    `outcome_status_change`, so that every move is kept in its history."""
    unknown = set(fields) - OUTCOME_WORDING_FIELDS
    if unknown:
        raise TypeError(f"Unknown outcome fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Outcome.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=outcome.pk)
        _check_writer(actor, locked.organisation_id)
        for key in ("what_we_heard", "what_we_did"):
            if key in fields and not str(fields[key]).strip():
                raise InvolvementError("Say what we heard and what we did.")
        changed = {}
        for key, given in fields.items():
            value = given.strip() if isinstance(given, str) else given
            if getattr(locked, key) != value:
                changed[key] = str(value) if key in {"shareable", "public"} else "changed"
                setattr(locked, key, value)
        if changed:  # saved without a change: nothing to record
            locked.save()
            log_action(
                actor=actor,
                action="involvement.outcome.updated",
                target=locked,
                organisation=locked.organisation,
                data={"changed": changed},
            )
    return locked


@dataclass(frozen=True)
class Evidence:
    """Optional evidence for a status change: a link, a checked file, or both."""

    link: str = ""
    upload: UploadedFile | None = None


def _checked_evidence_file(upload: UploadedFile | None) -> tuple[ContentFile[bytes] | None, str, str]:
    if upload is None:
        return None, "", ""
    try:
        extension, content_type = check_evidence(upload)
    except EvidenceRejected as exc:
        raise InvolvementError(str(exc), field="evidence_file") from exc
    upload.seek(0)
    name = (upload.name or "evidence").rsplit("/", 1)[-1][:150]
    if not name.lower().endswith(f".{extension}"):
        name = f"{name}.{extension}"
    return ContentFile(upload.read(), name=name), name, content_type


def _check_status_move(locked: Outcome, latest: OutcomeStatusChange | None, status: str, changed_on: date) -> None:
    if status == locked.status:
        raise InvolvementError(
            f"This outcome is already “{OutcomeStatus(status).label.lower()}”. Choose where it is now.", field="status"
        )
    if changed_on > timezone.localdate():
        raise InvolvementError("The date of the change must be today or in the past.", field="changed_on")
    if latest is not None and changed_on < latest.changed_on:
        raise InvolvementError(
            f"The date must be on or after the last change ({formatting.date_text(latest.changed_on)}).",
            field="changed_on",
        )


def outcome_status_change(
    *,
    actor: User,
    outcome: Outcome,
    status: str,
    changed_on: date,
    note: str,
    reason: str = "",
    evidence: Evidence | None = None,
) -> OutcomeStatusChange:
    """Move an outcome on (considered → in progress → changed / not taken forward) and keep the step.

    The outcome is locked, the step appended to its history, audited, and everyone who took part is
    told once about this step (the notification's subject is the step)."""
    evidence = evidence or Evidence()
    _check_outcome_fields(status, reason)
    note = note.strip()
    if not note:
        raise InvolvementError("Say what happened, in a sentence or two.", field="note")
    link = evidence.link.strip()
    with transaction.atomic():
        locked = Outcome.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=outcome.pk)
        _check_writer(actor, locked.organisation_id)
        latest = locked.status_changes.order_by("-changed_on", "-id").first()
        _check_status_move(locked, latest, status, changed_on)
        content, file_name, content_type = _checked_evidence_file(evidence.upload)
        from_status = locked.status
        locked.status = status
        locked.reason = reason.strip() if status == OutcomeStatus.NOT_TAKEN_FORWARD else ""
        locked.save(update_fields=["status", "reason", "updated_at"])
        change = OutcomeStatusChange(
            outcome=locked,
            from_status=from_status,
            to_status=status,
            changed_on=changed_on,
            note=note,
            reason=locked.reason,
            evidence_link=link,
            evidence_name=file_name,
            evidence_content_type=content_type,
            changed_by=_actor_or_none(actor),
        )
        if content is not None:
            change.evidence_file.save(content.name or "evidence", content, save=False)
        change.save()
        recipients = list(_outcome_recipients(locked))
        log_action(
            actor=actor,
            action="involvement.outcome.status_changed",
            target=locked,
            organisation=locked.organisation,
            data={
                "from": from_status,
                "to": status,
                "on": changed_on.isoformat(),
                "evidence_file": bool(file_name),
                "evidence_link": bool(link),
                "told": len(recipients),
            },
        )
        _tell_about_change(locked, change, recipients)
    return change


def _tell_about_change(outcome: Outcome, change: OutcomeStatusChange, recipients: list[LayPartner]) -> None:
    label = outcome.activity.title if outcome.activity else outcome.programme.name  # type: ignore[union-attr]
    url = reverse("involvement:my_outcome_detail", args=[outcome.pk])
    status_label = OutcomeStatus(change.to_status).label.lower()
    for partner in recipients:
        body = (
            f"You took part in {label}. Here is an update on what you told us.\n\n"
            f"You said: {outcome.what_we_heard}\n\n"
            f"Where this is now: {status_label}, since {formatting.date_text(change.changed_on)}.\n\n"
            f"What happened: {change.note}"
        )
        if change.reason:
            body += f"\n\nWhy: {change.reason}"
        notify(
            kind="involvement.outcome_progress",
            subject=change,
            partner=partner,
            organisation=outcome.organisation,
            title=f"Update on what you told us: {label}",
            body=body,
            url=url,
        )


def feedback_is_editable(feedback: Feedback, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) <= feedback.submitted_at + timedelta(days=FEEDBACK_EDITABLE_DAYS)


def feedback_submit(
    *,
    actor: User | None,
    participation: Participation,
    listened_to: int,
    role_clear: int,
    support_right: int,
    take_part_again: int,
    comments: str = "",
    may_use_name: bool = False,
) -> Feedback:
    """A lay partner's feedback on an activity they attended: once, editable for 14 days."""
    scores = {
        "listened_to": listened_to,
        "role_clear": role_clear,
        "support_right": support_right,
        "take_part_again": take_part_again,
    }
    if any(not isinstance(v, int) or not 1 <= v <= 5 for v in scores.values()):
        raise InvolvementError("Choose an answer from 1 to 5 for each question.")
    with transaction.atomic():
        locked = (
            Participation.objects.select_for_update()
            .select_related("activity", "activity__organisation", "partner")
            .get(pk=participation.pk)
        )
        if locked.partner.user_id is None or getattr(actor, "pk", None) != locked.partner.user_id:
            raise InvolvementError("Only the person who took part can give feedback on it.")
        if locked.activity.status == ActivityStatus.CANCELLED:
            raise InvolvementError("This activity was cancelled, so there is nothing to give feedback on.")
        if locked.attended is not True:
            raise InvolvementError("You can give feedback once you are recorded as having attended.")
        existing = Feedback.objects.select_for_update().filter(participation=locked).first()
        if existing is not None and not feedback_is_editable(existing):
            raise InvolvementError(
                f"Feedback can be changed for {FEEDBACK_EDITABLE_DAYS} days after you give it. That time has passed."
            )
        if existing is None:
            feedback = Feedback.objects.create(
                participation=locked,
                submitted_at=timezone.now(),
                comments=comments.strip(),
                may_use_name=may_use_name,
                **scores,
            )
            action = "involvement.feedback.submitted"
        else:
            feedback = existing
            for key, value in scores.items():
                setattr(feedback, key, value)
            feedback.comments = comments.strip()
            feedback.may_use_name = may_use_name
            feedback.save()
            action = "involvement.feedback.updated"
        log_action(
            actor=actor,
            action=action,
            target=feedback,
            organisation=locked.activity.organisation,
            data={"activity": locked.activity_id},
        )
    return feedback


# The rules a spreadsheet import checks each activity row against (imports.checking), so a row is
# refused for the same reasons the activity form refuses it.
check_activity_times = _check_times

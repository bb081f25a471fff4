"""Every write to opportunities and interest. Keyword-only, one transaction, the row locked before a
state change, audited, and people told through `core.notifications.notify` (exactly once each:
the notification log's unique key is kind, opportunity, person).

States: draft → open → closed → filled, or cancelled from draft, open or closed; closed → open
again (reopen). Interest: interested → selected / reserve / declined, or withdrawn by the partner
until they are selected (withdrawn people may say they are interested again)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organisation, User
from core.access import can_write
from core.audit import log_action, log_change
from core.errors import DomainError
from core.notifications import notify
from forum.uploads import JPEG, PDF, PNG, PaperRejected, check_paper
from involvement.models import Activity, ActivityStatus, Participation
from involvement.services import InvolvementError, participation_add
from opportunities import messages as wording
from opportunities.models import Interest, InterestStatus, Opportunity, OpportunityState
from opportunities.permissions import OPPORTUNITY_WRITE_ROLES, interest_refusal
from partners.models import LayPartner
from partners.services import PartnerError, partner_update
from programmes.models import Programme


class OpportunityError(DomainError):
    """A change the rules do not allow; the message says why in plain English."""


EDITABLE_FIELDS = (
    "title",
    "programme",
    "role_title",
    "lead",
    "purpose",
    "what_you_would_do",
    "starts_on",
    "ends_on",
    "hours",
    "how_often",
    "ways_to_take_part",
    "method",
    "where",
    "who_for",
    "area",
    "support_offered",
    "payment",
    "how_chosen",
    "hear_by",
    "closes_on",
    "topics",
    "easy_read_text",
    "image_alt",
    "open_to_new_people",
)
DECISIONS = (InterestStatus.SELECTED, InterestStatus.RESERVE, InterestStatus.DECLINED)
# Interest that a lead can still decide on.
UNDECIDED = (InterestStatus.INTERESTED, InterestStatus.RESERVE)


def _check_writer(actor: User, organisation_id: int) -> None:
    if not can_write(actor, organisation_id, roles=OPPORTUNITY_WRITE_ROLES):
        raise OpportunityError("Your role cannot change opportunities at this AHSN.")


def _audit_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _check_fields(*, organisation: Organisation, fields: Mapping[str, Any], activities: Iterable[Activity]) -> None:
    programme: Programme | None = fields.get("programme")
    if programme is not None and programme.organisation_id != organisation.pk:
        raise OpportunityError(f"{programme.name} belongs to another AHSN.", "programme")
    for activity in activities:
        if activity.organisation_id != organisation.pk:
            raise OpportunityError(f"{activity.title} is run by another AHSN.", "activities")
    lead = fields.get("lead")
    if lead is not None and not can_write(lead, organisation.pk, roles=OPPORTUNITY_WRITE_ROLES):
        raise OpportunityError(f"The lead must be a member of staff at {organisation.short_name}.", "lead")
    starts_on, ends_on = fields.get("starts_on"), fields.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise OpportunityError("The end date must be the same as or after the start date.", "ends_on")


def _store_files(
    opportunity: Opportunity, *, easy_read_upload: UploadedFile | None, image_upload: UploadedFile | None
) -> None:
    """Check each upload by what it contains and its size, then keep it under a random name."""
    if easy_read_upload is not None:
        try:
            kind = check_paper(easy_read_upload)
        except PaperRejected as exc:
            raise OpportunityError(str(exc), "easy_read_file") from exc
        if kind != PDF:
            raise OpportunityError("The easy read version must be a PDF file", "easy_read_file")
        opportunity.easy_read_file.save(f"{secrets.token_hex(16)}.pdf", easy_read_upload, save=False)
    if image_upload is not None:
        try:
            kind = check_paper(image_upload)
        except PaperRejected as exc:
            raise OpportunityError(str(exc), "image") from exc
        if kind not in (PNG, JPEG):
            raise OpportunityError("The image must be a PNG or JPEG file", "image")
        opportunity.image.save(f"{secrets.token_hex(16)}.{kind.extension}", image_upload, save=False)
        opportunity.image_content_type = kind.content_type
    if opportunity.image and not opportunity.image_alt.strip():
        raise OpportunityError("Describe the image for people who cannot see it", "image_alt")


def opportunity_create(
    *,
    actor: User,
    organisation: Organisation,
    activities: Iterable[Activity] = (),
    easy_read_upload: UploadedFile | None = None,
    image_upload: UploadedFile | None = None,
    **fields: Any,
) -> Opportunity:
    """A new draft. Nobody but staff sees it until it is published."""
    _check_writer(actor, organisation.pk)
    if set(fields) - set(EDITABLE_FIELDS):
        raise OpportunityError("Those details cannot be set on an opportunity.")
    activities = list(activities)
    _check_fields(organisation=organisation, fields=fields, activities=activities)
    with transaction.atomic():
        opportunity = Opportunity(organisation=organisation, created_by=actor, **fields)
        _store_files(opportunity, easy_read_upload=easy_read_upload, image_upload=image_upload)
        opportunity.save()
        opportunity.activities.set(activities)
        log_action(
            actor=actor,
            action="opportunities.opportunity.created",
            target=opportunity,
            organisation=organisation,
            data={"activities": [a.pk for a in activities]},
        )
    return opportunity


def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity,
    activities: Iterable[Activity] | None = None,
    easy_read_upload: UploadedFile | None = None,
    image_upload: UploadedFile | None = None,
    **fields: Any,
) -> Opportunity:
    """Change the words while it is a draft or open (people reading it see the change)."""
    if set(fields) - set(EDITABLE_FIELDS):
        raise OpportunityError("Those details cannot be changed on an opportunity.")
    with transaction.atomic():
        locked = (
            Opportunity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=opportunity.pk)
        )
        _check_writer(actor, locked.organisation_id)
        if locked.state not in (OpportunityState.DRAFT, OpportunityState.OPEN, OpportunityState.CLOSED):
            raise OpportunityError(
                f"This opportunity is {locked.get_state_display().lower()}, so it cannot be changed."
            )
        activity_list = list(activities) if activities is not None else None
        _check_fields(organisation=locked.organisation, fields=fields, activities=activity_list or [])
        before = {name: _audit_value(getattr(locked, name)) for name in fields}
        for name, value in fields.items():
            setattr(locked, name, value)
        _store_files(locked, easy_read_upload=easy_read_upload, image_upload=image_upload)
        if locked.state == OpportunityState.OPEN:
            _check_publishable(locked, today=timezone.localdate())
        locked.save()
        after = {name: _audit_value(getattr(locked, name)) for name in fields}
        if activity_list is not None:
            before["activities"] = sorted(locked.activities.values_list("pk", flat=True))
            locked.activities.set(activity_list)
            after["activities"] = sorted(a.pk for a in activity_list)
        if easy_read_upload is not None:
            before["easy_read_file"], after["easy_read_file"] = "", "uploaded"
        if image_upload is not None:
            before["image"], after["image"] = "", "uploaded"
        log_change(
            actor=actor,
            action="opportunities.opportunity.updated",
            target=locked,
            organisation=locked.organisation,
            before=before,
            after=after,
        )
    return locked


def _lock(actor: User, opportunity: Opportunity, *, allowed: Iterable[str], doing: str) -> Opportunity:
    locked = Opportunity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=opportunity.pk)
    _check_writer(actor, locked.organisation_id)
    if locked.state not in set(allowed):
        raise OpportunityError(f"This opportunity is {locked.get_state_display().lower()}, so you cannot {doing} it.")
    return locked


def _check_publishable(opportunity: Opportunity, *, today: date) -> None:
    if opportunity.closes_on < today:
        raise OpportunityError("The closing date is in the past. Change it to today or a later date.", "closes_on")
    if not opportunity.ways_to_take_part:
        raise OpportunityError(
            "Say at least one way people can take part (in person, online, by phone, by post or in their own time).",
            "ways_to_take_part",
        )


def _move(
    *,
    actor: User,
    opportunity: Opportunity,
    allowed: Iterable[str],
    doing: str,
    to: str,
    action: str,
    stamp: str,
    today: date | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Opportunity:
    locked = _lock(actor, opportunity, allowed=allowed, doing=doing)
    if to == OpportunityState.OPEN:
        _check_publishable(locked, today=today or timezone.localdate())
    before = locked.state
    locked.state = to
    setattr(locked, stamp, timezone.now())
    for name, value in (extra or {}).items():
        setattr(locked, name, value)
    locked.save()
    log_action(
        actor=actor,
        action=action,
        target=locked,
        organisation=locked.organisation,
        data={"from": before, "to": to, **{k: str(v) for k, v in (extra or {}).items()}},
    )
    return locked


def opportunity_publish(*, actor: User, opportunity: Opportunity, today: date | None = None) -> Opportunity:
    """Open a draft: partners of the AHSN see it, and those who asked are told (the sweep)."""
    with transaction.atomic():
        return _move(
            actor=actor,
            opportunity=opportunity,
            allowed=[OpportunityState.DRAFT],
            doing="publish",
            to=OpportunityState.OPEN,
            action="opportunities.opportunity.published",
            stamp="opened_at",
            today=today,
        )


def opportunity_close(*, actor: User, opportunity: Opportunity) -> Opportunity:
    """Stop taking interest early. People already interested can still be chosen."""
    with transaction.atomic():
        return _move(
            actor=actor,
            opportunity=opportunity,
            allowed=[OpportunityState.OPEN],
            doing="close",
            to=OpportunityState.CLOSED,
            action="opportunities.opportunity.closed",
            stamp="closed_at",
        )


def opportunity_reopen(*, actor: User, opportunity: Opportunity, today: date | None = None) -> Opportunity:
    with transaction.atomic():
        return _move(
            actor=actor,
            opportunity=opportunity,
            allowed=[OpportunityState.CLOSED],
            doing="reopen",
            to=OpportunityState.OPEN,
            action="opportunities.opportunity.reopened",
            stamp="opened_at" if opportunity.opened_at is None else "updated_at",
            today=today,
        )


def _tell(*, kind: str, interest: Interest, opportunity: Opportunity, title: str, body: str, easy: str) -> None:
    notify(
        kind=kind,
        subject=interest,
        partner=interest.partner,
        organisation=opportunity.organisation,
        title=title,
        body=body,
        easy_read_body=easy,
        url=wording.partner_url(opportunity),
        essential=True,
    )


def opportunity_mark_filled(*, actor: User, opportunity: Opportunity) -> Opportunity:
    """Everyone is chosen. Everyone still waiting (interested or on the reserve list) is thanked."""
    with transaction.atomic():
        locked = _move(
            actor=actor,
            opportunity=opportunity,
            allowed=[OpportunityState.OPEN, OpportunityState.CLOSED],
            doing="mark as filled",
            to=OpportunityState.FILLED,
            action="opportunities.opportunity.filled",
            stamp="filled_at",
        )
        waiting = Interest.objects.filter(opportunity=locked, status__in=UNDECIDED).select_related("partner")
        for interest in waiting:
            title, body, easy = wording.filled_not_chosen(locked, interest.partner)
            _tell(
                kind="opportunities.filled_not_chosen",
                interest=interest,
                opportunity=locked,
                title=title,
                body=body,
                easy=easy,
            )
    return locked


def opportunity_cancel(*, actor: User, opportunity: Opportunity, reason: str) -> Opportunity:
    reason = reason.strip()
    if not reason:
        raise OpportunityError("Say why the opportunity is cancelled", "reason")
    with transaction.atomic():
        locked = _move(
            actor=actor,
            opportunity=opportunity,
            allowed=[OpportunityState.DRAFT, OpportunityState.OPEN, OpportunityState.CLOSED],
            doing="cancel",
            to=OpportunityState.CANCELLED,
            action="opportunities.opportunity.cancelled",
            stamp="cancelled_at",
            extra={"cancellation_reason": reason},
        )
        waiting = Interest.objects.filter(opportunity=locked, status__in=UNDECIDED).select_related("partner")
        for interest in waiting:
            title, body, easy = wording.cancelled(locked, interest.partner)
            _tell(
                kind="opportunities.cancelled", interest=interest, opportunity=locked, title=title, body=body, easy=easy
            )
    return locked


# --- Interest ---------------------------------------------------------------------------------


def interest_express(
    *,
    actor: User,
    opportunity: Opportunity,
    partner: LayPartner,
    why: str = "",
    availability: str = "",
    needs: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> Interest:
    """The partner says "I'm interested" (or staff record it for them, audited as on their behalf).

    `needs`, when given, is the partner's support and communication needs as they checked them:
    saved to their profile through the partners service."""
    on_behalf = partner.user_id is None or partner.user_id != actor.pk
    if on_behalf:
        _check_writer(actor, opportunity.organisation_id)
    with transaction.atomic():
        locked = (
            Opportunity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=opportunity.pk)
        )
        existing = Interest.objects.select_for_update().filter(opportunity=locked, partner=partner).first()
        refusal = interest_refusal(locked, partner, existing=existing, today=today or timezone.localdate())
        if refusal:
            raise OpportunityError(refusal)
        if needs:
            try:
                partner_update(actor=actor, partner=partner, section="needs", changes=dict(needs))
            except PartnerError as exc:
                raise OpportunityError(str(exc)) from exc
        values = {
            "status": InterestStatus.INTERESTED,
            "why": why.strip(),
            "availability": availability.strip(),
            "needs_checked": needs is not None,
            "recorded_by": actor if on_behalf else None,
        }
        if existing is None:
            try:
                with transaction.atomic():
                    interest = Interest.objects.create(opportunity=locked, partner=partner, **values)
            except IntegrityError as exc:
                raise OpportunityError("You have already told us you are interested in this opportunity.") from exc
        else:
            interest = existing
            for name, value in values.items():
                setattr(interest, name, value)
            interest.decided_at = interest.decided_by = None
            interest.save()
        log_action(
            actor=actor,
            action="opportunities.interest.expressed",
            target=interest,
            organisation=locked.organisation,
            data={"opportunity": locked.pk, "partner": partner.reference, "again": existing is not None},
            on_behalf_of=partner.reference if on_behalf else "",
        )
    return interest


def interest_withdraw(*, actor: User, interest: Interest) -> Interest:
    with transaction.atomic():
        locked = (
            Interest.objects.select_for_update(of=("self",))
            .select_related("partner", "opportunity__organisation")
            .get(pk=interest.pk)
        )
        on_behalf = locked.partner.user_id != actor.pk
        if on_behalf:
            _check_writer(actor, locked.opportunity.organisation_id)
        if locked.status == InterestStatus.SELECTED:
            raise OpportunityError(
                "You have been chosen for this opportunity, so please contact the team if you can no longer take part."
            )
        if locked.status not in UNDECIDED:
            raise OpportunityError("There is no interest to withdraw.")
        locked.status = InterestStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=actor,
            action="opportunities.interest.withdrawn",
            target=locked,
            organisation=locked.opportunity.organisation,
            data={"opportunity": locked.opportunity_id, "partner": locked.partner.reference},
            on_behalf_of=locked.partner.reference if on_behalf else "",
        )
    return locked


@dataclass(frozen=True)
class DecisionResult:
    decided: int
    participations: int


def _add_to_activities(*, actor: User, opportunity: Opportunity, interest: Interest) -> int:
    """The existing Participation rows, through the involvement service (attendance and claims
    then work unchanged). Activities already done or cancelled are left alone."""
    activities = opportunity.activities.filter(status=ActivityStatus.PLANNED).order_by("starts_at")
    already = set(
        Participation.objects.filter(activity__in=activities, partner=interest.partner).values_list(
            "activity_id", flat=True
        )
    )
    added = 0
    for activity in activities:
        if activity.pk in already:
            continue
        try:
            participation_add(
                actor=actor, activity=activity, partner=interest.partner, role=opportunity.role_title or "Participant"
            )
        except InvolvementError as exc:
            raise OpportunityError(f"{interest.partner.display_name}: {exc}") from exc
        added += 1
    return added


def interests_decide(
    *, actor: User, opportunity: Opportunity, interest_ids: Iterable[int], decision: str
) -> DecisionResult:
    """Select, put on the reserve list, or decline (with a kind message) several people at once.

    All or nothing: if one cannot be decided, none are, and the message says who and why."""
    if decision not in DECISIONS:
        raise OpportunityError("Choose what to do with the people you selected", "decision")
    ids = sorted(set(interest_ids))
    if not ids:
        raise OpportunityError("Select at least one person", "interests")
    with transaction.atomic():
        locked = _lock(
            actor,
            opportunity,
            allowed=[OpportunityState.OPEN, OpportunityState.CLOSED],
            doing="choose people for",
        )
        interests = list(
            Interest.objects.select_for_update(of=("self",))
            .filter(opportunity=locked, pk__in=ids)
            .select_related("partner")
            .order_by("pk")
        )
        if len(interests) != len(ids):
            raise OpportunityError("Some of the people selected are not interested in this opportunity.", "interests")
        for interest in interests:
            if interest.status not in UNDECIDED:
                raise OpportunityError(
                    f"{interest.partner.display_name} is {interest.get_status_display().lower()} already.", "interests"
                )
        now = timezone.now()
        participations = 0
        for interest in interests:
            if decision == InterestStatus.SELECTED:
                participations += _add_to_activities(actor=actor, opportunity=locked, interest=interest)
            interest.status = decision
            interest.decided_by = actor
            interest.decided_at = now
            interest.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
            title, body, easy = wording.decision(locked, interest.partner, decision)
            _tell(
                kind=f"opportunities.{decision}",
                interest=interest,
                opportunity=locked,
                title=title,
                body=body,
                easy=easy,
            )
        log_action(
            actor=actor,
            action=f"opportunities.interest.{decision}",
            target=locked,
            organisation=locked.organisation,
            data={"interests": ids, "partners": [i.partner.reference for i in interests]},
        )
    return DecisionResult(decided=len(interests), participations=participations)
